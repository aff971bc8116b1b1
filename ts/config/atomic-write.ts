import * as fs from 'node:fs';
import * as path from 'node:path';

/**
 * Replaces `file` so that a crash leaves either the old or the new content, never a torn file:
 * temporary file in the same directory, fsync, rename over, then fsync the directory so the rename
 * itself is durable. Mode 0600 matches ConnMan's umask(0077) for state files.
 */
export function writeFileAtomic(file: string, data: string | Buffer, mode = 0o600): void {
  const dir = path.dirname(file);
  const tmp = path.join(dir, `.${path.basename(file)}.${process.pid}.${Date.now()}.tmp`);
  const fd = fs.openSync(tmp, 'wx', mode);
  try {
    fs.writeFileSync(fd, data);
    fs.fsyncSync(fd);
  } catch (e) {
    fs.closeSync(fd);
    fs.rmSync(tmp, { force: true });
    throw e;
  }
  fs.closeSync(fd);
  try {
    fs.renameSync(tmp, file);
  } catch (e) {
    fs.rmSync(tmp, { force: true });
    throw e;
  }
  const dfd = fs.openSync(dir, 'r');
  try { fs.fsyncSync(dfd); } finally { fs.closeSync(dfd); }
}

const TEMPORARY = /^\.(.+)\.(\d+)\.(\d+)\.tmp$/;

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Removes the temporary files that writes interrupted by a crash or SIGKILL left in `dir` and in its
 * direct subdirectories (one per saved service). The target files themselves are intact by
 * construction; only the half-written copies go. A file whose writer is still alive is left alone, so a
 * second instance starting by mistake cannot break the running daemon's save. Returns what was removed.
 */
export function sweepInterruptedWrites(dir: string): string[] {
  const removed: string[] = [];
  const sweep = (d: string) => {
    let names: string[];
    try { names = fs.readdirSync(d); } catch { return; }
    for (const name of names) {
      const m = TEMPORARY.exec(name);
      if (!m || processAlive(Number(m[2]))) continue;
      try {
        fs.rmSync(path.join(d, name), { force: true });
        removed.push(path.join(d, name));
      } catch {
        // unreadable or vanished: nothing to do at start-up
      }
    }
  };
  sweep(dir);
  let entries: fs.Dirent[] = [];
  try { entries = fs.readdirSync(dir, { withFileTypes: true }); } catch { /* no state dir yet */ }
  for (const e of entries) if (e.isDirectory()) sweep(path.join(dir, e.name));
  return removed;
}
