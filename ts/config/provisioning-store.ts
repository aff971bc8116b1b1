// The watched set of provisioning files. The state directory is watched (fs.watch = inotify) and a
// burst of events for the same file (an editor's write, rename, chmod) is folded into one reload after
// a short quiet period. 'changed' reports which files were added, changed or removed, with the full
// current set, so core can re-provision, and at start-up drop services whose Config.file/ident is gone.
import { EventEmitter } from 'node:events';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { MatchCandidate, ProvisionedService, ProvisioningFile, ProvisioningProblem, matches, parseProvisioningFile } from './provisioning';

export interface ProvisioningChange { added: string[]; changed: string[]; removed: string[] }

export interface ProvisioningStoreEvents {
  changed: [ProvisioningChange];
  problem: [ProvisioningProblem];
}

export class ProvisioningStore extends EventEmitter<ProvisioningStoreEvents> {
  private files = new Map<string, { text: string; config: ProvisioningFile }>();
  private watcher?: fs.FSWatcher;
  private timer?: NodeJS.Timeout;

  constructor(readonly dir: string, private readonly debounceMs = 200) { super(); }

  /** Loads every *.config now (problems are emitted, never thrown) and starts watching. */
  start(): void {
    this.reload(false);
    try {
      this.watcher = fs.watch(this.dir, { persistent: false }, (_ev, name) => {
        if (name && !String(name).endsWith('.config')) return;
        clearTimeout(this.timer);
        this.timer = setTimeout(() => this.reload(true), this.debounceMs);
      });
      this.watcher.on('error', (e) => this.emit('problem', { file: this.dir, message: `watch failed: ${e.message}`, fatal: false }));
    } catch (e) {
      this.emit('problem', { file: this.dir, message: `cannot watch: ${(e as Error).message}`, fatal: false });
    }
  }

  stop(): void {
    clearTimeout(this.timer);
    this.watcher?.close();
    this.watcher = undefined;
  }

  /** Every provisioned service section, file by file in name order. */
  get services(): ProvisionedService[] {
    return [...this.files.keys()].sort().flatMap((f) => this.files.get(f)!.config.services);
  }

  get configs(): ProvisioningFile[] { return [...this.files.values()].map((f) => f.config); }

  /** The section matching a service, if any (first file, first section wins, as connmand iterates). */
  match(c: MatchCandidate): ProvisionedService | undefined {
    return this.services.find((p) => matches(p, c));
  }

  /** Whether `Config.file` / `Config.ident` from a saved service still resolve. */
  resolves(file: string, ident: string): boolean {
    return this.files.get(file)?.config.services.some((s) => s.ident === ident) ?? false;
  }

  /** Re-reads the directory now; emits 'changed' when anything differs (and `notify`). */
  reload(notify = true): ProvisioningChange {
    const next = new Map<string, { text: string; config: ProvisioningFile }>();
    let names: string[] = [];
    try { names = fs.readdirSync(this.dir).filter((n) => n.endsWith('.config') && n.length > '.config'.length); } catch { /* no dir yet */ }
    for (const n of names.sort()) {
      let text: string;
      try {
        const p = path.join(this.dir, n);
        if (!fs.statSync(p).isFile()) continue;
        text = fs.readFileSync(p, 'utf8');
      } catch (e) {
        this.emit('problem', { file: n, message: (e as Error).message, fatal: true });
        continue;
      }
      const key = n.replace(/\.config$/, '');
      const prev = this.files.get(key);
      if (prev && prev.text === text) { next.set(key, prev); continue; }
      const { config, problems } = parseProvisioningFile(text, n);
      for (const p of problems) this.emit('problem', p);
      next.set(key, { text, config });
    }
    const change: ProvisioningChange = { added: [], changed: [], removed: [] };
    for (const [k, v] of next) {
      const prev = this.files.get(k);
      if (!prev) change.added.push(k);
      else if (prev.text !== v.text) change.changed.push(k);
    }
    for (const k of this.files.keys()) if (!next.has(k)) change.removed.push(k);
    this.files = next;
    if (notify && (change.added.length || change.changed.length || change.removed.length)) this.emit('changed', change);
    return change;
  }
}
