// The saved services under the state directory, typed. Core calls this; it never sees a KeyFile.
// Discovery follows connman_storage_get_services: a subdirectory is a service when it holds a `settings`
// file and its name does not start with `provider_` (those belong to the VPN daemon).
import * as fs from 'node:fs';
import * as path from 'node:path';
import { KeyFile, KeyFileError } from './keyfile';
import { writeFileAtomic } from './atomic-write';
import { DecodeOptions, ServiceSettings, decodeServiceSettings, encodeServiceSettings } from './service-settings';

export interface StoreProblem { file: string; line?: number; message: string }
export type ProblemSink = (p: StoreProblem) => void;

const stderrSink: ProblemSink = (p) => process.stderr.write(`switchyardd: ignoring ${p.file}${p.line ? `:${p.line}` : ''}: ${p.message}\n`);

export class ServiceStore {
  constructor(readonly dir: string, private readonly onProblem: ProblemSink = stderrSink) {}

  /** Identifiers of every saved service, sorted so start-up order does not depend on readdir. */
  ids(): string[] {
    let entries: fs.Dirent[];
    try { entries = fs.readdirSync(this.dir, { withFileTypes: true }); } catch { return []; }
    return entries
      .filter((e) => (e.isDirectory() || e.isSymbolicLink()) && !e.name.startsWith('provider_') && !e.name.startsWith('.'))
      .filter((e) => fs.existsSync(path.join(this.dir, e.name, 'settings')))
      .map((e) => e.name)
      .sort();
  }

  /** The settings of one service; undefined when absent, unreadable or corrupt (the latter reported). */
  load(id: string, opts: DecodeOptions = {}): ServiceSettings | undefined {
    const kf = this.readKeyFile(id);
    return kf ? decodeServiceSettings(kf, id, opts) : undefined;
  }

  /** Every service that loads; a corrupt one is reported and skipped, never fatal. */
  loadAll(provisioned: (id: string) => boolean = () => false): ServiceSettings[] {
    const out: ServiceSettings[] = [];
    for (const id of this.ids()) {
      const s = this.load(id, { provisioned: provisioned(id) });
      if (s) out.push(s);
    }
    return out;
  }

  /** Rewrites `<id>/settings` from scratch, atomically; the directory is created 0700 if new. */
  save(s: ServiceSettings): void {
    if (!isSafeId(s.id)) throw new Error(`refusing to save service with identifier "${s.id}"`);
    const d = path.join(this.dir, s.id);
    fs.mkdirSync(d, { recursive: true, mode: 0o700 });
    writeFileAtomic(path.join(d, 'settings'), encodeServiceSettings(s).toString());
  }

  /**
   * Service.Remove(): connmand keeps the directory and rewrites the file with Favorite=false, no
   * passphrase and IPv6 privacy reset. Returns what was written, or undefined if nothing was saved.
   */
  forget(id: string): ServiceSettings | undefined {
    const s = this.load(id);
    if (!s) return undefined;
    const f: ServiceSettings = { ...s, favorite: false };
    delete f.passphrase;
    if (f.ipv6) f.ipv6 = { ...f.ipv6, privacy: 'disabled' };
    this.save(f);
    return f;
  }

  /**
   * Deletes the directory, as connmand does only for a provisioned service whose config is gone:
   * settings, then data, then rmdir (which fails, and is reported, when other files such as history remain).
   */
  delete(id: string): boolean {
    if (!isSafeId(id)) return false;
    const d = path.join(this.dir, id);
    try {
      fs.rmSync(path.join(d, 'settings'), { force: true });
      fs.rmSync(path.join(d, 'data'), { force: true });
      fs.rmdirSync(d);
      return true;
    } catch (e) {
      this.onProblem({ file: d, message: `cannot remove: ${(e as Error).message}` });
      return false;
    }
  }

  private readKeyFile(id: string): KeyFile | undefined {
    if (!isSafeId(id)) return undefined;
    const file = path.join(this.dir, id, 'settings');
    let text: string;
    try { text = fs.readFileSync(file, 'utf8'); } catch (e) {
      const err = e as NodeJS.ErrnoException;
      if (err.code !== 'ENOENT') this.onProblem({ file, message: err.message });
      return undefined;
    }
    try { return KeyFile.parse(text); } catch (e) {
      if (e instanceof KeyFileError) this.onProblem({ file, line: e.line, message: e.detail });
      else this.onProblem({ file, message: (e as Error).message });
      return undefined;
    }
  }
}

/** A service identifier is one path component; anything that could climb out of the state dir is refused. */
export function isSafeId(id: string): boolean {
  return id !== '' && id !== '.' && id !== '..' && !id.includes('/') && !id.includes('\0');
}
