// DNS proxy at scale: how memory and cache-hit latency grow with the number of names, connmand 1.41
// against Switchyard. For each size N (100, 1,000, 10,000) and each daemon a fresh lab whose dnsmasq
// answers N names from a hosts file (--addn-hosts, --local-ttl=300 so every answer may be cached). The
// proxy's cache is filled by asking each name once, then dnsperf asks the same N names for a fixed time.
// Memory is the daemon's, before the fill and after the timed run. Both caches are bounded (Switchyard's
// at 4,096 entries and 2 MiB, native/core/dns/cache.h), so past the bound queries go upstream again.
// Usage: node dist/bench/dns-scale.js [--runs N] [--no-write]
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DaemonKind, Lab, sleep } from '../test/harness';
import { Bench, fmt, machine, ratio, standalone, stats, Stats, withTempDir } from './lib';
import { memoryOf } from './startup';
import { heapStatsOf } from './memory-map';

// SY_DNS_SCALE_SIZES=10000 runs one size only (a quick look while profiling; --no-write with it).
const SIZES = process.env.SY_DNS_SCALE_SIZES ? process.env.SY_DNS_SCALE_SIZES.split(',').map(Number) : [100, 1000, 10_000];
const SECONDS = 5;
const name = (i: number) => `n${i}.scale.test`;

interface Sample { qps: number; avgMs: number; rssGrowthMiB: number; anonGrowthMiB: number; anonMiB: number; lost: number }

function dnsperf(lab: Lab, data: string, extra: string[]): string {
  return execFileSync('ip', ['netns', 'exec', lab.near, 'dnsperf', '-s', '127.0.0.1', '-d', data, '-c', '4', '-q', '100', '-t', '2', ...extra],
    { encoding: 'utf8', maxBuffer: 16 << 20 });
}

async function once(kind: DaemonKind, n: number, dir: string): Promise<Sample> {
  const hosts = join(dir, `hosts-${n}`);
  const data = join(dir, `queries-${n}`);
  const lab = await Lab.create({ dnsmasqArgs: ['--no-ping', '--local-ttl=300', `--addn-hosts=${hosts}`] });
  try {
    // Switchyard's JS heap grows and shrinks with its own garbage, which would hide the cache's native
    // memory: its readings come after a full GC (the SWITCHYARD_MEMSTATS hook). connmand has no GC.
    const statsFile = kind === 'switchyard' ? join(lab.dir, 'memstats.json') : undefined;
    if (statsFile) process.env.SWITCHYARD_MEMSTATS = statsFile;
    const pid = (await lab.startDaemon(kind, [], 30_000)).proc.pid!;
    delete process.env.SWITCHYARD_MEMSTATS;
    const settled = async () => {
      if (statsFile) await heapStatsOf(pid, statsFile, true);
      return memoryOf(pid);
    };
    await lab.waitForWiredReady({ timeoutMs: 60_000 });
    // V8 hands back its start-up pages about 10 s after start (its memory reducer); reading earlier
    // would credit that to the cache as a shrink.
    await sleep(12_000);
    const before = await settled();
    // Fill: every name once (dnsperf -n 1 runs through the file once).
    dnsperf(lab, data, ['-n', '1']);
    const out = dnsperf(lab, data, ['-l', String(SECONDS)]);
    await sleep(1000);
    const after = await settled();
    const num = (re: RegExp) => Number(re.exec(out)?.[1] ?? NaN);
    return {
      qps: num(/Queries per second:\s+([\d.]+)/),
      avgMs: num(/Average Latency \(s\):\s+([\d.]+)/) * 1000,
      lost: num(/Queries lost:\s+(\d+)/),
      rssGrowthMiB: after.rssMiB - before.rssMiB,
      anonGrowthMiB: after.anonMiB - before.anonMiB,
      anonMiB: after.anonMiB,
    };
  } finally {
    await lab.teardown();
  }
}

type Summary = Record<keyof Sample, Stats>;

export async function benchDnsScale(runs: number, dir: string): Promise<Record<number, Record<DaemonKind, Summary>>> {
  const result: Record<number, Record<DaemonKind, Summary>> = {};
  for (const n of SIZES) {
    writeFileSync(join(dir, `hosts-${n}`), Array.from({ length: n }, (_, i) => `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255} ${name(i)}`).join('\n') + '\n');
    writeFileSync(join(dir, `queries-${n}`), Array.from({ length: n }, (_, i) => `${name(i)} A`).join('\n') + '\n');
    const samples: Record<DaemonKind, Sample[]> = { connmand: [], switchyard: [] };
    for (let r = 0; r < runs; r++) {
      for (const kind of ['connmand', 'switchyard'] as const) {
        const s = await once(kind, n, dir);
        samples[kind].push(s);
        process.stderr.write(`${kind} ${n} names run ${r + 1}: ${s.qps.toFixed(0)} qps, ${s.avgMs.toFixed(2)} ms, ` +
          `RSS +${s.rssGrowthMiB.toFixed(2)} MiB, anon +${s.anonGrowthMiB.toFixed(2)} MiB, lost ${s.lost}\n`);
      }
    }
    const sum = (xs: Sample[]): Summary => Object.fromEntries(
      (Object.keys(xs[0]) as (keyof Sample)[]).map((k) => [k, stats(xs.map((x) => x[k]))])) as Summary;
    result[n] = { connmand: sum(samples.connmand), switchyard: sum(samples.switchyard) };
  }
  return result;
}

export function dnsScaleMarkdown(r: Awaited<ReturnType<typeof benchDnsScale>>, runs: number): string {
  const rows = SIZES.map((n) => {
    const c = r[n].connmand;
    const s = r[n].switchyard;
    return `| ${n.toLocaleString('en')} | ${fmt(c.avgMs, 2)} | ${fmt(s.avgMs, 2)} | ${ratio(c.avgMs, s.avgMs)} | ` +
      `${fmt(c.qps, 0)} | ${fmt(s.qps, 0)} | ${fmt(c.anonGrowthMiB, 2)} | ${fmt(s.anonGrowthMiB, 2)} | ${fmt(c.rssGrowthMiB, 2)} | ${fmt(s.rssGrowthMiB, 2)} |`;
  });
  return `## DNS proxy at scale: 100, 1,000 and 10,000 names

\`node dist/bench/dns-scale.js\` (bench/dns-scale.ts): for each size N and each daemon, ${runs} fresh labs
(interleaved) whose dnsmasq answers N names from a hosts file (\`--addn-hosts\`, \`--local-ttl=300\`). The
proxy's cache is filled by asking every name once (\`dnsperf -n 1\`), then \`dnsperf -c 4 -q 100 -l ${SECONDS}\` asks
the same N names again in the daemon's namespace. Latency and throughput are of that timed run; memory
growth is the daemon's, from 12 s after ready (before the fill) to after the timed run (Switchyard's
read after a forced full GC each time, so its JS garbage does not hide the cache's native memory). Both caches are bounded, so at
10,000 names the proxy cannot keep them all: Switchyard's holds 4,096 entries and 2 MiB
(native/core/dns/cache.h), connmand's fewer; what does not fit goes upstream again, and the latency
shows it: asking N names in a cycle is the worst case for an LRU cache smaller than N, so at 10,000
names nearly every query goes upstream and the row measures each daemon's forwarding path, not its
cache. Lower is better; the ratio is connmand ÷ Switchyard.

| names | connmand latency (ms) | Switchyard latency (ms) | latency ratio | connmand qps | Switchyard qps | connmand anon growth (MiB) | Switchyard anon growth (MiB) | connmand RSS growth (MiB) | Switchyard RSS growth (MiB) |
|---|---|---|---|---|---|---|---|---|---|
${rows.join('\n')}

Machine: ${machine()}. On a loaded machine compare the columns, not the absolute numbers.`;
}

export const bench: Bench = {
  id: 'dns-scale',
  async run({ runs = 3 }) {
    return withTempDir('dns-scale', async (dir) => dnsScaleMarkdown(await benchDnsScale(runs, dir), runs));
  },
};

if (require.main === module) standalone(bench);
