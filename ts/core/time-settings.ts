// What net.connman.Clock shows. NTP and setting the time or zone arrive in a later issue; for now the
// values are read-only views of the system, with ConnMan's defaults.
import * as fs from 'node:fs';

export class TimeSettings {
  timeUpdates: 'auto' | 'manual' = 'auto';
  timezoneUpdates: 'auto' | 'manual' = 'auto';
  timeservers: string[] = [];
  synced = false;

  constructor(private readonly localtime = '/etc/localtime') {}

  /** seconds since the epoch */
  now(): number { return Math.floor(Date.now() / 1000); }

  /** The zone name when /etc/localtime links into a zoneinfo tree; absent otherwise, as in ConnMan. */
  timezone(): string | undefined {
    try {
      const target = fs.readlinkSync(this.localtime);
      const m = /zoneinfo\/(.+)$/.exec(target);
      return m ? m[1] : undefined;
    } catch {
      return undefined;
    }
  }
}
