// Cold start and memory, connmand 1.41 against Switchyard: for each run a fresh lab, then the time
// from exec to `net.connman` owned on the bus, the time to the wired service ready (Manager State
// "ready"), and the daemon's memory once ready (VmRSS, and anonymous memory from smaps_rollup).
// Usage: node dist/bench/startup.js [--runs N] [--no-write]
import { readFileSync } from 'node:fs';
import * as dbus from '@particle/dbus-next';
import { Lab, DaemonKind } from '../test/harness';
import { Bench, fmt, machine, ratio, standalone, stats, Stats } from './lib';

interface Sample {
  toName: number;
  toReady: number;
  rssMiB: number;
  anonMiB: number;
}

function kib(text: string, key: string): number {
  const m = new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(text);
  if (!m) throw new Error(`${key} not found`);
  return Number(m[1]);
}

/** Memory of the daemon process: its pid is the lab's process-group leader (every wrapper execs). */
export function memoryOf(pid: number): { rssMiB: number; anonMiB: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const rollup = readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8');
  return { rssMiB: kib(status, 'VmRSS') / 1024, anonMiB: kib(rollup, 'Anonymous') / 1024 };
}

async function once(kind: DaemonKind): Promise<Sample> {
  // --no-ping: dnsmasq otherwise waits ~3 s probing each new address, which would swamp both daemons.
  const lab = await Lab.create({ dnsmasqArgs: ['--no-ping'] });
  const bus = dbus.sessionBus({ busAddress: lab.busAddress });
  try {
    // Listen before the daemon exists, so neither event can be missed.
    const driver = await bus.getProxyObject('org.freedesktop.DBus', '/org/freedesktop/DBus');
    const fdo = driver.getInterface('org.freedesktop.DBus');
    let tName = 0;
    let tReady = 0;
    let t0 = 0;
    const gotName = new Promise<void>((resolve) => {
      fdo.on('NameOwnerChanged', (name: string, _old: string, owner: string) => {
        if (name === 'net.connman' && owner) {
          tName = performance.now();
          resolve();
        }
      });
    });
    await bus.call(new dbus.Message({
      destination: 'org.freedesktop.DBus', path: '/org/freedesktop/DBus', interface: 'org.freedesktop.DBus',
      member: 'AddMatch', signature: 's',
      body: ["type='signal',interface='net.connman.Manager',member='PropertyChanged'"],
    }));
    const gotReady = new Promise<void>((resolve) => {
      bus.on('message', (msg: dbus.Message) => {
        if (msg.interface === 'net.connman.Manager' && msg.member === 'PropertyChanged'
          && msg.body[0] === 'State' && ['ready', 'online'].includes(msg.body[1].value)) {
          tReady ||= performance.now();
          resolve();
        }
      });
    });
    t0 = performance.now();
    const daemon = await lab.startDaemon(kind, [], 30_000);
    await gotName;
    await Promise.race([gotReady, lab.waitForWiredReady({ timeoutMs: 30_000, intervalMs: 500 })]);
    await gotReady;
    if (!daemon.running) throw new Error(`${kind} exited once ready; its log:\n${lab.daemonLog().slice(-3000)}`);
    const mem = memoryOf(daemon.proc.pid!);
    return { toName: tName - t0, toReady: tReady - t0, ...mem };
  } finally {
    bus.disconnect();
    await lab.teardown();
  }
}

export async function benchStartup(runs: number): Promise<Record<DaemonKind, Record<keyof Sample, Stats>>> {
  const samples: Record<DaemonKind, Sample[]> = { connmand: [], switchyard: [] };
  for (let i = 0; i < runs; i++) {
    // Interleaved, so slow drift of the machine hits both daemons alike.
    for (const kind of ['connmand', 'switchyard'] as const) {
      const s = await once(kind);
      samples[kind].push(s);
      process.stderr.write(`${kind} run ${i + 1}: name ${s.toName.toFixed(0)} ms, ready ${s.toReady.toFixed(0)} ms, ` +
        `RSS ${s.rssMiB.toFixed(1)} MiB, anon ${s.anonMiB.toFixed(1)} MiB\n`);
    }
  }
  const summarize = (xs: Sample[]) => ({
    toName: stats(xs.map((x) => x.toName)),
    toReady: stats(xs.map((x) => x.toReady)),
    rssMiB: stats(xs.map((x) => x.rssMiB)),
    anonMiB: stats(xs.map((x) => x.anonMiB)),
  });
  return { connmand: summarize(samples.connmand), switchyard: summarize(samples.switchyard) };
}

export function startupMarkdown(r: Awaited<ReturnType<typeof benchStartup>>, runs: number): string {
  const c = r.connmand;
  const s = r.switchyard;
  return `## Cold start and memory once ready

\`node dist/bench/startup.js\` (bench/startup.ts): ${runs} runs per daemon, interleaved, each in a fresh lab
(one veth uplink, dnsmasq with \`--no-ping\`, private bus). Times from exec of the daemon; memory of the daemon process once the
wired service is ready. Lower is better; the ratio is connmand ÷ Switchyard (above 1× Switchyard is better).

| figure | connmand 1.41 | Switchyard | ratio |
|---|---|---|---|
| start → \`net.connman\` owned (ms) | ${fmt(c.toName, 0)} | ${fmt(s.toName, 0)} | ${ratio(c.toName, s.toName)} |
| start → wired service ready (ms) | ${fmt(c.toReady, 0)} | ${fmt(s.toReady, 0)} | ${ratio(c.toReady, s.toReady)} |
| RSS once ready (MiB) | ${fmt(c.rssMiB)} | ${fmt(s.rssMiB)} | ${ratio(c.rssMiB, s.rssMiB)} |
| anonymous memory once ready (MiB) | ${fmt(c.anonMiB)} | ${fmt(s.anonMiB)} | ${ratio(c.anonMiB, s.anonMiB)} |

Machine: ${machine()}.`;
}

export const bench: Bench = {
  id: 'startup',
  async run({ runs = 5 }) { return startupMarkdown(await benchStartup(runs), runs); },
};

if (require.main === module) standalone(bench);
