// Soak: connmand 1.41 and Switchyard side by side (one lab each, at the same time, so both see the same
// machine) under link flaps and DNS load for --soak-minutes (10 by default). Memory (VmRSS, and anonymous
// memory from smaps_rollup) is sampled throughout; the section compares memory once ready with memory
// after the soak, once the service is ready again and the load has stopped.
// Usage: node dist/bench/soak.js [--soak-minutes N] [--no-write]
import { ChildProcess, spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DaemonKind, DNS_RECORDS, Lab, sleep } from '../test/harness';
import { Bench, fmt, machine, numberFlag, ratio, standalone, stats } from './lib';
import { memoryOf } from './startup';
import { heapStatsOf } from './memory-map';

const SAMPLE_MS = 10_000;
/** one flap: cable out for FLAP_DOWN_MS, then in; one every FLAP_EVERY_MS */
const FLAP_EVERY_MS = 15_000;
const FLAP_DOWN_MS = 2_000;
/** dnsperf's rate cap (queries per second): steady load, not a throughput test (bench/dns-cache.ts is that) */
const DNS_QPS = 300;
// A short TTL makes the proxies' caches expire during the soak, so both the cache and the upstream
// path stay in use; the unknown name adds negative answers.
const DNSMASQ_ARGS = ['--no-ping', '--local-ttl=30'];
const [ALPHA, BETA] = Object.keys(DNS_RECORDS);
const QUERIES = [`${ALPHA} A`, `${BETA} A`, `${ALPHA} AAAA`, 'nosuch.lab.test A'];

interface Mem { rssMiB: number; anonMiB: number; heap?: Heap }
/** V8's heap (MiB), Switchyard only: its committed size and the part in use */
interface Heap { sizeMiB: number; usedMiB: number }
interface SoakResult {
  kind: DaemonKind;
  ready: Mem;
  after: Mem;
  samples: Mem[];
  flaps: number;
  dns: { completed: number; lost: number; qps: number };
  survived: boolean;
  /** Switchyard only: memory and V8 heap after a forced full GC at the end, to tell live data from garbage */
  afterGc?: Mem;
}

function parseDnsperf(out: string): SoakResult['dns'] {
  const num = (re: RegExp) => Number(re.exec(out)?.[1] ?? NaN);
  return {
    completed: num(/Queries completed:\s+(\d+)/),
    lost: num(/Queries lost:\s+(\d+)/),
    qps: num(/Queries per second:\s+([\d.]+)/),
  };
}

function dnsperf(lab: Lab, seconds: number): { proc: ChildProcess; done: Promise<string> } {
  const data = join(lab.dir, 'soak-queries.txt');
  writeFileSync(data, QUERIES.join('\n') + '\n');
  const proc = spawn('ip', ['netns', 'exec', lab.near, 'dnsperf', '-s', '127.0.0.1', '-d', data, '-l', String(seconds),
    '-Q', String(DNS_QPS), '-c', '2', '-t', '2'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  proc.stdout!.on('data', (b: Buffer) => { out += b; });
  proc.stderr!.on('data', (b: Buffer) => { out += b; });
  return { proc, done: new Promise((resolve) => proc.on('exit', () => resolve(out))) };
}

/** Memory of the daemon; for Switchyard with V8's heap too (through its SWITCHYARD_MEMSTATS hook). */
async function sample(pid: number, statsFile: string | undefined, gc = false): Promise<Mem> {
  const v8 = statsFile ? await heapStatsOf(pid, statsFile, gc) : undefined;
  const mem: Mem = memoryOf(pid);
  if (v8) mem.heap = { sizeMiB: v8.heap.total_heap_size / 2 ** 20, usedMiB: v8.heap.used_heap_size / 2 ** 20 };
  return mem;
}

async function soakOne(kind: DaemonKind, minutes: number): Promise<SoakResult> {
  const lab = await Lab.create({ dnsmasqArgs: DNSMASQ_ARGS });
  try {
    // The hook answers SIGUSR2 only when this is set; connmand ignores it.
    const statsFile = kind === 'switchyard' ? join(lab.dir, 'memstats.json') : undefined;
    if (statsFile) process.env.SWITCHYARD_MEMSTATS = statsFile;
    const daemon = await lab.startDaemon(kind, [], 30_000);
    delete process.env.SWITCHYARD_MEMSTATS;
    await lab.waitForWiredReady({ timeoutMs: 60_000 });
    await sleep(3000); // start-up timers and the first DNS queries settle
    const pid = daemon.proc.pid!;
    const ready = await sample(pid, statsFile);
    const seconds = Math.max(1, Math.round(minutes * 60));
    const load = dnsperf(lab, seconds);
    const samples: Mem[] = [ready];
    const end = performance.now() + seconds * 1000;
    let flaps = 0;
    let nextFlap = performance.now() + FLAP_EVERY_MS / 2;
    let nextSample = performance.now() + SAMPLE_MS;
    while (performance.now() < end && daemon.running) {
      const now = performance.now();
      if (now >= nextFlap) {
        await lab.setCable(1, false);
        await sleep(FLAP_DOWN_MS);
        await lab.setCable(1, true);
        flaps++;
        nextFlap += FLAP_EVERY_MS;
      } else if (now >= nextSample) {
        samples.push(await sample(pid, statsFile));
        nextSample += SAMPLE_MS;
      } else {
        await sleep(Math.min(nextFlap, nextSample, end) - now);
      }
    }
    const survived = daemon.running;
    if (!survived) load.proc.kill();
    const dns = parseDnsperf(await load.done);
    if (!survived) throw new Error(`${kind} died during the soak; its log:\n${lab.daemonLog().slice(-3000)}`);
    await lab.waitForWiredReady({ timeoutMs: 60_000 });
    await sleep(3000); // as before the first sample
    const after = await sample(pid, statsFile);
    samples.push(after);
    const afterGc = statsFile ? await sample(pid, statsFile, true) : undefined;
    return { kind, ready, after, samples, flaps, dns, survived, afterGc };
  } finally {
    await lab.teardown();
  }
}

export async function benchSoak(minutes: number): Promise<SoakResult[]> {
  // Both at once: the same machine load for each, and half the wall time.
  const results = await Promise.all((['connmand', 'switchyard'] as const).map((k) => soakOne(k, minutes)));
  for (const r of results) {
    process.stderr.write(`${r.kind}: RSS ${r.ready.rssMiB.toFixed(1)} -> ${r.after.rssMiB.toFixed(1)} MiB, anon ` +
      `${r.ready.anonMiB.toFixed(1)} -> ${r.after.anonMiB.toFixed(1)} MiB, ${r.flaps} flaps, dns ${JSON.stringify(r.dns)}\n`);
  }
  return results;
}

function heap(m: Mem): string {
  return m.heap ? `${m.heap.sizeMiB.toFixed(1)} / ${m.heap.usedMiB.toFixed(1)}` : 'n/a';
}

/** about ten evenly spaced samples, the first and the last among them */
function timelineEvery(r: SoakResult): number {
  return Math.max(1, Math.ceil((r.samples.length - 1) / 10));
}

function timeline(r: SoakResult): { at: number; m: Mem }[] {
  const every = timelineEvery(r);
  const idx = r.samples.map((_, i) => i).filter((i) => i % every === 0 || i === r.samples.length - 1);
  return idx.map((i) => ({ at: Math.min(i * SAMPLE_MS / 1000, Math.round((r.samples.length - 1) * SAMPLE_MS / 1000)), m: r.samples[i] }));
}

export function soakMarkdown(results: SoakResult[], minutes: number): string {
  const [c, s] = results;
  const one = (v: number) => ({ n: 1, median: v, min: v, max: v });
  const row = (label: string, pick: (r: SoakResult) => number, decimals = 1) => {
    const a = one(pick(c));
    const b = one(pick(s));
    return `| ${label} | ${a.median.toFixed(decimals)} | ${b.median.toFixed(decimals)} | ${ratio(a, b)} |`;
  };
  const spread = (r: SoakResult, k: 'rssMiB' | 'anonMiB') => fmt(stats(r.samples.map((m) => m[k])));
  const growth = (r: SoakResult, k: 'rssMiB' | 'anonMiB') => r.after[k] - r.ready[k];
  return `## Soak${minutes > 10 ? ` (${minutes} minutes)` : ''}: link flaps and DNS load, memory before and after

\`node dist/bench/soak.js --soak-minutes ${minutes}\` (bench/soak.ts): both daemons at the same time, one lab each
(dnsmasq with \`--no-ping --local-ttl=30\`, so the proxies' caches expire and refill during the soak). For
${minutes} minutes: the cable is pulled for ${FLAP_DOWN_MS / 1000} s every ${FLAP_EVERY_MS / 1000} s, and \`dnsperf -Q ${DNS_QPS}\` sends
${QUERIES.map((q) => `\`${q}\``).join(', ')} to 127.0.0.1:53 in the daemon's namespace throughout
(queries lost while the cable is out are expected). Memory is sampled every ${SAMPLE_MS / 1000} s. "Once ready" is 3 s after
the wired service is first ready; "after" is 3 s after it is ready again at the end, with the load stopped.
One soak per daemon, so the figures have no spread over runs; the samples' median and range is the last
row pair. Lower is better; the ratio is connmand ÷ Switchyard.

| figure | connmand 1.41 | Switchyard | ratio |
|---|---|---|---|
${row('RSS once ready (MiB)', (r) => r.ready.rssMiB)}
${row('RSS after the soak (MiB)', (r) => r.after.rssMiB)}
${row('anonymous once ready (MiB)', (r) => r.ready.anonMiB)}
${row('anonymous after the soak (MiB)', (r) => r.after.anonMiB)}
| RSS growth (MiB) | ${growth(c, 'rssMiB').toFixed(1)} | ${growth(s, 'rssMiB').toFixed(1)} | |
| anonymous growth (MiB) | ${growth(c, 'anonMiB').toFixed(1)} | ${growth(s, 'anonMiB').toFixed(1)} | |
| link flaps | ${c.flaps} | ${s.flaps} | |
| DNS queries answered / lost | ${c.dns.completed} / ${c.dns.lost} | ${s.dns.completed} / ${s.dns.lost} | |
| RSS samples during the soak (MiB) | ${spread(c, 'rssMiB')} | ${spread(s, 'rssMiB')} | |
| anonymous samples during the soak (MiB) | ${spread(c, 'anonMiB')} | ${spread(s, 'anonMiB')} | |
| V8 heap committed / in use once ready (MiB) | | ${heap(s.ready)} | |
| V8 heap committed / in use after the soak (MiB) | | ${heap(s.after)} | |
| after a forced full GC: anonymous (MiB), V8 heap committed / in use (MiB) | | ${s.afterGc ? `${s.afterGc.anonMiB.toFixed(1)}, ${heap(s.afterGc)}` : 'n/a'} | |

Over time (every ${timelineEvery(s)} samples; MiB): a plateau rather than a steady climb is heap growth, not a leak.

| sample (s) | ${timeline(s).map((t) => t.at).join(' | ')} |
|---|${timeline(s).map(() => '---|').join('')}
| connmand anonymous | ${timeline(c).map((t) => t.m.anonMiB.toFixed(1)).join(' | ')} |
| Switchyard anonymous | ${timeline(s).map((t) => t.m.anonMiB.toFixed(1)).join(' | ')} |
| Switchyard V8 heap committed / in use | ${timeline(s).map((t) => heap(t.m)).join(' | ')} |

Machine: ${machine()}.`;
}

export const bench: Bench = {
  id: 'soak',
  async run({ soakMinutes = 10 }) { return soakMarkdown(await benchSoak(soakMinutes), soakMinutes); },
};

// A soak longer than the default gets its own section, so the 10-minute one of `npm run bench` stays.
if (require.main === module) {
  const minutes = numberFlag(process.argv.slice(2), '--soak-minutes') ?? 10;
  standalone(minutes > 10 ? { ...bench, id: 'soak-long' } : bench);
}
