// Labs must never outlive their test run: each live lab is recorded here, and a synchronous sweep runs
// on process exit (including after an uncaught exception) and on SIGINT/SIGTERM/SIGHUP. The normal,
// graceful path is Lab.teardown(); this is the safety net behind it.
import { spawnSync } from 'node:child_process';
import { readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isAlive, killGroup } from './proc';

export const LAB_PREFIX = 'sy-';
/** sy-<owner pid>-<random hex>-near|far, shared with test/harness/capture-reference.sh. */
const NS_PATTERN = /^sy-(\d+)-[0-9a-f]+-(near|far)$/;
const DIR_PATTERN = /^sy-(\d+)-[0-9a-f]+\./;

export interface LabRecord {
  namespaces: string[];
  dir: string;
  /** Process-group leaders to kill; read at sweep time, so later additions count. */
  pids: () => (number | undefined)[];
}

const live = new Set<LabRecord>();
let installed = false;

export function register(rec: LabRecord): void {
  installHandlers();
  live.add(rec);
}

export function unregister(rec: LabRecord): void {
  live.delete(rec);
}

function sleepSync(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

export function sweepSync(rec: LabRecord): void {
  const pids = rec.pids().filter((p): p is number => p !== undefined);
  for (const p of pids) killGroup(p, 'SIGTERM');
  if (pids.some(isAlive)) sleepSync(300);
  for (const p of pids) killGroup(p, 'SIGKILL');
  for (const ns of rec.namespaces) killNamespace(ns);
  rmSync(rec.dir, { recursive: true, force: true });
  live.delete(rec);
}

/** Kills whatever still runs inside a namespace, then deletes it. */
function killNamespace(ns: string): void {
  const pids = spawnSync('ip', ['netns', 'pids', ns], { encoding: 'utf8' }).stdout ?? '';
  for (const p of pids.split(/\s+/).filter(Boolean)) killGroup(Number(p), 'SIGKILL');
  spawnSync('ip', ['netns', 'del', ns], { stdio: 'ignore' });
}

function installHandlers(): void {
  if (installed) return;
  installed = true;
  process.on('exit', () => {
    for (const rec of [...live]) sweepSync(rec);
  });
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.on(sig, () => {
      // Someone else (the lab CLI) handles this signal and tears down gracefully.
      if (process.listenerCount(sig) > 1) return;
      for (const rec of [...live]) sweepSync(rec);
      process.exit(128 + (sig === 'SIGHUP' ? 1 : sig === 'SIGINT' ? 2 : 15));
    });
  }
}

/**
 * Removes namespaces and temp dirs left by labs whose owning process is gone (a crash, a SIGKILL).
 * Labs of live processes, including concurrent test files, are left alone.
 */
export function reapStaleLabs(): string[] {
  const removed: string[] = [];
  const list = spawnSync('ip', ['netns', 'list'], { encoding: 'utf8' }).stdout ?? '';
  for (const line of list.split('\n')) {
    const name = line.split(' ')[0];
    const m = NS_PATTERN.exec(name);
    if (!m || isAlive(Number(m[1]))) continue;
    killNamespace(name);
    removed.push(name);
  }
  for (const entry of readdirSync(tmpdir())) {
    const m = DIR_PATTERN.exec(entry);
    if (!m || isAlive(Number(m[1]))) continue;
    rmSync(join(tmpdir(), entry), { recursive: true, force: true });
    removed.push(join(tmpdir(), entry));
  }
  return removed;
}
