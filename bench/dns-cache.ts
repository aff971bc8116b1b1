// Cache-hit throughput and latency of the DNS proxy, Switchyard against connmand 1.41, in the same
// lab: each daemon runs in the near namespace of its own Lab (dnsmasq upstream with --local-ttl=300
// so answers are cacheable by both), the cache is warmed, then dnsperf (in the near namespace too)
// sends the same few A queries to 127.0.0.1:53 for a fixed time. Prints a Markdown table and JSON.
//   node dist/bench/dns-cache.js [seconds] [clients]      (npm run bench:dns)
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { Lab } from '../test/harness';

const NAMES = ['alpha.lab.test', 'beta.lab.test'];

interface Result { kind: string; qps: number; avgMs: number; maxMs: number; lost: number; completed: number }

function parse(kind: string, out: string): Result {
  const num = (re: RegExp) => Number(re.exec(out)?.[1] ?? NaN);
  return {
    kind,
    qps: num(/Queries per second:\s+([\d.]+)/),
    avgMs: num(/Average Latency \(s\):\s+([\d.]+)/) * 1000,
    maxMs: num(/Average Latency \(s\):.*max ([\d.]+)/) * 1000,
    lost: num(/Queries lost:\s+(\d+)/),
    completed: num(/Queries completed:\s+(\d+)/),
  };
}

async function measure(kind: 'connmand' | 'switchyard', seconds: number, clients: number): Promise<Result> {
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
    return parse(kind, out);
  } finally {
    await lab.teardown();
  }
}

async function main(): Promise<void> {
  const seconds = Number(process.argv[2] ?? 10);
  const clients = Number(process.argv[3] ?? 4);
  const results: Result[] = [];
  for (const kind of ['connmand', 'switchyard'] as const) results.push(await measure(kind, seconds, clients));
  const [c, s] = results;
  const lines = [
    `| daemon | cache-hit qps | avg latency (ms) | max latency (ms) | lost |`,
    `|---|---|---|---|---|`,
    ...results.map((r) => `| ${r.kind} | ${r.qps.toFixed(0)} | ${r.avgMs.toFixed(3)} | ${r.maxMs.toFixed(3)} | ${r.lost} |`),
    '',
    `ratio (Switchyard / connmand qps): ${(s.qps / c.qps).toFixed(2)}x; latency ${(c.avgMs / s.avgMs).toFixed(2)}x lower`,
  ];
  process.stdout.write(lines.join('\n') + '\n' + JSON.stringify(results) + '\n');
}

main().catch((e) => { process.stderr.write(`bench: ${(e as Error).stack}\n`); process.exit(1); });
