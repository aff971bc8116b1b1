// node:test side of the guest runner: boots a throw-away QEMU guest through run-in-guest.sh, runs a
// shell script in it as root and hands back its output, exit status, timing and any files the script
// left in $VM_RESULTS. See run-in-guest.sh for what the guest looks like.
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { run } from '../harness/proc';

export const REPO_ROOT = join(__dirname, '..', '..', '..');
const RUNNER = join(REPO_ROOT, 'test', 'vm', 'run-in-guest.sh');
/** Guest-side shell helpers (hwsim radios, hostapd, dnsmasq, dbus); scripts source it. */
export const GUEST_LIB = join(REPO_ROOT, 'test', 'vm', 'guest-lib.sh');

export interface GuestOptions {
  /** Whole run (boot + script + power-off), seconds. */
  timeoutS?: number;
  /** Mirror the guest console on our stderr while it runs. */
  verbose?: boolean;
  /** Keep the results directory (its path is in the result) instead of removing it. */
  keep?: boolean;
}

export interface GuestResult {
  /** The script's exit status; 124 on timeout, 125 when the guest reported none. */
  status: number;
  /** The script's stdout and stderr, interleaved. */
  output: string;
  /** run-in-guest.sh's own stderr (timeouts, the console tail on failure). */
  runnerLog: string;
  /** Wall time from starting qemu until the script began, as seen by the host. */
  bootS?: number;
  totalS?: number;
  /** Files the script wrote to $VM_RESULTS, read lazily (the directory is gone unless keep). */
  files: Record<string, string>;
  resultsDir: string;
}

function parseTiming(text: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const m of text.matchAll(/^(\w+)=([\d.]+)$/gm)) out[m[1]] = Number(m[2]);
  return out;
}

/** Runs `script` (shell text; a #! line picks another interpreter) inside a fresh guest. */
export async function runInGuest(script: string, opts: GuestOptions = {}): Promise<GuestResult> {
  const timeoutS = opts.timeoutS ?? 120;
  const resultsDir = mkdtempSync(join(tmpdir(), 'sy-vm-'));
  const jobFile = join(resultsDir, 'job.in');
  writeFileSync(jobFile, script.startsWith('#!') ? script : `#!/bin/sh\n${script}`, { mode: 0o755 });
  try {
    const argv = ['bash', RUNNER, '--timeout', String(timeoutS), '--results', resultsDir,
      ...(opts.verbose ? ['--verbose'] : []), jobFile];
    // The runner enforces the timeout itself; ours only catches a runner that hangs outside qemu.
    const r = await run(argv, { timeoutMs: (timeoutS + 60) * 1000 });
    const timing = parseTiming(existsSync(join(resultsDir, 'timing')) ? readFileSync(join(resultsDir, 'timing'), 'utf8') : '');
    const files: Record<string, string> = {};
    for (const name of readdirSafe(resultsDir)) {
      if (['job', 'job.in', 'cwd', 'output', 'status', 'timing'].includes(name)) continue;
      try { files[name] = readFileSync(join(resultsDir, name), 'utf8'); } catch { /* a directory */ }
    }
    return {
      status: r.timedOut ? 124 : r.code ?? 125,
      output: existsSync(join(resultsDir, 'output')) ? readFileSync(join(resultsDir, 'output'), 'utf8') : r.stdout,
      runnerLog: r.stderr,
      bootS: timing.boot_s,
      totalS: timing.total_s,
      files,
      resultsDir,
    };
  } finally {
    if (!opts.keep) rmSync(resultsDir, { recursive: true, force: true });
  }
}

function readdirSafe(dir: string): string[] {
  try { return readdirSync(dir); } catch { return []; }
}

/** `KEY=value` lines a guest script printed (the last one wins), for assertions on one boot's facts. */
export function facts(output: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const m of output.matchAll(/^FACT ([A-Za-z0-9_]+)=(.*)$/gm)) out[m[1]] = m[2];
  return out;
}

/** Whether this machine can run guests at all (root, for 9p passthrough and package installs). */
export function guestSkipReason(): string | undefined {
  if (process.getuid?.() !== 0) return 'needs root (9p passthrough of the host root, apt-get)';
  return undefined;
}

export interface GuestTestCase { name: string; ok: boolean; skipped: boolean; detail: string; skipReason?: string }

/** Top-level results of a node:test TAP stream printed inside the guest. */
export function parseGuestTap(output: string): GuestTestCase[] {
  const cases: GuestTestCase[] = [];
  const lines = output.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const m = /^(not ok|ok) \d+ - (.*?)(?: # (SKIP|TODO)\s*(.*))?$/.exec(lines[i]);
    if (!m) continue;
    const detail: string[] = [];
    if (lines[i + 1] === '  ---') {
      for (i += 2; i < lines.length && lines[i] !== '  ...'; i++) detail.push(lines[i]);
    }
    cases.push({ name: m[2], ok: m[1] === 'ok', skipped: m[3] !== undefined, detail: detail.join('\n'), skipReason: m[4] || undefined });
  }
  return cases;
}

/** A guest script: `setup` (shell), then node --test on a compiled guest-side file, TAP on stdout. */
export function nodeTestScript(setup: string, compiledFile: string): string {
  return `${setup}\nexec node --test --test-reporter=tap ${compiledFile}\n`;
}
