// Failover: with two uplinks connected, the default uplink loses carrier (its far end goes down) and the
// other must take the default route. Timed inside the near namespace by `ip -ts monitor link route`:
// from the kernel's NO-CARRIER link event to the new default route's RTM_NEWROUTE, so neither polling
// nor D-Bus is in the number. connmand 1.41 and Switchyard, interleaved.
// Usage: node dist/bench/failover.js [--runs N] [--no-write]
import { Lab, DaemonKind, UPLINK2, FAR_ADDR, sleep } from '../test/harness';
import { Background } from '../test/harness/proc';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Bench, fmt, machine, ratio, standalone, stats } from './lib';

const stamp = (line: string) => {
  const m = /^\[(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)\.(\d+)\]/.exec(line);
  return m ? Date.parse(`${m[1]}Z`) + Number(`0.${m[2]}`) * 1000 : NaN;
};

async function once(kind: DaemonKind): Promise<number> {
  const lab = await Lab.create({ uplinks: 2, dnsmasqArgs: ['--no-ping'], dnsmasq2Args: ['--no-ping'] });
  try {
    await lab.startDaemon(kind);
    const table = () => lab.ip('near', '-4', 'route', 'show', 'table', 'main');
    await lab.waitUntil(async () => (await lab.uplinkAddress(1)) && (await lab.uplinkAddress(2)) && /^default /m.test(await table()),
      { timeoutMs: 40_000, what: 'both uplinks and a default route' });
    await sleep(1000);
    const dev = /^default via \S+ dev (eth\d)/m.exec(await table())![1];
    const [pull, otherGw, pulledIf] = dev === 'eth0' ? [1, `${UPLINK2.subnet}.1`, 'eth0'] as const : [2, FAR_ADDR, 'eth1'] as const;
    const log = join(lab.dir, 'monitor.log');
    const mon = new Background('ip-monitor', ['ip', 'netns', 'exec', lab.near, 'ip', '-ts', 'monitor', 'link', 'route'], log, log);
    await sleep(300);
    await lab.setCable(pull, false);
    await lab.waitUntil(async () => (await table()).includes(`default via ${otherGw} `), { timeoutMs: 10_000, intervalMs: 20, what: 'failover' });
    await sleep(200);
    await mon.stop(1000);
    const lines = readFileSync(log, 'utf8').split('\n');
    const lost = lines.find((l) => l.includes(`${pulledIf}@`) && l.includes('NO-CARRIER'));
    const gained = lines.find((l) => l.includes(`default via ${otherGw} `) && !l.includes('Deleted'));
    if (!lost || !gained) throw new Error(`monitor missed an event:\n${lines.join('\n')}`);
    return stamp(gained) - stamp(lost);
  } finally {
    await lab.teardown();
  }
}

async function failover(runs: number): Promise<string> {
  const ms: Record<DaemonKind, number[]> = { connmand: [], switchyard: [] };
  for (let r = 0; r < runs; r++) {
    // Interleaved, so slow drift of the machine hits both daemons alike.
    for (const kind of ['connmand', 'switchyard'] as const) {
      const t = await once(kind);
      ms[kind].push(t);
      process.stderr.write(`${kind} run ${r + 1}: ${t.toFixed(1)} ms\n`);
    }
  }
  const c = stats(ms.connmand), s = stats(ms.switchyard);
  const md = [
    '## Failover to the second uplink', '',
    '`node dist/bench/failover.js` (bench/failover.ts): two uplinks connected (eth0 and eth1, a dnsmasq on each),',
    'then the uplink holding the default route loses carrier (its far end goes down). Time from the kernel\'s',
    'NO-CARRIER link event to the RTM_NEWROUTE of the new default route through the other uplink, both stamped',
    'by `ip -ts monitor link route` inside the daemon\'s namespace, so neither polling nor D-Bus is in the number.',
    `${runs} runs per daemon, interleaved, each in a fresh lab. Lower is better; the ratio is connmand ÷ Switchyard`,
    '(above 1× Switchyard is faster). Issue 3 asks for failover within 100 ms.', '',
    '| figure | connmand 1.41 | Switchyard | ratio |', '|---|---|---|---|',
    `| NO-CARRIER → new default route (ms) | ${fmt(c)} | ${fmt(s)} | ${ratio(c, s)} |`, '',
    `Machine: ${machine()}.`, '',
  ].join('\n');
  return md;
}

export const bench: Bench = { id: 'failover', run: ({ runs = 7 }) => failover(runs) };

if (require.main === module) standalone(bench);
