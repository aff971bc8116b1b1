// A typed event emitter whose listeners are isolated: one throwing listener is logged and the others
// still run, so a faulty plugin or adapter cannot stall core.
export type Listener<A extends unknown[]> = (...args: A) => void;

export class Emitter<Events extends { [K in keyof Events]: unknown[] }> {
  private listeners: { [K in keyof Events]?: Listener<Events[K]>[] } = {};

  on<K extends keyof Events>(event: K, fn: Listener<Events[K]>): () => void {
    (this.listeners[event] ??= []).push(fn);
    return () => { this.listeners[event] = this.listeners[event]!.filter((f) => f !== fn); };
  }

  emit<K extends keyof Events>(event: K, ...args: Events[K]): void {
    for (const fn of [...(this.listeners[event] ?? [])]) {
      try { fn(...args); } catch (e) {
        process.stderr.write(`switchyardd: listener for ${String(event)} failed: ${(e as Error).stack}\n`);
      }
    }
  }
}
