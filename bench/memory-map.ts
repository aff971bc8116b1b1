// Where Switchyard's memory goes once the wired service is ready: the daemon's /proc/<pid>/smaps grouped
// by mapping (node itself, each shared library, the addon, V8's heap, malloc arenas, thread stacks),
// with V8's own heap figures and the loaded modules (through the SWITCHYARD_MEMSTATS hook of
// ts/cli/switchyardd.ts). A measuring tool, not a section of BENCHMARKS.md: it takes the Node flags and
// environment to try, so each change to bin/switchyardd can be measured before it is made.
// Usage: node dist/bench/memory-map.js [--runs N] [--flags "<node flags>"] [--env K=V]... [--gc] [--modules] [--json]
// (--gc: V8's figures after a full collection; the memory map is read before it)
import { chmodSync, existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Daemon, Lab, SWITCHYARDD, sleep } from '../test/harness';
import { daemonArgv } from '../test/harness/daemon';
import { REPO_ROOT, fmt, stats } from './lib';

export interface Mapping { name: string; rssKiB: number; anonKiB: number; privateKiB: number }
export interface MemoryMap { rssKiB: number; anonKiB: number; groups: Mapping[]; v8?: V8Stats }
interface V8Stats {
  heap: Record<string, number>;
  spaces: { space_name: string; space_size: number; space_used_size: number }[];
  usage: Record<string, number>;
  modules: string[];
  builtins: string[];
}

/**
 * V8's figures from a running Switchyard started with SWITCHYARD_MEMSTATS=<file> (ts/cli/switchyardd.ts);
 * with `gc`, after a full collection. Undefined when the daemon did not answer within 3 s.
 */
export async function heapStatsOf(pid: number, file: string, gc = false): Promise<V8Stats | undefined> {
  rmSync(file, { force: true });
  if (gc) writeFileSync(`${file}.gc`, '');
  try {
    process.kill(pid, 'SIGUSR2');
    for (let i = 0; i < 30 && !existsSync(file); i++) await sleep(100);
    return existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')) as V8Stats : undefined;
  } finally {
    rmSync(`${file}.gc`, { force: true });
  }
}

/** The flags of bin/switchyardd's shebang: what a device runs. */
export function launcherFlags(): string {
  const line = readFileSync(SWITCHYARDD, 'utf8').split('\n')[0];
  const m = /\bnode\b(.*)$/.exec(line);
  return m ? m[1].trim() : '';
}

/** The shebang's environment assignments (`env -S K=V node ...`). */
export function launcherEnv(): string[] {
  const line = readFileSync(SWITCHYARDD, 'utf8').split('\n')[0];
  const m = /env -S (.*?)\bnode\b/.exec(line);
  return m ? m[1].trim().split(/\s+/).filter(Boolean) : [];
}

/** Names a mapping by what it is, so the pieces of one library add up into one row. */
function groupName(path: string, anonStart: boolean): string {
  if (path === '') return anonStart ? 'anonymous (V8 heap, malloc, stacks)' : 'anonymous';
  if (path.startsWith('[')) return path;
  const base = path.split('/').pop()!;
  if (base.endsWith('.node')) return `addon ${base}`;
  return base.replace(/\.so(\.\d+)*$/, '.so');
}

export function readMemoryMap(pid: number): MemoryMap {
  const text = readFileSync(`/proc/${pid}/smaps`, 'utf8');
  const groups = new Map<string, Mapping>();
  let current: Mapping | undefined;
  for (const line of text.split('\n')) {
    const head = /^[0-9a-f]+-[0-9a-f]+ \S+ \S+ \S+ \d+\s*(.*)$/.exec(line);
    if (head) {
      const name = groupName(head[1].trim(), true);
      current = groups.get(name) ?? { name, rssKiB: 0, anonKiB: 0, privateKiB: 0 };
      groups.set(name, current);
      continue;
    }
    const kv = /^(\w+):\s+(\d+) kB/.exec(line);
    if (!kv || !current) continue;
    const v = Number(kv[2]);
    if (kv[1] === 'Rss') current.rssKiB += v;
    else if (kv[1] === 'Anonymous') current.anonKiB += v;
    else if (kv[1] === 'Private_Clean' || kv[1] === 'Private_Dirty') current.privateKiB += v;
  }
  const list = [...groups.values()].sort((a, b) => b.rssKiB - a.rssKiB);
  return {
    rssKiB: list.reduce((s, g) => s + g.rssKiB, 0),
    anonKiB: list.reduce((s, g) => s + g.anonKiB, 0),
    groups: list,
  };
}

export interface ProbeOptions { flags: string; env: string[]; settleMs?: number; gc?: boolean }

/** One fresh lab, Switchyard launched with the given flags, its memory map once the wired service is ready. */
export async function probe(o: ProbeOptions): Promise<MemoryMap> {
  const lab = await Lab.create({ dnsmasqArgs: ['--no-ping'] });
  let daemon: Daemon | undefined;
  try {
    const launcher = join(lab.dir, 'switchyardd-probe');
    const entry = join(REPO_ROOT, 'dist', 'ts', 'cli', 'switchyardd.js');
    writeFileSync(launcher, `#!/usr/bin/env -S ${o.env.join(' ')} node ${o.flags}\n` +
      `require(${JSON.stringify(entry)}).main(process.argv.slice(2));\n`);
    chmodSync(launcher, 0o755);
    const statsFile = join(lab.dir, 'memstats.json');
    const argv = daemonArgv('switchyard', lab.paths);
    argv[0] = launcher;
    process.env.SWITCHYARD_MEMSTATS = statsFile;
    daemon = new Daemon('switchyard', argv, lab.near, lab.paths, lab.busAddress);
    await lab.waitForBusName('net.connman', { timeoutMs: 30_000 });
    await lab.waitForWiredReady({ timeoutMs: 60_000 });
    await sleep(o.settleMs ?? 3000);
    const pid = daemon.proc.pid!;
    const map = readMemoryMap(pid);
    map.v8 = await heapStatsOf(pid, statsFile, o.gc);
    return map;
  } finally {
    delete process.env.SWITCHYARD_MEMSTATS;
    await daemon?.stop();
    await lab.teardown();
  }
}

function mib(kib: number): string { return (kib / 1024).toFixed(1); }

function report(maps: MemoryMap[], o: ProbeOptions, top: number, modules: boolean): string {
  const out: string[] = [];
  out.push(`flags: ${o.flags || '(none)'}   env: ${o.env.join(' ') || '(none)'}   runs: ${maps.length}`);
  out.push(`RSS MiB ${fmt(stats(maps.map((m) => m.rssKiB / 1024)))}   anonymous MiB ${fmt(stats(maps.map((m) => m.anonKiB / 1024)))}`);
  const m = maps[maps.length - 1];
  out.push('', 'last run, by mapping (KiB):  RSS  anon  private');
  for (const g of m.groups.slice(0, top)) out.push(`  ${g.name.padEnd(40)} ${String(g.rssKiB).padStart(6)} ${String(g.anonKiB).padStart(6)} ${String(g.privateKiB).padStart(6)}`);
  if (m.v8) {
    const h = m.v8.heap;
    out.push('', `V8: total_heap_size ${mib(h.total_heap_size / 1024)} MiB, used ${mib(h.used_heap_size / 1024)} MiB, ` +
      `physical ${mib(h.total_physical_size / 1024)} MiB, malloced ${mib(h.malloced_memory / 1024)} MiB (peak ${mib(h.peak_malloced_memory / 1024)}), ` +
      `external ${mib(m.v8.usage.external / 1024)} MiB, arrayBuffers ${mib(m.v8.usage.arrayBuffers / 1024)} MiB`);
    for (const s of m.v8.spaces) out.push(`  ${s.space_name.padEnd(24)} size ${mib(s.space_size / 1024)} used ${mib(s.space_used_size / 1024)}`);
    out.push(`modules loaded: ${m.v8.modules.length}, Node built-in modules: ${m.v8.builtins.length}`);
    if (modules) for (const f of m.v8.modules) out.push(`  ${f.replace(REPO_ROOT + '/', '')}`);
    if (modules) out.push(`  ${m.v8.builtins.map((b) => b.replace('NativeModule ', '')).join(' ')}`);
  }
  return out.join('\n');
}

if (require.main === module) {
  const args = process.argv.slice(2);
  const value = (flag: string) => { const i = args.indexOf(flag); return i >= 0 ? args[i + 1] : undefined; };
  const env = args.flatMap((a, i) => (args[i - 1] === '--env' ? [a] : []));
  const o: ProbeOptions = { flags: value('--flags') ?? launcherFlags(), env: env.length ? env : launcherEnv(), gc: args.includes('--gc') };
  const runs = Number(value('--runs') ?? 1);
  (async () => {
    const maps: MemoryMap[] = [];
    for (let i = 0; i < runs; i++) maps.push(await probe(o));
    if (args.includes('--json')) process.stdout.write(`${JSON.stringify(maps)}\n`);
    else process.stdout.write(`${report(maps, o, Number(value('--top') ?? 25), args.includes('--modules'))}\n`);
  })().catch((e) => { process.stderr.write(`${e instanceof Error ? e.stack : e}\n`); process.exit(1); });
}
