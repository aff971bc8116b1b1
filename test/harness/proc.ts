// Child processes for the lab: one-shot commands with a deadline, and long-running helpers that live
// in their own process group so a single kill reaches everything they spawned.
import { spawn, ChildProcess } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';

export interface RunResult {
  argv: string[];
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  timedOut: boolean;
}

export interface RunOptions {
  timeoutMs?: number;
  env?: NodeJS.ProcessEnv;
}

export function run(argv: string[], opts: RunOptions = {}): Promise<RunResult> {
  const timeoutMs = opts.timeoutMs ?? 20_000;
  return new Promise((resolve) => {
    const child = spawn(argv[0], argv.slice(1), {
      env: opts.env ?? process.env,
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const timer = setTimeout(() => {
      timedOut = true;
      killGroup(child.pid, 'SIGKILL');
    }, timeoutMs);
    child.on('error', (err) => {
      clearTimeout(timer);
      resolve({ argv, code: null, signal: null, stdout, stderr: stderr + String(err), timedOut });
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ argv, code, signal, stdout, stderr, timedOut });
    });
  });
}

/** Runs a command that must succeed; the error carries its stderr so a failed setup explains itself. */
export async function runOk(argv: string[], opts: RunOptions = {}): Promise<string> {
  const r = await run(argv, opts);
  if (r.code !== 0) throw new Error(describeFailure(r));
  return r.stdout;
}

export function describeFailure(r: RunResult): string {
  const how = r.timedOut ? 'timed out' : r.signal ? `killed by ${r.signal}` : `exited ${r.code}`;
  return `${r.argv.join(' ')} ${how}\n${r.stderr.trim()}${r.stdout.trim() ? '\n' + r.stdout.trim() : ''}`;
}

export function killGroup(pid: number | undefined, signal: NodeJS.Signals): void {
  if (pid === undefined) return;
  try {
    process.kill(-pid, signal);
  } catch {
    try {
      process.kill(pid, signal);
    } catch {
      // already gone
    }
  }
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** A helper process (dnsmasq, dbus-daemon, the daemon under test) with its output in files. */
export class Background {
  readonly child: ChildProcess;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  private done = false;

  constructor(
    readonly name: string,
    argv: string[],
    readonly stdoutPath: string,
    readonly stderrPath: string,
    env: NodeJS.ProcessEnv = process.env,
  ) {
    const out = openSync(stdoutPath, 'a');
    const err = openSync(stderrPath, 'a');
    try {
      this.child = spawn(argv[0], argv.slice(1), { env, stdio: ['ignore', out, err], detached: true });
    } finally {
      closeSync(out);
      closeSync(err);
    }
    this.exited = new Promise((resolve) => {
      this.child.on('error', () => {
        this.done = true;
        resolve({ code: null, signal: null });
      });
      this.child.on('exit', (code, signal) => {
        this.done = true;
        resolve({ code, signal });
      });
    });
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  get running(): boolean {
    return !this.done;
  }

  /** SIGTERM to the whole group, SIGKILL after graceMs; resolves once the leader has exited. */
  async stop(graceMs = 5000): Promise<void> {
    if (this.done) {
      killGroup(this.pid, 'SIGKILL'); // stragglers the leader left behind
      return;
    }
    killGroup(this.pid, 'SIGTERM');
    const timer = setTimeout(() => killGroup(this.pid, 'SIGKILL'), graceMs);
    await this.exited;
    clearTimeout(timer);
    killGroup(this.pid, 'SIGKILL');
  }
}
