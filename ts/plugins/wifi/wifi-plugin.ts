// The Wi-Fi plugin: every wireless link becomes a Device of the `wifi` technology. The backend is
// wpa_supplicant (fi.w1.wpa_supplicant1) or, with `-W iwd`, iwd (net.connman.iwd); both turn scan
// results into the same services. The plugin never imports the D-Bus layer: the connection is handed in.
// The backend (its modules and its client on the bus) is loaded at the first wireless link, so a
// wired-only board never pays for it (BENCHMARKS.md, memory).
import type { LinkEvent, LinkInfo } from '../../platform/types';
import { Device } from '../../core/device';
import { isFiltered } from '../../core/link-watch';
import { PLUGIN_API_VERSION, Plugin, PluginContext } from '../plugin';
import type { DbusClient } from './dbus-client';
import type { Supplicant } from './supplicant';
import type { IwdClient, IwdDevice } from './iwd';

/** What the plugin needs from one link, whichever backend drives it. */
interface WifiLink {
  readonly dev: Device;
  readonly attached: boolean;
  attach(): Promise<void>;
  detach(release: boolean): Promise<void>;
  scanNow(): Promise<void>;
}

export type WifiBackendName = 'wpa_supplicant' | 'iwd';

/** `-W` names a driver: "iwd" picks iwd; anything else (nl80211, wext, ...) means wpa_supplicant. */
export function backendFromFlag(flag: string | undefined): WifiBackendName {
  return flag === 'iwd' ? 'iwd' : 'wpa_supplicant';
}

export class WifiPlugin implements Plugin {
  readonly name = 'wifi';
  readonly apiVersion = PLUGIN_API_VERSION;
  private ctx?: PluginContext;
  private supplicant?: Supplicant;
  private iwd?: IwdClient;
  private readonly devices = new Map<number, WifiLink>();
  private offs: (() => void)[] = [];
  private queue: Promise<void> = Promise.resolve();
  private backendStarted?: Promise<void>;

  constructor(private readonly bus: DbusClient | undefined, readonly backend: WifiBackendName = 'wpa_supplicant') {}

  async start(ctx: PluginContext): Promise<void> {
    this.ctx = ctx;
    if (!this.bus) { ctx.log.info('wifi: no D-Bus connection, Wi-Fi disabled'); return; }
    this.offs.push(ctx.links.on('link', (ev) => this.enqueue(() => this.onLink(ev))));
    for (const link of ctx.links.links.values()) this.enqueue(() => this.onLink({ type: 'new', link }));
    await this.queue;
  }

  /** Loads and starts the backend once; runs inside the queue, before the first device is made. */
  private startBackend(): Promise<void> {
    return this.backendStarted ??= this.loadBackend();
  }

  private async loadBackend(): Promise<void> {
    const ctx = this.ctx!;
    // Events the client reports while it starts come before any device exists, so there is nothing
    // to attach or detach yet: the first device attaches itself when it is enabled.
    let live = false;
    /* eslint-disable @typescript-eslint/no-require-imports */
    if (this.backend === 'iwd') {
      const { IwdClient } = require('./iwd') as typeof import('./iwd');
      this.iwd = new IwdClient(this.bus!, ctx.log, () => [...this.devices.values()] as IwdDevice[],
        () => new Promise<void>((resolve) => { if (!live) return resolve(); this.enqueue(() => this.attachAll().finally(resolve)); }),
        () => new Promise<void>((resolve) => {
          if (!live) return resolve();
          this.enqueue(async () => {
            for (const d of this.devices.values()) await d.detach(false);
            resolve();
          });
        }));
      await this.iwd.start();
    } else {
      const { Supplicant } = require('./supplicant') as typeof import('./supplicant');
      const sup = new Supplicant(this.bus!, ctx.log);
      this.supplicant = sup;
      this.offs.push(sup.on('appeared', () => { if (live) this.enqueue(() => this.attachAll()); }));
      await sup.start();
    }
    /* eslint-enable @typescript-eslint/no-require-imports */
    live = true;
  }

  async stop(): Promise<void> {
    for (const off of this.offs.splice(0)) off();
    await this.queue;
    for (const [ifindex, d] of this.devices) {
      await d.detach(true);
      await this.ctx!.manager.removeDevice(ifindex);
    }
    this.devices.clear();
    await this.supplicant?.stop();
    await this.iwd?.stop();
  }

  private enqueue(fn: () => Promise<void>): void {
    this.queue = this.queue.then(fn).catch((e) => this.ctx?.log.error(`wifi: ${(e as Error).message}`));
  }

  private eligible(l: LinkInfo): boolean {
    const c = this.ctx!;
    return l.wireless && l.mac !== '' &&
      !isFiltered(l.name, { device: c.device, nodevice: c.nodevice, blacklist: c.config.NetworkInterfaceBlacklist });
  }

  private async onLink(ev: LinkEvent): Promise<void> {
    const m = this.ctx!.manager;
    const l = ev.link;
    const known = this.devices.get(l.index);
    if (ev.type === 'del') {
      if (known) {
        this.devices.delete(l.index);
        await known.detach(false);
        await m.removeDevice(l.index);
      }
      return;
    }
    if (known || !this.eligible(l)) return;
    await this.startBackend();
    const nl = this.ctx!.platform.netlink;
    // iwd brings its links up and down itself (Device.Powered); wpa_supplicant needs the link up
    const iwd = this.iwd;
    const dev = new Device(l.index, l.name, l.mac, 'wifi', {
      enable: async () => {
        if (!iwd) await nl.setLinkUp(l.index, true);
        await this.attach(wifi);
      },
      disable: async () => {
        await wifi.detach(true);
        if (!iwd) await nl.setLinkUp(l.index, false);
      },
    });
    /* eslint-disable @typescript-eslint/no-require-imports */
    const wifi: WifiLink = iwd
      ? new (require('./iwd') as typeof import('./iwd')).IwdDevice(dev, m, this.bus!, iwd.objs, this.ctx!.log)
      : new (require('./wifi-device') as typeof import('./wifi-device')).WifiDevice(dev, { manager: m, supplicant: this.supplicant!, log: this.ctx!.log });
    /* eslint-enable @typescript-eslint/no-require-imports */
    this.devices.set(l.index, wifi);
    await m.addDevice(dev);
    const tech = m.technology('wifi');
    if (tech) tech.scan = () => this.scanAll();
  }

  private async attach(wifi: WifiLink): Promise<void> {
    if (this.iwd) {
      if (!this.iwd.owner) return; // iwd's appearance attaches it
      try { await wifi.attach(); } catch (e) { this.ctx!.log.warn(`wifi: ${wifi.dev.ifname}: iwd: ${(e as Error).message}`); }
      return;
    }
    const sup = this.supplicant!;
    if (!sup.running) {
      // D-Bus activation, as on a device whose wpa_supplicant is started on demand; only once there is
      // a radio to hand it, so a board without Wi-Fi never starts it
      try { await sup.activate(); } catch (e) {
        this.ctx!.log.info(`wifi: wpa_supplicant is not running (${(e as Error).message}); waiting for it`);
        return; // "appeared" attaches the device later
      }
    }
    try { await wifi.attach(); } catch (e) {
      this.ctx!.log.warn(`wifi: ${wifi.dev.ifname}: wpa_supplicant refused the interface: ${(e as Error).message}`);
    }
  }

  private async attachAll(): Promise<void> {
    for (const w of this.devices.values()) if (w.dev.powered) await this.attach(w);
  }

  private async scanAll(): Promise<void> {
    const devs = [...this.devices.values()].filter((w) => w.dev.powered && w.attached);
    await Promise.all(devs.map((w) => w.scanNow()));
  }
}
