// ConnMan's on-disk layout under the state directory: `settings` (global and per-technology groups) and
// one `<service-id>/settings` per saved service. Everything is written through writeFileAtomic.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { KeyFile, KeyFileError } from './keyfile';
import type { ProblemSink } from './service-store';
import { sweepInterruptedWrites, writeFileAtomic } from './atomic-write';

/** What core needs from storage; a memory implementation backs unit tests. */
export interface Store {
  loadGlobal(): KeyFile;
  saveGlobal(kf: KeyFile): void;
  loadService(id: string): KeyFile | undefined;
  saveService(id: string, kf: KeyFile): void;
}

export class FileStore implements Store {
  constructor(readonly dir: string, private readonly onProblem?: ProblemSink) {
    // ConnMan creates STORAGEDIR 0755, then umask 0077 for everything below it.
    fs.mkdirSync(dir, { recursive: true, mode: 0o755 });
    sweepInterruptedWrites(dir);
  }

  loadGlobal(): KeyFile { return this.read(path.join(this.dir, 'settings')) ?? new KeyFile(); }
  saveGlobal(kf: KeyFile): void { writeFileAtomic(path.join(this.dir, 'settings'), kf.toString()); }

  loadService(id: string): KeyFile | undefined { return this.read(path.join(this.dir, id, 'settings')); }
  saveService(id: string, kf: KeyFile): void {
    const d = path.join(this.dir, id);
    fs.mkdirSync(d, { recursive: true, mode: 0o700 });
    writeFileAtomic(path.join(d, 'settings'), kf.toString());
  }

  private read(file: string): KeyFile | undefined {
    let text: string;
    try { text = fs.readFileSync(file, 'utf8'); } catch { return undefined; }
    try { return KeyFile.parse(text); } catch (e) {
      // A corrupt state file must not stop the daemon; ConnMan starts over with an empty keyfile too.
      const line = e instanceof KeyFileError ? e.line : undefined;
      const message = e instanceof KeyFileError ? e.detail : (e as Error).message;
      if (this.onProblem) this.onProblem({ file, line, message });
      else process.stderr.write(`switchyardd: ignoring ${file}${line ? `:${line}` : ''}: ${message}\n`);
      return undefined;
    }
  }
}

export class MemoryStore implements Store {
  global = '';
  services = new Map<string, string>();
  loadGlobal(): KeyFile { return KeyFile.parse(this.global); }
  saveGlobal(kf: KeyFile): void { this.global = kf.toString(); }
  loadService(id: string): KeyFile | undefined {
    const t = this.services.get(id);
    return t === undefined ? undefined : KeyFile.parse(t);
  }
  saveService(id: string, kf: KeyFile): void { this.services.set(id, kf.toString()); }
}

/** `Modified` is local time printed with a literal Z, as ConnMan does (not UTC). */
export function connmanTimestamp(d: Date): string {
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}T${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}Z`;
}
