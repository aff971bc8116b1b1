// When a service's Timeservers signal goes out. connmand's timeserver.c does not signal when the list
// changes: it signals when it (re)loads the NTP list for the default service. It keeps three things —
// the current default service, whether a resolver exists (there is a default), and the service whose
// non-empty list was last loaded — and every signal follows from those, so they are kept here the same.
import type { Service } from './service';

export class TimeServiceTracker {
  private current?: Service;
  private active = false;
  private loaded?: Service;

  constructor(
    /** the list ts_reset would load for a service */
    private readonly list: (s: Service) => string[],
    /** connman_service_get_default(): the default service if it is connected */
    private readonly defaultNow: () => Service | undefined,
  ) {}

  /** default_changed (at ready and disconnect): the old default shows an empty list, the new one loads. */
  defaultChanged(): void {
    const def = this.defaultNow();
    if (def === this.current) return;
    const old = this.current;
    this.current = def;
    old?.notify(old, 'Timeservers');
    if (def) {
      this.active = true;
      this.sync(def);
    } else {
      this.active = false;
      this.loaded = undefined;
    }
  }

  /** A start or state update: nothing when this service's list is already the loaded one. */
  sync(svc: Service): void {
    if (this.loaded !== svc) this.reset(svc);
  }

  /** Timeservers.Configuration changed on `svc`. */
  configChanged(svc: Service): void {
    if (this.loaded && this.loaded !== svc) return;
    this.reset(svc);
  }

  /** Clock.Timeservers changed: the default service reloads (and signals) first. */
  globalChanged(): void {
    const d = this.defaultNow();
    if (d) this.reset(d);
  }

  private reset(svc: Service): void {
    if (!this.active) return;
    svc.notify(svc, 'Timeservers');
    // an empty list leaves the previously loaded service in place, as ts_reset returns early
    if (this.list(svc).length) this.loaded = svc;
  }
}
