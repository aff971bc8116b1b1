// Cache-hit throughput and latency of the DNS proxy, Switchyard against connmand 1.41, in the same
// lab: each run gives each daemon a fresh Lab (dnsmasq upstream with --local-ttl=300 so answers are
// cacheable by both) in the near namespace, the cache is warmed, then dnsperf (in the near namespace
// too) sends the same two A queries to 127.0.0.1:53 for a fixed time. Runs are interleaved so drift
// of a shared machine hits both daemons alike.
//   node dist/bench/dns-cache.js [--runs N] [--seconds S] [--clients C] [--no-write]   (npm run bench:dns)
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import * as path from 'node:path';
import { DaemonKind, Lab } from '../test/harness';
import { Bench, fmt, machine, numberFlag, ratio, standalone, stats, Stats } from './lib';

const NAMES = ['alpha.lab.test', 'beta.lab.test'];

interface Result { qps: number; avgMs: number; lost: number }

function parse(out: string): Result {
  const num = (re: RegExp) => Number(re.exec(out)?.[1] ?? NaN);
  return {
    qps: num(/Queries per second:\s+([\d.]+)/),
    avgMs: num(/Average Latency \(s\):\s+([\d.]+)/) * 1000,
    lost: num(/Queries lost:\s+(\d+)/),
  };
}

async function measure(kind: DaemonKind, seconds: number, clients: number): Promise<Result> {
  const lab = await Lab.create({ dnsmasqArgs: ['--local-ttl=300'] });
  try {
    await lab.startDaemon(kind);
    await lab.waitForWiredReady();
    const query = path.join(__dirname, '..', 'test', 'harness', 'dns-query.js');
    for (const n of NAMES) {
      await lab.waitUntil(async () => /"addresses":\["10/.test((await lab.exec('near', [process.execPath, query, '127.0.0.1', n])).stdout));
    }
    const data = path.join(lab.dir, 'dnsperf.txt');
    writeFileSync(data, NAMES.map((n) => `${n} A`).join('\n') + '\n');
    const out = execFileSync('ip', ['netns', 'exec', lab.near, 'dnsperf', '-s', '127.0.0.1', '-d', data, '-l', String(seconds),
      '-c', String(clients), '-q', '200', '-t', '2'], { encoding: 'utf8' });
    const r = parse(out);
    if (!(r.qps > 0)) throw new Error(`dnsperf against ${kind} gave no figures:\n${out}`);
    return r;
  } finally {
    await lab.teardown();
  }
}

/** qps is "higher is better": Switchyard ÷ connmand */
const gain = (c: Stats, s: Stats) => (c.median === 0 ? 'n/a' : `${(s.median / c.median).toFixed(2)}×`);

async function dnsCache(runs: number, seconds: number, clients: number): Promise<string> {
  const res: Record<DaemonKind, Result[]> = { connmand: [], switchyard: [] };
  const load = [loadavg()[0]];
  for (let r = 0; r < runs; r++) {
    for (const kind of ['connmand', 'switchyard'] as const) {
      const x = await measure(kind, seconds, clients);
      res[kind].push(x);
      process.stderr.write(`${kind} run ${r + 1}: ${x.qps.toFixed(0)} qps, ${x.avgMs.toFixed(3)} ms avg, ${x.lost} lost\n`);
    }
  }
  load.push(loadavg()[0]);
  const q = (k: DaemonKind) => stats(res[k].map((x) => x.qps));
  const l = (k: DaemonKind) => stats(res[k].map((x) => x.avgMs));
  const lost = (k: DaemonKind) => stats(res[k].map((x) => x.lost));
  const perRun = res.connmand.map((c, i) => c.qps > 0 ? res.switchyard[i].qps / c.qps : 0);
  const wins = perRun.filter((x) => x >= 2.5).length;
  return [
    '## DNS proxy: cache-hit throughput and latency', '',
    '`npm run bench:dns` (bench/dns-cache.ts): per run, one fresh lab per daemon (dnsmasq upstream with',
    '`--local-ttl=300`, so both caches may keep the answers), cache warmed with `alpha.lab.test` and `beta.lab.test` A,',
    `then \`dnsperf -s 127.0.0.1 -l ${seconds} -c ${clients} -q 200\` inside the near namespace, the daemon's proxy on`,
    `127.0.0.1:53. ${runs} runs per daemon, interleaved. Issue 6 asks for at least 2.5× connmand's cache-hit`,
    'queries per second with lower latency.', '',
    '| figure | connmand 1.41 | Switchyard | ratio |', '|---|---|---|---|',
    `| cache-hit queries per second | ${fmt(q('connmand'), 0)} | ${fmt(q('switchyard'), 0)} | ${gain(q('connmand'), q('switchyard'))} |`,
    `| average latency (ms) | ${fmt(l('connmand'), 3)} | ${fmt(l('switchyard'), 3)} | ${ratio(l('connmand'), l('switchyard'))} |`,
    `| queries lost | ${fmt(lost('connmand'), 0)} | ${fmt(lost('switchyard'), 0)} | |`, '',
    `Per-run throughput ratios: ${perRun.map((x) => `${x.toFixed(2)}×`).join(', ')} (${wins} of ${runs} at or above 2.5×).`,
    `Load average (1 min) at start and end: ${load.map((x) => x.toFixed(1)).join(' and ')} on a machine shared with`,
    'other builds and tests, so the spread is wide; rerun on a quiet machine before quoting a single number.', '',
    `Machine: ${machine()}.`, '',
  ].join('\n');
}

export const bench: Bench = {
  id: 'dns-cache',
  run: ({ runs = 3 }) => {
    const args = process.argv.slice(2);
    return dnsCache(runs, numberFlag(args, '--seconds') ?? 10, numberFlag(args, '--clients') ?? 4);
  },
};

if (require.main === module) standalone(bench);
