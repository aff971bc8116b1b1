// Wi-Fi at scale: how GetServices and ServicesChanged grow with the number of networks, 10, 100 and 1,000.
// No radio in the lab can show a thousand networks, so wpa_supplicant is replaced by a mock on a private
// bus (bench/mock-supplicant.py: one interface whose scan results are N BSSes, each its own SSID) and
// Switchyard runs its real Manager, D-Bus API and Wi-Fi plugin over a fake platform with one wireless
// link (bench/wifi-scale-daemon.ts). connmand cannot be pointed at a fake wireless link, so this one is
// Switchyard alone: the figures show how its cost grows, not a ratio.
// Usage: node dist/bench/wifi-scale.js [--runs N] [--no-write]
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as dbus from '@particle/dbus-next';
import { Background } from '../test/harness/proc';
import { sleep, waitUntil } from '../test/harness';
import { Bench, fmt, machine, standalone, stats, Stats, withTempDir } from './lib';
import { heapStatsOf, launcherFlags } from './memory-map';
import { memoryOf } from './startup';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { marshallMessage } = require('@particle/dbus-next/lib/marshall-compat') as { marshallMessage(m: dbus.Message): [Buffer, unknown] };

/** The message's size on the wire. dbus-next's marshaller rewrites the body it is given, so a copy goes in. */
function wireSize(m: dbus.Message): number {
  const copy = Object.assign(Object.create(Object.getPrototypeOf(m) as object) as dbus.Message, m);
  return marshallMessage(copy)[0].length;
}

const SIZES = [10, 100, 1000];
const CALLS = 20;

/** A plain private bus: the mock may own wpa_supplicant's name and everyone may call everyone. */
const BUS_CONF = (sock: string) => `<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig><type>session</type><listen>unix:path=${sock}</listen><auth>EXTERNAL</auth>
<policy context="default"><allow user="*"/><allow own="*"/><allow send_destination="*"/><allow receive_sender="*"/></policy>
</busconfig>`;

interface Sample {
  /** Powered true -> ServicesChanged has announced all N networks (ms) */
  toServices: number;
  /** GetServices round trip, median of CALLS calls (ms) */
  getServicesMs: number;
  getServicesBytes: number;
  /** ServicesChanged signals until all N were listed: how many, the largest, all together (bytes) */
  signals: number;
  largestSignal: number;
  signalBytes: number;
  rssMiB: number;
  anonMiB: number;
  /** after a forced full GC: anonymous memory and V8's heap in use */
  anonGcMiB: number;
  heapUsedMiB: number;
}

async function waitLine(file: string, proc: Background, what: string): Promise<void> {
  await waitUntil(() => {
    if (!proc.running) throw new Error(`${what} exited: ${readFileSync(`${file}.err`, 'utf8').slice(-2000)}`);
    return readFileSync(file, 'utf8').includes('ready');
  }, { timeoutMs: 60_000, what });
}

async function once(n: number, dir: string): Promise<Sample> {
  const sock = join(dir, `bus-${n}.sock`);
  writeFileSync(join(dir, 'bus.conf'), BUS_CONF(sock));
  const procs: Background[] = [];
  const start = (name: string, argv: string[], env: NodeJS.ProcessEnv = process.env) => {
    const out = join(dir, `${name}.out`);
    writeFileSync(out, '');
    const p = new Background(name, argv, out, `${out}.err`, env);
    procs.push(p);
    return { p, out };
  };
  let client: dbus.MessageBus | undefined;
  try {
    const busProc = start('dbus-daemon', ['dbus-daemon', `--config-file=${join(dir, 'bus.conf')}`, '--nofork', '--print-address']);
    await waitUntil(() => {
      if (!busProc.p.running) throw new Error(`dbus-daemon exited: ${readFileSync(`${busProc.out}.err`, 'utf8')}`);
      return readFileSync(busProc.out, 'utf8').includes('unix:');
    }, { timeoutMs: 10_000, what: 'dbus-daemon' });
    const address = `unix:path=${sock}`;
    const statsFile = join(dir, 'memstats.json');
    const env = { ...process.env, DBUS_SYSTEM_BUS_ADDRESS: address, SWITCHYARD_MEMSTATS: statsFile };
    const mock = start('mock-supplicant', ['/usr/bin/python3', join(__dirname, '..', '..', 'bench', 'mock-supplicant.py'), String(n)], env);
    await waitLine(mock.out, mock.p, 'mock wpa_supplicant');

    client = dbus.sessionBus({ busAddress: address });
    const sizes: number[] = [];
    await client.call(new dbus.Message({
      destination: 'org.freedesktop.DBus', path: '/org/freedesktop/DBus', interface: 'org.freedesktop.DBus',
      member: 'AddMatch', signature: 's', body: ["type='signal',interface='net.connman.Manager',member='ServicesChanged'"],
    }));
    // Services listed so far, from the signals: polling GetServices would load the daemon being timed.
    const listed = new Set<string>();
    client.on('message', (m: dbus.Message) => {
      if (m.interface !== 'net.connman.Manager' || m.member !== 'ServicesChanged') return;
      for (const [path] of m.body[0] as [string, unknown][]) if (path.includes('/service/wifi_')) listed.add(path);
      for (const path of m.body[1] as string[]) listed.delete(path);
      sizes.push(wireSize(m));
    });
    // The device's own flags, so memory is as on a device.
    const flags = launcherFlags().split(/\s+/).filter(Boolean);
    const daemon = start('switchyard', [process.execPath, ...flags, join(__dirname, 'wifi-scale-daemon.js'), address], env);
    await waitLine(daemon.out, daemon.p, 'Switchyard');

    const call = (path: string, iface: string, member: string, signature = '', body: unknown[] = []) =>
      client!.call(new dbus.Message({ destination: 'net.connman', path, interface: iface, member, signature, body }));
    const count = async () => ((await call('/', 'net.connman.Manager', 'GetServices'))!.body[0] as [string, unknown][])
      .filter(([p]) => p.includes('/service/wifi_')).length;
    const t0 = performance.now();
    try {
      await call('/net/connman/technology/wifi', 'net.connman.Technology', 'SetProperty', 'sv', ['Powered', new dbus.Variant('b', true)]);
    } catch (e) {
      if (!String((e as Error).message).includes('AlreadyEnabled') && !(e as { type?: string }).type?.endsWith('AlreadyEnabled')) throw e;
    }
    await waitUntil(() => listed.size >= n, { timeoutMs: 120_000, intervalMs: 20, what: `${n} Wi-Fi services` })
      .catch(() => { throw new Error(`only ${listed.size} of ${n} networks were announced within 120 s`); });
    const toServices = performance.now() - t0;
    await sleep(500); // the last ServicesChanged window closes
    if ((await count()) < n) throw new Error(`ServicesChanged announced ${n} services, GetServices lists fewer`);
    const times: number[] = [];
    let bytes = 0;
    for (let i = 0; i < CALLS; i++) {
      const t = performance.now();
      const reply = await call('/', 'net.connman.Manager', 'GetServices');
      times.push(performance.now() - t);
      bytes = wireSize(reply!);
    }
    const mem = memoryOf(daemon.p.pid!);
    const v8 = await heapStatsOf(daemon.p.pid!, statsFile, true);
    if (!v8) throw new Error('Switchyard did not report its heap');
    const anonGcMiB = memoryOf(daemon.p.pid!).anonMiB;
    return {
      anonGcMiB, heapUsedMiB: v8.heap.used_heap_size / 2 ** 20,
      toServices, getServicesMs: stats(times).median, getServicesBytes: bytes,
      signals: sizes.length, largestSignal: Math.max(0, ...sizes), signalBytes: sizes.reduce((a, b) => a + b, 0),
      ...mem,
    };
  } finally {
    client?.disconnect();
    for (const p of procs.reverse()) await p.stop(3000);
  }
}

type Summary = Record<keyof Sample, Stats>;

export interface SizeResult { summary: Summary; failures: string[] }

export async function benchWifiScale(runs: number, dir: string): Promise<Record<number, SizeResult>> {
  const out: Record<number, SizeResult> = {};
  for (const n of SIZES) {
    const xs: Sample[] = [];
    const failures: string[] = [];
    for (let r = 0; r < runs; r++) {
      try {
        const s = await once(n, dir);
        xs.push(s);
        process.stderr.write(`${n} networks run ${r + 1}: ${JSON.stringify(s)}\n`);
      } catch (e) {
        // A run that never lists every network is a result too: counted and shown, not dropped silently.
        failures.push((e as Error).message);
        process.stderr.write(`${n} networks run ${r + 1} failed: ${(e as Error).message}\n`);
      }
    }
    if (xs.length === 0) throw new Error(`every run with ${n} networks failed: ${failures.join('; ')}`);
    const summary = Object.fromEntries((Object.keys(xs[0]) as (keyof Sample)[]).map((k) => [k, stats(xs.map((x) => x[k]))])) as Summary;
    out[n] = { summary, failures };
  }
  return out;
}

export function wifiScaleMarkdown(res: Record<number, SizeResult>, runs: number): string {
  const r = Object.fromEntries(SIZES.map((n) => [n, res[n].summary])) as Record<number, Summary>;
  const failed = SIZES.filter((n) => res[n].failures.length > 0);
  const kib = (s: Stats) => fmt({ ...s, median: s.median / 1024, min: s.min / 1024, max: s.max / 1024 }, 1);
  const row = (label: string, f: (s: Summary) => string) => `| ${label} | ${SIZES.map((n) => f(r[n])).join(' | ')} |`;
  const big = SIZES[SIZES.length - 1];
  const small = SIZES[0];
  const growth = (k: keyof Sample) => (r[big][k].median / r[small][k].median).toFixed(0);
  return `## Wi-Fi at scale: 10, 100 and 1,000 networks (simulated scan results)

\`node dist/bench/wifi-scale.js\` (bench/wifi-scale.ts): no radio in the lab can show a thousand networks,
so this bench replaces wpa_supplicant with a mock on a private bus (bench/mock-supplicant.py: one
interface whose scan results are N BSSes, each its own SSID, half of them WPA2-PSK) and runs Switchyard's
real Manager, D-Bus API and Wi-Fi plugin over a fake platform with one wireless link
(bench/wifi-scale-daemon.ts), with the Node flags of bin/switchyardd. The radio and the kernel are
left out; everything from wpa_supplicant's D-Bus API to net.connman's is measured. connmand cannot be
given a fake wireless link, so there is no connmand column. ${runs} runs per size, each with a fresh bus,
mock and daemon; GetServices is the median of ${CALLS} calls per run, timed by a client on the same bus
(dbus-next in a Node with its JIT, so the round trip includes the client's unmarshalling of the reply).
Memory is read after the ${CALLS} calls, then again after a forced full GC (the SWITCHYARD_MEMSTATS hook),
which leaves what the N services themselves keep.

| figure | ${SIZES.map((n) => `${n.toLocaleString('en')} networks`).join(' | ')} |
|---|${SIZES.map(() => '---|').join('')}
${row('Powered true → ServicesChanged has announced all networks (ms)', (s) => fmt(s.toServices, 0))}
${row('GetServices round trip (ms)', (s) => fmt(s.getServicesMs, 2))}
${row('GetServices reply (KiB)', (s) => kib(s.getServicesBytes))}
${row('ServicesChanged signals until all were listed', (s) => fmt(s.signals, 0))}
${row('largest ServicesChanged (KiB)', (s) => kib(s.largestSignal))}
${row('all ServicesChanged together (KiB)', (s) => kib(s.signalBytes))}
${row('daemon RSS with the networks listed (MiB)', (s) => fmt(s.rssMiB))}
${row('daemon anonymous memory (MiB)', (s) => fmt(s.anonMiB))}
${row('after a forced full GC: anonymous (MiB)', (s) => fmt(s.anonGcMiB))}
${row('after a forced full GC: V8 heap in use (MiB)', (s) => fmt(s.heapUsedMiB))}
| runs that did not list every network within 120 s | ${SIZES.map((n) => `${res[n].failures.length} of ${runs}`).join(' | ')} |
${failed.length ? `\nFailed runs (left out of the figures): ${failed.map((n) => res[n].failures.map((f) => `${n}: ${f}`).join('; ')).join('; ')}.\n` : ''}

From ${small} to ${big} networks (×${big / small}): GetServices time ×${growth('getServicesMs')}, its reply ×${growth('getServicesBytes')},
all ServicesChanged bytes ×${growth('signalBytes')}. The reply carries every service's properties, so it grows
linearly with the networks; ServicesChanged is coalesced per 100 ms window, so the number of signals
depends on how fast the scan results arrive, and their total size on the networks.

Machine: ${machine()}.`;
}

export const bench: Bench = {
  id: 'wifi-scale',
  async run({ runs = 3 }) {
    return withTempDir('wifi-scale', async (dir) => wifiScaleMarkdown(await benchWifiScale(runs, dir), runs));
  },
};

if (require.main === module) standalone(bench);
