// Assembles the daemon from its modules. Everything with side effects is passed in, so an in-process
// test can run the same assembly on a fake platform and a private bus.
import type { Platform } from '../platform/types';
import type { MainConfig } from '../config/main-conf';
import type { Store } from '../config/storage';
import { NetlinkApplier, Applier } from '../core/applier';
import type { Clock } from '../core/clock';
import { LinkWatch, globMatch } from '../core/link-watch';
import type { Logger } from '../core/log';
import { Manager } from '../core/manager';
import { Module, ModuleRunner } from '../core/modules';
import type { ResolvWriter } from '../core/resolv';
import type { SavedServices } from '../core/service-persist';
import type { ProvisioningSource } from '../core/provisioner';
import type { SystemTimeSetter } from '../core/time-settings';
import { DbusApi, BusLike } from '../dbus/api';
import { EthernetPlugin } from '../plugins/ethernet';
import { LoopbackPlugin } from '../plugins/loopback';
import { WifiPlugin, backendFromFlag } from '../plugins/wifi/wifi-plugin';
import type { DbusClient } from '../plugins/wifi/dbus-client';
import { Plugin, PluginContext, pluginEnabled } from '../plugins/plugin';

export interface DaemonDeps {
  platform: Platform;
  bus: BusLike;
  clock: Clock;
  store: Store;
  config: MainConfig;
  resolv: ResolvWriter;
  /** the DNS module (issue 6): started before everything else, so resolv.conf never names a dead proxy */
  dns?: Module;
  log: Logger;
  applier?: Applier;
  /** saved services (ServiceStore); the KeyFile store's services when absent */
  services?: SavedServices;
  /** *.config provisioning (ProvisioningStore) */
  provisioning?: ProvisioningSource;
  /** settimeofday for Clock.Time; absent in tests, which must never change the host's clock */
  setSystemTime?: SystemTimeSetter;
  device?: string[];
  nodevice?: string[];
  plugin?: string[];
  noplugin?: string[];
  /** the system bus for the Wi-Fi plugin (wpa_supplicant / iwd) and -W; no bus: no Wi-Fi plugin */
  wifi?: { bus: DbusClient; driver?: string };
}

export class Daemon {
  readonly manager: Manager;
  readonly api: DbusApi;
  readonly links: LinkWatch;
  private runner: ModuleRunner;

  constructor(d: DaemonDeps) {
    const applier = d.applier ?? new NetlinkApplier(d.platform.netlink, (m) => d.log.error(`netlink: ${m}`));
    this.manager = new Manager({ platform: d.platform, applier, clock: d.clock, store: d.store, config: d.config, resolv: d.resolv, log: d.log,
      services: d.services, provisioning: d.provisioning });
    this.links = new LinkWatch(d.platform.netlink);
    this.api = new DbusApi(d.bus, this.manager, d.clock, { setSystemTime: d.setSystemTime });
    const ctx: PluginContext = { manager: this.manager, platform: d.platform, links: this.links, config: d.config, device: d.device, nodevice: d.nodevice, log: d.log };
    const plugins: Plugin[] = [new LoopbackPlugin(), new EthernetPlugin(),
      ...(d.wifi ? [new WifiPlugin(d.wifi.bus, backendFromFlag(d.wifi.driver))] : [])]
      .filter((p) => pluginEnabled(p.name, d.plugin, d.noplugin ?? [], globMatch));
    const modules: Module[] = [
      ...(d.dns ? [d.dns] : []),
      { name: 'manager', deps: [], start: () => this.manager.start(), stop: () => this.manager.stop() },
      { name: 'dbus', deps: ['manager'], start: () => this.api.start(), stop: () => this.api.stop() },
      { name: 'rtnl', deps: ['manager'], start: () => this.links.start(), stop: () => this.links.stop() },
      ...plugins.map((p): Module => ({ name: `plugin:${p.name}`, deps: ['manager', 'dbus', 'rtnl'], start: () => p.start(ctx), stop: () => p.stop() })),
    ];
    this.runner = new ModuleRunner(modules);
  }

  start(): Promise<void> { return this.runner.start(); }
  stop(): Promise<void> {
    this.manager.shuttingDown = true;
    return this.runner.stop();
  }
}
