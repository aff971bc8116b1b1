// Failover: with two uplinks connected, the default uplink loses carrier (its far end goes down) and the
// other must take the default route. Timed inside the near namespace by `ip -ts monitor link route`:
// from the kernel's NO-CARRIER link event to the new default route's RTM_NEWROUTE, so neither polling
// nor D-Bus is in the number. connmand 1.41 and Switchyard, interleaved.
// Usage: node dist/bench/failover.js [--runs N] [--no-write]
import { Lab, DaemonKind, UPLINK2, FAR_ADDR, sleep } from '../test/harness';
import { Background } from '../test/harness/proc';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fmt, machine, ratio, stats, writeSection } from './lib';

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

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const runs = Number(args[args.indexOf('--runs') + 1]) || 5;
  const ms: Record<DaemonKind, number[]> = { connmand: [], switchyard: [] };
  for (let i = 0; i < runs; i++) {
    for (const kind of ['connmand', 'switchyard'] as const) ms[kind].push(await once(kind));
  }
  const c = stats(ms.connmand), s = stats(ms.switchyard);
  const md = [
    '## Failover to the second uplink', '',
    'Two uplinks connected; the default one loses carrier. Time from the kernel\'s NO-CARRIER event to the',
    'new default route (`ip -ts monitor link route` in the daemon\'s namespace). `node dist/bench/failover.js`.', '',
    '| daemon | ms |', '|---|---|',
    `| connmand 1.41 | ${fmt(c)} |`, `| Switchyard | ${fmt(s)} |`, '',
    `Switchyard / connmand: ${ratio(c, s)}. ${runs} runs each, interleaved. ${machine()}`, '',
  ].join('\n');
  process.stdout.write(md);
  if (!args.includes('--no-write')) writeSection('failover', md);
}

main().catch((e) => { process.stderr.write(`failover bench: ${(e as Error).stack}\n`); process.exit(1); });
