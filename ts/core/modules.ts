// Modules declare their dependencies and are started in dependency order and stopped in reverse,
// instead of a hand-maintained init sequence.
export interface Module {
  name: string;
  deps: string[];
  start(): void | Promise<void>;
  stop(): void | Promise<void>;
}

export function startOrder(modules: readonly Module[]): Module[] {
  const byName = new Map(modules.map((m) => [m.name, m]));
  const out: Module[] = [];
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (m: Module, chain: string[]) => {
    const s = state.get(m.name);
    if (s === 'done') return;
    if (s === 'visiting') throw new Error(`module dependency cycle: ${[...chain, m.name].join(' -> ')}`);
    state.set(m.name, 'visiting');
    for (const d of m.deps) {
      const dep = byName.get(d);
      if (!dep) throw new Error(`module ${m.name} needs ${d}, which is not present`);
      visit(dep, [...chain, m.name]);
    }
    state.set(m.name, 'done');
    out.push(m);
  };
  for (const m of modules) visit(m, []);
  return out;
}

export class ModuleRunner {
  private started: Module[] = [];
  constructor(private readonly modules: readonly Module[]) {}

  async start(): Promise<void> {
    for (const m of startOrder(this.modules)) {
      await m.start();
      this.started.push(m);
    }
  }

  async stop(): Promise<void> {
    for (const m of this.started.reverse()) {
      try { await m.stop(); } catch (e) { process.stderr.write(`switchyardd: stopping ${m.name}: ${(e as Error).message}\n`); }
    }
    this.started = [];
  }
}
