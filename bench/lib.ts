// Shared pieces of the benchmark scripts: statistics over repeated runs, the machine description, and
// the BENCHMARKS.md writer. Each benchmark owns one section of BENCHMARKS.md, delimited by
// `<!-- bench:<id> -->` ... `<!-- /bench:<id> -->`, and rewrites only that section.
//
// The convention bench/run-all.ts relies on: a script exports `bench` (a Bench below) and keeps its
// own command line behind `require.main === module`, usually as `standalone(bench)`. A script without
// that export is still run by run-all, as a child process, and writes its section itself.
import { existsSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';

export const REPO_ROOT = join(__dirname, '..', '..');
export const BENCHMARKS_MD = join(REPO_ROOT, 'BENCHMARKS.md');

export interface Stats {
  n: number;
  median: number;
  min: number;
  max: number;
}

export function stats(values: number[]): Stats {
  if (values.length === 0) throw new Error('no samples');
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  const median = s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
  return { n: s.length, median, min: s[0], max: s[s.length - 1] };
}

/** "12.3 (10.1–15.2)" with the given number of decimals. */
export function fmt(st: Stats, decimals = 1): string {
  return `${st.median.toFixed(decimals)} (${st.min.toFixed(decimals)}–${st.max.toFixed(decimals)})`;
}

/** ratio of connmand's median to Switchyard's for "lower is better" figures: > 1 means Switchyard wins. */
export function ratio(connmand: Stats, switchyard: Stats): string {
  if (switchyard.median === 0) return 'n/a';
  return `${(connmand.median / switchyard.median).toFixed(2)}×`;
}

export function machine(): string {
  const cpu = cpus()[0]?.model ?? 'unknown CPU';
  const kernel = execFileSync('uname', ['-r'], { encoding: 'utf8' }).trim();
  let connmand = 'connmand (not installed)';
  try {
    connmand = `connmand ${execFileSync('/usr/sbin/connmand', ['-v'], { encoding: 'utf8' }).trim()}`;
  } catch {
    // reported as not installed
  }
  // The load average says whether other work shared the machine while the figures were taken.
  return `${cpus().length} × ${cpu}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Linux ${kernel}, Node ${process.version}, ${connmand}; ` +
    `load average ${loadavg()[0].toFixed(1)} when the section was written`;
}

/** Replaces (or appends) one section of BENCHMARKS.md, atomically. */
/** Runs `fn` in a fresh directory /tmp/<prefix>.XXXXXX, removed afterwards whatever happens. */
export async function withTempDir<T>(prefix: string, fn: (dir: string) => Promise<T>): Promise<T> {
  const dir = mkdtempSync(`/tmp/${prefix}.`);
  try {
    return await fn(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export function writeSection(id: string, markdown: string, file = BENCHMARKS_MD): void {
  const begin = `<!-- bench:${id} -->`;
  const end = `<!-- /bench:${id} -->`;
  const block = `${begin}\n${markdown.trim()}\n${end}`;
  let text = existsSync(file) ? readFileSync(file, 'utf8') : HEADER;
  const a = text.indexOf(begin);
  const b = text.indexOf(end);
  if (a >= 0 && b > a) text = text.slice(0, a) + block + text.slice(b + end.length);
  else text = `${text.trimEnd()}\n\n${block}\n`;
  const tmp = `${file}.tmp`;
  writeFileSync(tmp, text);
  renameSync(tmp, file);
}

export interface BenchOptions {
  /** runs per daemon; each bench has its own default */
  runs?: number;
  /** length of the soak (bench/soak.ts) */
  soakMinutes?: number;
}

export interface Bench {
  /** the section id in BENCHMARKS.md */
  id: string;
  /** returns the section's markdown (a `## ` heading first) */
  run(opts: BenchOptions): Promise<string>;
}

/** Reads `--flag value` as a positive number; undefined when the flag is absent. */
export function numberFlag(args: string[], flag: string): number | undefined {
  const i = args.indexOf(flag);
  if (i < 0) return undefined;
  const v = Number(args[i + 1]);
  if (!(v > 0)) throw new Error(`${flag} needs a positive number`);
  return v;
}

/** The command line of one bench script: [--runs N] [--soak-minutes N] [--no-write]. */
export function standalone(b: Bench): void {
  const args = process.argv.slice(2);
  (async () => {
    const md = await b.run({ runs: numberFlag(args, '--runs'), soakMinutes: numberFlag(args, '--soak-minutes') });
    process.stdout.write(`${md.trimEnd()}\n`);
    if (!args.includes('--no-write')) writeSection(b.id, md);
  })().catch((err) => {
    process.stderr.write(`${b.id} bench: ${err instanceof Error ? err.stack : err}\n`);
    process.exit(1);
  });
}

/** Replaces everything above the first section (title, machine, date, how to reproduce). */
export function writeHeader(markdown: string, file = BENCHMARKS_MD): void {
  const text = existsSync(file) ? readFileSync(file, 'utf8') : '';
  const first = text.indexOf('<!-- bench:');
  const body = first >= 0 ? text.slice(first) : '';
  const tmp = `${file}.tmp`;
  writeFileSync(tmp, `${markdown.trim()}\n\n${body}`.trimEnd() + '\n');
  renameSync(tmp, file);
}

const HEADER = `# Benchmarks

Switchyard side by side with ConnMan's connmand 1.41, on the same machine, in the same run, in the same
network-namespace lab (test/harness). Figures are medians with the range over the runs in brackets;
ratios compare medians. \`npm run bench\` reruns everything and rewrites this file; each section says
which script made it.
`;
