// `npm test`: every tier in order (native engines, unit, integration, vm guests), one summary at the end.
// A tier that cannot run, or that has no tests at all, counts as a failure: silence is not a pass.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';

const REPO = join(__dirname, '..', '..');
const DIST_TEST = join(REPO, 'dist', 'test');
const ROOT_REASON = 'needs root for network namespaces';

interface SuiteResult {
  name: string;
  passed: number;
  failed: number;
  skipped: number;
  skipReasons: string[];
  /** Why the suite could not run or could not be counted. */
  error?: string;
}

function newResult(name: string): SuiteResult {
  return { name, passed: 0, failed: 0, skipped: 0, skipReasons: [] };
}

/** Runs a command with its output passed through to ours; resolves with exit code and stdout. */
function tee(argv: string[], env: NodeJS.ProcessEnv = process.env): Promise<{ code: number; stdout: string }> {
  return new Promise((resolve) => {
    const child = spawn(argv[0], argv.slice(1), { cwd: REPO, env, stdio: ['ignore', 'pipe', 'inherit'] });
    let stdout = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      stdout += d;
      process.stdout.write(d);
    });
    child.on('error', (err) => resolve({ code: 127, stdout: stdout + String(err) }));
    child.on('close', (code, signal) => resolve({ code: code ?? (signal ? 128 : 1), stdout }));
  });
}

function findTests(dir: string): string[] {
  if (!existsSync(dir)) return [];
  const out: string[] = [];
  for (const entry of readdirSync(dir)) {
    const p = join(dir, entry);
    if (statSync(p).isDirectory()) out.push(...findTests(p));
    else if (entry.endsWith('.test.js')) out.push(p);
  }
  return out.sort();
}

/** libFuzzer targets: each replays its seed corpus (CVE inputs among them) and fuzzes briefly. The long
 * runs that issues ask for are made by hand with native/fuzz/run.sh SECONDS. */
async function fuzzSuite(seconds: number): Promise<SuiteResult> {
  const r = newResult('fuzz');
  const { code, stdout } = await tee(['sh', join(REPO, 'native', 'fuzz', 'run.sh'), String(seconds)]);
  const counts = [...stdout.matchAll(/^fuzz: (\d+) passed, (\d+) failed/gm)].pop();
  if (!counts) return { ...r, error: `no "fuzz: N passed, N failed" line (exit ${code})` };
  r.passed = Number(counts[1]);
  r.failed = Number(counts[2]);
  if (r.passed + r.failed === 0) r.error = 'no fuzz targets ran';
  return r;
}

async function nativeSuite(): Promise<SuiteResult> {
  const r = newResult('native');
  const script = join(REPO, 'test', 'native', 'run.sh');
  if (!existsSync(script)) return { ...r, error: 'test/native/run.sh is missing' };
  const { code, stdout } = await tee(['bash', script]);
  const counts = [...stdout.matchAll(/^native: (\d+) passed, (\d+) failed/gm)].pop();
  if (!counts) return { ...r, error: `no "native: N passed, N failed" line (exit ${code})` };
  r.passed = Number(counts[1]);
  r.failed = Number(counts[2]);
  if (r.passed + r.failed === 0) r.error = 'no native tests ran';
  else if (code !== 0 && r.failed === 0) r.error = `run.sh exited ${code} with no failure counted`;
  return r;
}

/** Counts from node's TAP reporter: the summary comments, plus the reason of every skipped test. */
function parseTap(tap: string, r: SuiteResult): boolean {
  const num = (key: string) => Number(new RegExp(`^# ${key} (\\d+)$`, 'm').exec(tap)?.[1] ?? NaN);
  const [pass, fail, cancelled, skipped, todo] = ['pass', 'fail', 'cancelled', 'skipped', 'todo'].map(num);
  if ([pass, fail, cancelled, skipped].some(Number.isNaN)) return false;
  r.passed += pass;
  r.failed += fail + cancelled;
  r.skipped += skipped + (Number.isNaN(todo) ? 0 : todo);
  for (const m of tap.matchAll(/^\s*ok \d+ - (.*?) # (SKIP|TODO)\s*(.*)$/gm)) {
    r.skipReasons.push(`${m[1]}: ${m[3] || m[2].toLowerCase()}`);
  }
  return true;
}

async function nodeSuite(name: string, dir: string, extraArgs: string[]): Promise<SuiteResult> {
  const r = newResult(name);
  const files = findTests(dir);
  if (files.length === 0) return { ...r, error: `no *.test.js under ${relative(REPO, dir)} (was the project built?)` };
  const tmp = mkdtempSync(join(tmpdir(), 'run-all-'));
  try {
    const tapFile = join(tmp, 'report.tap');
    const { code } = await tee([process.execPath, '--test', ...extraArgs,
      '--test-reporter=spec', '--test-reporter-destination=stdout',
      '--test-reporter=tap', `--test-reporter-destination=${tapFile}`, ...files]);
    const tap = existsSync(tapFile) ? readFileSync(tapFile, 'utf8') : '';
    if (!parseTap(tap, r)) return { ...r, error: `node --test produced no summary (exit ${code})` };
    if (r.passed + r.failed + r.skipped === 0) r.error = 'no tests ran';
    else if (code !== 0 && r.failed === 0) r.error = `node --test exited ${code} with no failure counted`;
    return r;
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

async function integrationSuite(): Promise<SuiteResult> {
  const dir = join(DIST_TEST, 'integration');
  if (process.getuid?.() !== 0) {
    const files = findTests(dir);
    const r = newResult('integration');
    if (files.length === 0) return { ...r, error: 'no *.test.js under dist/test/integration' };
    r.skipped = files.length;
    r.skipReasons = files.map((f) => `${relative(DIST_TEST, f)}: ${ROOT_REASON}`);
    return r;
  }
  return nodeSuite('integration', dir, ['--test-concurrency=1']);
}

/**
 * Guest tests (test/vm): a QEMU guest per file, two at a time (a guest mostly waits on timers, scans and
 * handshakes, so two share two cores well; the Wi-Fi scenarios are split over two files for this); root
 * for 9p passthrough.
 */
async function vmSuite(): Promise<SuiteResult> {
  const dir = join(DIST_TEST, 'vm');
  if (process.getuid?.() !== 0) {
    const r = newResult('vm');
    r.skipped = findTests(dir).length;
    r.skipReasons = findTests(dir).map((f) => `${relative(DIST_TEST, f)}: needs root for the guest's 9p root`);
    return r;
  }
  return nodeSuite('vm', dir, ['--test-concurrency=2']);
}

function header(title: string): void {
  process.stdout.write(`\n======== ${title} ========\n`);
}

async function main(): Promise<number> {
  const results: SuiteResult[] = [];
  header('native engine tests (test/native/run.sh)');
  results.push(await nativeSuite());
  header('fuzz targets: seed replay and a short run each (native/fuzz/run.sh)');
  results.push(await fuzzSuite(Number(process.env.SY_FUZZ_SECONDS ?? 15)));
  header('unit tests (dist/test/unit)');
  results.push(await nodeSuite('unit', join(DIST_TEST, 'unit'), []));
  header('integration tests (dist/test/integration)');
  results.push(await integrationSuite());
  header('guest tests (dist/test/vm)');
  results.push(await vmSuite());

  header('summary');
  for (const r of results) {
    const skipped = r.skipped ? `, ${r.skipped} skipped` : '';
    process.stdout.write(`${r.name}: ${r.passed} passed, ${r.failed} failed${skipped}${r.error ? ` -- ERROR: ${r.error}` : ''}\n`);
    for (const reason of r.skipReasons) process.stdout.write(`  skipped ${reason}\n`);
  }
  const total = (k: 'passed' | 'failed' | 'skipped') => results.reduce((n, r) => n + r[k], 0);
  const broken = results.filter((r) => r.error).length;
  process.stdout.write(`${total('passed')} passed, ${total('failed') + broken} failed, ${total('skipped')} skipped\n`);
  return total('failed') + broken > 0 ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (err) => {
    process.stderr.write(`run-all: ${(err as Error).stack ?? err}\n`);
    process.exit(2);
  },
);
