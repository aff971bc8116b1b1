// `npm run bench`: runs every benchmark in dist/bench/ one after the other and rewrites BENCHMARKS.md
// (its header, then each section). A script exporting `bench` (see lib.ts) is run in this process and
// its section written here; any other script is run as a child process and writes its own section.
// Usage: node dist/bench/run-all.js [--runs N] [--only name[,name]] [--skip name[,name]] [--soak-minutes N]
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Bench, BenchOptions, machine, numberFlag, REPO_ROOT, writeHeader, writeSection } from './lib';

const DIST_BENCH = __dirname;
/** not benchmarks: this runner and the shared helpers */
const NOT_BENCHES = new Set(['run-all', 'lib', 'wifi-scale-daemon']);
/** the order of sections in BENCHMARKS.md; scripts not named here follow in name order */
const ORDER = ['startup', 'memory-map', 'dhcp4-ready', 'failover', 'dns-cache', 'dns-scale', 'soak', 'wifi-connect', 'wifi-scale', 'sessions'];

function listFlag(args: string[], flag: string): string[] | undefined {
  const i = args.indexOf(flag);
  return i < 0 ? undefined : (args[i + 1] ?? '').split(',').filter(Boolean);
}

/** Benchmark scripts present in dist/bench, in section order. */
export function discover(dir = DIST_BENCH): string[] {
  const names = readdirSync(dir).filter((f) => f.endsWith('.js')).map((f) => f.slice(0, -3))
    .filter((n) => !NOT_BENCHES.has(n));
  const rank = (n: string) => (ORDER.includes(n) ? ORDER.indexOf(n) : ORDER.length);
  return names.sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
}

/**
 * Whether the compiled script follows the convention. Decided from its text, not by loading it: a
 * script without the export may start its work as soon as it is required.
 */
function exportsBench(file: string): boolean {
  return /^exports\.bench = /m.test(readFileSync(file, 'utf8'));
}

function runChild(file: string, opts: BenchOptions): Promise<number> {
  const text = readFileSync(file, 'utf8');
  const argv = [file];
  // Only flags the script reads are passed: some take positional arguments instead.
  if (opts.runs && text.includes("'--runs'")) argv.push('--runs', String(opts.runs));
  if (opts.soakMinutes && text.includes("'--soak-minutes'")) argv.push('--soak-minutes', String(opts.soakMinutes));
  return new Promise((resolve) => {
    const child = spawn(process.execPath, argv, { stdio: 'inherit', cwd: REPO_ROOT });
    child.on('exit', (code, signal) => resolve(code ?? (signal ? 128 : 1)));
  });
}

function header(opts: BenchOptions): string {
  const flags = [opts.runs ? `--runs ${opts.runs}` : '', opts.soakMinutes ? `--soak-minutes ${opts.soakMinutes}` : '']
    .filter(Boolean).join(' ');
  return `# Benchmarks

Switchyard side by side with ConnMan's connmand 1.41, on the same machine, in the same run, in the same
network-namespace lab (test/harness). Figures are medians with the range over the runs in brackets;
ratios compare medians. Each section says which script made it and how many runs it has.

- Machine: ${machine()}.
- Last full run: ${new Date().toISOString().slice(0, 10)}${flags ? ` (\`${flags}\`)` : ''}. A section rerun on its own
  keeps the machine line it was measured on.
- Reproduce (as root, Debian 12, the packages of \`.ci/run\`): \`npm ci && npm run build && npm run bench\`.
  Options: \`--runs N\` (runs per daemon), \`--only name[,name]\` / \`--skip name[,name]\` (script names in
  bench/), \`--soak-minutes N\` (default 10). One script alone: \`node dist/bench/<name>.js\`.`;
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const runs = numberFlag(args, '--runs');
  const opts: BenchOptions = { runs: runs && Math.round(runs), soakMinutes: numberFlag(args, '--soak-minutes') };
  const only = listFlag(args, '--only');
  const skip = listFlag(args, '--skip') ?? [];
  const all = discover();
  for (const n of [...(only ?? []), ...skip]) if (!all.includes(n)) throw new Error(`no benchmark named ${n} (have: ${all.join(', ')})`);
  const chosen = all.filter((n) => (!only || only.includes(n)) && !skip.includes(n));

  const results: { name: string; ok: boolean; how: string; seconds: number }[] = [];
  for (const name of chosen) {
    const file = join(DIST_BENCH, `${name}.js`);
    const t0 = performance.now();
    process.stderr.write(`\n=== bench ${name}\n`);
    let ok = false;
    let how = 'in process';
    try {
      if (exportsBench(file)) {
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        const b = (require(file) as { bench: Bench }).bench;
        const md = await b.run(opts);
        writeSection(b.id, md);
        ok = true;
      } else {
        how = 'child process';
        const code = await runChild(file, opts);
        ok = code === 0;
        if (!ok) process.stderr.write(`bench ${name} exited with status ${code}\n`);
      }
    } catch (e) {
      process.stderr.write(`bench ${name} failed: ${e instanceof Error ? e.stack : e}\n`);
    }
    results.push({ name, ok, how, seconds: (performance.now() - t0) / 1000 });
  }
  // The header is written last so it carries the date of a run that got through.
  if (!only && existsSync(DIST_BENCH)) writeHeader(header(opts));
  process.stderr.write('\n');
  for (const r of results) process.stderr.write(`${r.ok ? 'ok    ' : 'FAILED'} ${r.name} (${r.how}, ${r.seconds.toFixed(0)} s)\n`);
  const failed = results.filter((r) => !r.ok).length;
  process.stderr.write(`bench: ${results.length - failed} ok, ${failed} failed; sections of failed benchmarks were left as they were\n`);
  process.exit(failed ? 1 : 0);
}

if (require.main === module) {
  main().catch((err) => {
    process.stderr.write(`bench: ${err instanceof Error ? err.stack : err}\n`);
    process.exit(1);
  });
}
