// Manager.ServicesChanged, coalesced the ConnMan way: 100 ms after the first change, the whole ordered
// list goes out, new services with their full dict and all others with an empty one, plus removed paths.
// Until its "added" entry has been sent, a new service emits no PropertyChanged.
import type { Clock, TimerHandle } from '../core/clock';
import type { Service } from '../core/service';
import type { PropertyDict } from './table';

export const SERVICES_CHANGED_DELAY_MS = 100;

export class ServicesChangedScheduler {
  private added = new Set<Service>();
  private removed: string[] = [];
  private timer?: TimerHandle;

  constructor(
    private readonly clock: Clock,
    private readonly list: () => readonly Service[],
    private readonly dictOf: (s: Service) => PropertyDict,
    private readonly send: (changed: [string, PropertyDict][], removed: string[]) => void,
  ) {}

  serviceAdded(s: Service): void { this.added.add(s); this.schedule(); }

  serviceRemoved(s: Service): void {
    this.added.delete(s);
    if (!this.removed.includes(s.path)) this.removed.push(s.path);
    this.schedule();
  }

  /** order or membership may have changed */
  changed(): void { this.schedule(); }

  /** PropertyChanged for a service is held back until it has been announced */
  mayAnnounce(s: Service): boolean { return !this.added.has(s); }

  flush(): void {
    this.timer?.cancel();
    this.timer = undefined;
    const changed: [string, PropertyDict][] = this.list().map((s) => [s.path, this.added.has(s) ? this.dictOf(s) : {}]);
    const removed = this.removed;
    this.added.clear();
    this.removed = [];
    this.send(changed, removed);
  }

  stop(): void { this.timer?.cancel(); this.timer = undefined; }

  private schedule(): void {
    if (this.timer) return;
    this.timer = this.clock.setTimeout(() => { this.timer = undefined; this.flush(); }, SERVICES_CHANGED_DELAY_MS);
  }
}
