// What net.connman.Clock shows and sets (connmand's clock.c, timezone.c, the Timeservers part of
// timeserver.c): TimeUpdates, TimezoneUpdates and Timeservers persisted in [global] of `settings`; Time
// and Timezone writable only in manual mode. Setting the system clock and the zone are seams: tests
// must never call settimeofday or rewrite the host's /etc/localtime.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { readGlobalSettings, writeGlobalSettings } from '../config/global-settings';
import type { Store } from '../config/storage';
import { writeFileAtomic } from '../config/atomic-write';
import { Emitter } from './emitter';
import { ConnmanError } from './errors';

export type ClockProperty = 'Time' | 'TimeUpdates' | 'Timezone' | 'TimezoneUpdates' | 'Timeservers' | 'TimeserverSynced';

/** settimeofday(2); throws when the kernel refuses */
export type SystemTimeSetter = (secondsSinceEpoch: number) => void;

export interface TimeSettingsOptions {
  localtime?: string;
  zoneinfo?: string;
  store?: Store;
  setSystemTime?: SystemTimeSetter;
  /** seconds since the epoch; the wall clock by default */
  now?: () => number;
}

export class TimeSettings extends Emitter<{ changed: [ClockProperty] }> {
  timeUpdates: 'auto' | 'manual' = 'auto';
  timezoneUpdates: 'auto' | 'manual' = 'auto';
  timeservers: string[] = [];
  synced = false;
  private readonly localtime: string;
  private readonly zoneinfo: string;
  private zoneWeWrote?: string;

  constructor(private readonly opts: TimeSettingsOptions = {}) {
    super();
    this.localtime = opts.localtime ?? '/etc/localtime';
    this.zoneinfo = opts.zoneinfo ?? '/usr/share/zoneinfo';
  }

  /** clock_properties_load + the saved Timeservers */
  load(): void {
    if (!this.opts.store) return;
    const g = readGlobalSettings(this.opts.store.loadGlobal());
    if (g.timeUpdates) this.timeUpdates = g.timeUpdates;
    if (g.timezoneUpdates) this.timezoneUpdates = g.timezoneUpdates;
    if (g.timeservers) this.timeservers = g.timeservers;
  }

  /** seconds since the epoch */
  now(): number { return this.opts.now ? this.opts.now() : Math.floor(Date.now() / 1000); }

  /** The zone name when Localtime links into a zoneinfo tree or holds a zone we copied; absent otherwise. */
  timezone(): string | undefined {
    try {
      const target = fs.readlinkSync(this.localtime);
      const m = /zoneinfo\/(.+)$/.exec(target);
      return m ? m[1] : undefined;
    } catch {
      return this.zoneWeWrote;
    }
  }

  setTime(seconds: bigint | number): void {
    if (this.timeUpdates !== 'manual') throw new ConnmanError('PermissionDenied');
    const setter = this.opts.setSystemTime;
    if (!setter) throw new ConnmanError('InvalidArguments');
    try { setter(Number(seconds)); } catch { throw new ConnmanError('InvalidArguments'); }
    this.synced = false;
    this.emit('changed', 'Time');
  }

  setTimeUpdates(v: string): void {
    if (v !== 'auto' && v !== 'manual') throw new ConnmanError('InvalidArguments');
    if (v === this.timeUpdates) return;
    this.timeUpdates = v;
    this.save({ timeUpdates: v, timezoneUpdates: this.timezoneUpdates });
    this.emit('changed', 'TimeUpdates');
  }

  setTimezoneUpdates(v: string): void {
    if (v !== 'auto' && v !== 'manual') throw new ConnmanError('InvalidArguments');
    if (v === this.timezoneUpdates) return;
    this.timezoneUpdates = v;
    this.save({ timeUpdates: this.timeUpdates, timezoneUpdates: v });
    this.emit('changed', 'TimezoneUpdates');
  }

  /** __connman_timezone_change: the zone file's content is copied over Localtime (not a symlink). */
  setTimezone(zone: string): void {
    if (this.timezoneUpdates !== 'manual') throw new ConnmanError('PermissionDenied');
    const src = path.join(this.zoneinfo, zone);
    if (zone === '' || path.relative(this.zoneinfo, src).startsWith('..')) throw new ConnmanError('InvalidArguments');
    let data: Buffer;
    try { data = fs.readFileSync(src); } catch { throw new ConnmanError('InvalidArguments'); }
    // the rename replaces a symlink itself, never the zone file it points to
    try {
      writeFileAtomic(this.localtime, data, 0o644);
    } catch { throw new ConnmanError('InvalidArguments'); }
    this.zoneWeWrote = zone;
    this.emit('changed', 'Timezone');
  }

  /** Duplicates are dropped, order kept; an empty list removes the key. */
  setTimeservers(list: string[]): void {
    this.timeservers = list.filter((s, i) => s !== '' && list.indexOf(s) === i);
    this.save({ timeservers: this.timeservers });
    this.emit('changed', 'Timeservers');
  }

  private save(s: Parameters<typeof writeGlobalSettings>[1]): void {
    const store = this.opts.store;
    if (!store) return;
    const kf = store.loadGlobal();
    writeGlobalSettings(kf, s);
    store.saveGlobal(kf);
  }
}
