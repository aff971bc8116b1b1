// The domain model's root: technologies, devices and the one sorted service list, plus the policy that
// ties them together (autoconnect, connect/disconnect, power, offline mode, the global state).
// No D-Bus here: adapters in ts/dbus listen to the events and call the public methods.
import type { Dhcp4Lease, Platform } from '../platform/types';
import type { MainConfig } from '../config/main-conf';
import type { Store } from '../config/storage';
import { connmanTimestamp } from '../config/storage';
import { KeyFile } from '../config/keyfile';
import type { Applier } from './applier';
import type { Clock, TimerHandle } from './clock';
import { Emitter } from './emitter';
import { ConnmanError } from './errors';
import { Device } from './device';
import { FileLeaseStore, Ipv4Dhcp, linkLocalLease } from './ipv4-dhcp';
import { FileStore } from '../config/storage';
import type { Logger } from './log';
import type { ResolvWriter } from './resolv';
import { Service, ServiceProperty, ServiceState, ServiceType, isConnected, isConnecting } from './service';
import { sortServices } from './service-order';
import { Technology, TechnologyProperty } from './technology';

export type ManagerState = 'offline' | 'idle' | 'ready' | 'online';
type ConnectReason = 'user' | 'auto';

export interface ManagerEvents {
  'technology-added': [Technology];
  'technology-removed': [Technology];
  'technology-changed': [Technology, TechnologyProperty];
  'service-added': [Service];
  'service-removed': [Service];
  'service-changed': [Service, ServiceProperty];
  /** the list was re-sorted (ConnMan schedules ServicesChanged on every sort of 2+ services) */
  'services-sorted': [];
  'property-changed': ['State' | 'OfflineMode'];
}

export interface ManagerDeps {
  platform: Platform;
  applier: Applier;
  clock: Clock;
  store: Store;
  config: MainConfig;
  resolv: ResolvWriter;
  log: Logger;
}

const CONNECT_TIMEOUT_MS = 120_000;
const POWER_TIMEOUT_MS = 10_000;

interface PendingConnect { resolve(): void; reject(e: ConnmanError): void; timer: TimerHandle }

export class Manager extends Emitter<ManagerEvents> {
  /** newest first, as ConnMan prepends to its list */
  readonly technologies: Technology[] = [];
  services: Service[] = [];
  readonly devices = new Map<number, Device>();
  offlineMode = false;
  sessionMode = false;
  state: ManagerState = 'idle';
  private ipv4 = new Map<Service, Ipv4Dhcp>();
  private pending = new Map<Service, PendingConnect>();
  private autoconnectScheduled = false;
  /** Nameservers to announce when the link really goes (connmand sends it after the Powered reply) */
  private nameserversStale = new Set<Service>();

  /** Set by the daemon before its modules stop: keep DHCP leases (no RELEASE) for INIT-REBOOT next run. */
  shuttingDown = false;

  constructor(readonly deps: ManagerDeps) { super(); }

  start(): void {
    const kf = this.deps.store.loadGlobal();
    let offline = false;
    try { offline = kf.getBoolean('global', 'OfflineMode') ?? false; } catch { offline = false; }
    this.offlineMode = offline;
    if (!kf.hasKey('global', 'OfflineMode')) {
      kf.setBoolean('global', 'OfflineMode', false);
      this.deps.store.saveGlobal(kf);
    }
    this.updateState();
  }

  async stop(): Promise<void> {
    for (const svc of [...this.services]) await this.removeService(svc);
  }

  technology(type: string): Technology | undefined { return this.technologies.find((t) => t.type === type); }
  service(id: string): Service | undefined { return this.services.find((s) => s.id === id); }

  // ---- devices and technologies ----

  async addDevice(dev: Device): Promise<void> {
    this.devices.set(dev.ifindex, dev);
    const tech = this.ensureTechnology(dev.type);
    if (tech.enablePersistent && !this.offlineMode) {
      await this.enableDevice(dev);
      if (!tech.powered) {
        tech.powered = true;
        this.emit('technology-changed', tech, 'Powered');
      }
    }
  }

  async removeDevice(ifindex: number): Promise<void> {
    const dev = this.devices.get(ifindex);
    if (!dev) return;
    for (const s of this.services.filter((x) => x.ifindex === ifindex)) await this.removeService(s);
    this.devices.delete(ifindex);
    if (![...this.devices.values()].some((d) => d.type === dev.type)) {
      const i = this.technologies.findIndex((t) => t.type === dev.type);
      if (i >= 0) {
        const [t] = this.technologies.splice(i, 1);
        this.emit('technology-removed', t);
      }
    }
  }

  private ensureTechnology(type: ServiceType): Technology {
    let t = this.technology(type);
    if (t) return t;
    t = new Technology(type);
    const kf = this.deps.store.loadGlobal();
    let enable: boolean | undefined;
    try { enable = kf.getBoolean(t.group, 'Enable'); } catch { enable = undefined; }
    let freq = 0;
    try { freq = kf.getInteger(t.group, 'Tethering.Freq') ?? 0; } catch { freq = 0; }
    t.enablePersistent = enable ?? type === 'ethernet';
    if (enable === undefined) this.saveTechnology(t);
    // connmand reads the frequency from the keyfile it loaded before that first save, so a fresh
    // start shows TetheringFreq 0 although the file now says 2412 (fixtures: connmanctl-1 vs -6).
    t.tetheringFreq = freq;
    // Registered unpowered; addDevice switches it on, which announces Powered (as connmand does).
    t.powered = false;
    this.technologies.unshift(t);
    this.emit('technology-added', t);
    return t;
  }

  private saveTechnology(t: Technology): void {
    const kf = this.deps.store.loadGlobal();
    kf.setBoolean(t.group, 'Enable', t.enablePersistent);
    kf.setBoolean(t.group, 'Tethering', t.tethering);
    // ConnMan substitutes channel 1 (2412 MHz) for an unset frequency whenever it saves.
    if (t.tetheringFreq === 0) t.tetheringFreq = 2412;
    kf.setInteger(t.group, 'Tethering.Freq', t.tetheringFreq);
    this.deps.store.saveGlobal(kf);
  }

  /** Technology.SetProperty("Powered"): resolves once the devices have been switched. */
  async setTechnologyPowered(type: string, on: boolean): Promise<void> {
    const t = this.technology(type);
    if (!t) throw new ConnmanError('NotFound');
    if (t.pending) throw new ConnmanError('Failed', 'Device or resource busy');
    if (t.powered === on) throw new ConnmanError(on ? 'AlreadyEnabled' : 'AlreadyDisabled');
    t.enablePersistent = on;
    this.saveTechnology(t);
    if (this.offlineMode && on) {
      // Enabling a technology in offline mode leaves offline mode, as ConnMan does.
      this.setOfflineModeFlag(false);
    }
    t.pending = true;
    let timer: TimerHandle | undefined;
    // connmand answers OperationTimeout when the devices have not switched within 10 s.
    const timeout = new Promise<never>((_, reject) => {
      timer = this.deps.clock.setTimeout(() => reject(new ConnmanError('OperationTimeout')), POWER_TIMEOUT_MS);
    });
    const work = this.applyTechnologyPower(t, on).finally(() => { t.pending = false; timer?.cancel(); });
    timeout.catch(() => {});
    await Promise.race([work, timeout]);
  }

  private async applyTechnologyPower(t: Technology, on: boolean): Promise<void> {
    const devs = [...this.devices.values()].filter((d) => d.type === t.type);
    if (!on) {
      for (const s of this.services.filter((x) => x.type === t.type)) {
        if (isConnected(s.state) || isConnecting(s.state)) await this.bringDown(s, false);
      }
    }
    for (const d of devs) {
      if (on) await this.enableDevice(d); else await this.disableDevice(d);
    }
    if (t.powered !== on) {
      t.powered = on;
      this.emit('technology-changed', t, 'Powered');
    }
  }

  private async enableDevice(d: Device): Promise<void> {
    if (d.powered) return;
    d.powered = true;
    await d.driver.enable(d);
  }

  private async disableDevice(d: Device): Promise<void> {
    if (!d.powered) return;
    d.powered = false;
    await d.driver.disable(d);
  }

  /** Manager.SetProperty("OfflineMode"): powers technologies down without touching their Enable. */
  async setOfflineMode(on: boolean): Promise<void> {
    if (this.offlineMode === on) return;
    this.setOfflineModeFlag(on);
    for (const t of this.technologies) {
      const want = on ? false : t.enablePersistent;
      if (t.powered !== want) await this.applyTechnologyPower(t, want);
    }
  }

  private setOfflineModeFlag(on: boolean): void {
    this.offlineMode = on;
    const kf = this.deps.store.loadGlobal();
    kf.setBoolean('global', 'OfflineMode', on);
    this.deps.store.saveGlobal(kf);
    this.emit('property-changed', 'OfflineMode');
    this.updateState();
  }

  // ---- services ----

  addService(svc: Service): void {
    const cfg = this.deps.config;
    svc.favorite = cfg.DefaultFavoriteTechnologies.includes(svc.type);
    svc.autoconnect = cfg.DefaultAutoConnectTechnologies.includes(svc.type);
    this.loadService(svc);
    svc.notify = (s, p) => this.emit('service-changed', s, p);
    this.services.push(svc);
    this.emit('service-added', svc);
    this.sort();
    if (svc.favorite && svc.autoconnect) this.scheduleAutoconnect();
  }

  async removeService(svc: Service): Promise<void> {
    if (!this.services.includes(svc)) return;
    if (isConnected(svc.state) || isConnecting(svc.state)) await this.bringDown(svc, false);
    if (this.nameserversStale.delete(svc)) svc.notify(svc, 'Nameservers');
    this.services = this.services.filter((s) => s !== svc);
    svc.notify = () => {};
    this.emit('service-removed', svc);
    this.updateTechnologyConnected(svc.type);
    this.updateState();
    this.writeResolv();
  }

  /** Service.Connect (reason user) and autoconnect (reason auto). Resolves when the service is ready. */
  connectService(svc: Service, reason: ConnectReason): Promise<void> {
    if (this.pending.has(svc) || isConnecting(svc.state)) return Promise.reject(new ConnmanError('InProgress'));
    if (isConnected(svc.state)) return Promise.reject(new ConnmanError('AlreadyConnected'));
    const tech = this.technology(svc.type);
    const dev = this.devices.get(svc.ifindex);
    if (!tech?.powered || !dev?.powered) return Promise.reject(new ConnmanError('NoCarrier'));
    if (reason === 'user') svc.ignore = false;
    if (svc.error) svc.set('error', undefined, 'Error');
    return new Promise<void>((resolve, reject) => {
      const timer = this.deps.clock.setTimeout(() => {
        this.pending.delete(svc);
        reject(new ConnmanError('OperationTimeout'));
        void this.failService(svc, 'connect-failed');
      }, CONNECT_TIMEOUT_MS);
      this.pending.set(svc, { resolve, reject, timer });
      this.startIPv4(svc);
    });
  }

  /** Service.Disconnect from a user: also blocks autoconnect until the next Connect. */
  async disconnectService(svc: Service, user: boolean): Promise<void> {
    if (!isConnected(svc.state) && !isConnecting(svc.state)) throw new ConnmanError('NotConnected');
    if (user) svc.ignore = true;
    await this.bringDown(svc, user);
    if (!user) this.scheduleAutoconnect();
  }

  setAutoConnect(svc: Service, on: boolean): void {
    if (!svc.favorite) throw new ConnmanError('InvalidService');
    if (svc.autoconnect === on) return;
    svc.set('autoconnect', on, 'AutoConnect');
    this.saveService(svc);
    if (on) this.scheduleAutoconnect();
  }

  /** Service.ClearProperty("Error"): failure -> idle, and autoconnect gets another go. */
  clearError(svc: Service): void {
    svc.set('error', undefined, 'Error');
    if (svc.state === 'failure') this.setState(svc, 'idle');
    this.scheduleAutoconnect();
  }

  /** MoveBefore/MoveAfter: only the list position changes; nothing is persisted beyond Modified. */
  moveService(svc: Service, target: Service, after: boolean): void {
    if (!svc.favorite) throw new ConnmanError('NotSupported');
    if (!target.favorite || svc === target) throw new ConnmanError('InvalidService');
    if (isConnected(svc.state) !== isConnected(target.state)) throw new ConnmanError('InvalidService');
    const list = this.services.filter((s) => s !== svc);
    const i = list.indexOf(target);
    list.splice(after ? i + 1 : i, 0, svc);
    this.services = list;
    svc.modified = new Date();
    this.saveService(svc);
    this.emit('services-sorted');
  }

  private startIPv4(svc: Service): void {
    this.setState(svc, 'configuration');
    const dhcp = new Ipv4Dhcp(this.deps.platform, this.deps.applier,
      { ifindex: svc.ifindex, ifname: svc.ifname, mac: svc.mac },
      {
        bound: (lease) => { if (this.ipv4.get(svc) === dhcp) this.onBound(svc, lease); },
        linkLocal: (address) => { if (this.ipv4.get(svc) === dhcp) this.onBound(svc, linkLocalLease(address)); },
        lost: () => {
          if (this.ipv4.get(svc) !== dhcp) return;
          svc.ipv4 = undefined;
          svc.nameservers = [];
          this.setState(svc, 'configuration');
          svc.notify(svc, 'IPv4');
          svc.notify(svc, 'Nameservers');
          this.writeResolv();
        },
      },
      // INIT-REBOOT only from dhcp4.lease, which a RELEASE (user disconnect) deletes: a server that has
      // forgotten a released lease stays silent to INIT-REBOOT (RFC 2131 4.3.2).
      {
        vendorClass: this.deps.config.VendorClassID, acd: this.deps.config.AddressConflictDetection,
        leaseStore: this.deps.store instanceof FileStore ? new FileLeaseStore(`${this.deps.store.dir}/${svc.id}`) : undefined,
      });
    this.ipv4.set(svc, dhcp);
    dhcp.start();
  }

  /** Signal order follows connmand 1.41's (test/fixtures/connmand-1.41/signals-1-start-to-ready.log). */
  private onBound(svc: Service, lease: Dhcp4Lease): void {
    const renewal = isConnected(svc.state);
    svc.lastDhcpAddress = lease.address;
    svc.domains = lease.domainName ? [lease.domainName] : [];
    svc.timeservers = [...lease.ntp];
    if (renewal) {
      svc.ipv4 = { address: lease.address, prefixLength: lease.prefixLength, gateway: lease.routers[0], broadcast: lease.broadcast };
      svc.nameservers = [...lease.dns];
      for (const p of ['IPv4', 'Nameservers', 'Domains', 'Timeservers'] as const) svc.notify(svc, p);
      this.writeResolv();
      return;
    }
    svc.ipv4 = { address: lease.address, prefixLength: lease.prefixLength, broadcast: lease.broadcast };
    svc.notify(svc, 'Domains');
    this.setState(svc, 'ready', () => {
      for (const p of ['Timeservers', 'Domains', 'Proxy'] as const) svc.notify(svc, p);
    });
    svc.notify(svc, 'IPv4');
    svc.notify(svc, 'Timeservers');
    svc.ipv4 = { ...svc.ipv4, gateway: lease.routers[0] };
    if (svc.ipv4.gateway) svc.notify(svc, 'IPv4');
    svc.nameservers = [...lease.dns];
    svc.notify(svc, 'Nameservers');
    this.writeResolv();
  }

  /** Stops IP configuration and walks the service down to idle in connmand's signal order. */
  private async bringDown(svc: Service, user: boolean): Promise<void> {
    await this.teardown(svc, new ConnmanError('OperationAborted'));
    svc.notify(svc, 'Domains');
    svc.notify(svc, 'Timeservers');
    this.setState(svc, 'configuration');
    svc.notify(svc, 'Timeservers');
    this.setState(svc, 'disconnect');
    for (const p of ['Timeservers', 'Domains', 'Proxy'] as const) svc.notify(svc, p);
    this.setState(svc, 'idle');
    svc.notify(svc, 'IPv4');
    svc.notify(svc, 'IPv6');
    if (user) svc.notify(svc, 'Nameservers');
    else this.nameserversStale.add(svc);
    this.writeResolv();
  }

  private async teardown(svc: Service, abort: ConnmanError): Promise<void> {
    const p = this.pending.get(svc);
    if (p) {
      this.pending.delete(svc);
      p.timer.cancel();
      p.reject(abort);
    }
    const dhcp = this.ipv4.get(svc);
    this.ipv4.delete(svc);
    if (dhcp) await dhcp.stop(!this.shuttingDown);
    svc.ipv4 = undefined;
    svc.nameservers = [];
    svc.timeservers = [];
    svc.domains = [];
  }

  private async failService(svc: Service, error: Service['error']): Promise<void> {
    await this.teardown(svc, new ConnmanError('Failed', 'Input/output error'));
    svc.set('error', error, 'Error');
    this.setState(svc, 'failure');
  }

  /** `onEntered` runs after State is announced and before the technology and manager follow. */
  private setState(svc: Service, state: ServiceState, onEntered?: () => void): void {
    if (svc.state === state) return;
    svc.stateIPv4 = state;
    svc.state = state;
    svc.notify(svc, 'State');
    if (state === 'ready') {
      if (svc.error) svc.set('error', undefined, 'Error');
      if (!svc.favorite) svc.set('favorite', true, 'Favorite');
      svc.modified = new Date();
      this.saveService(svc);
      const p = this.pending.get(svc);
      if (p) {
        this.pending.delete(svc);
        p.timer.cancel();
        p.resolve();
      }
    }
    onEntered?.();
    this.sort();
    this.updateTechnologyConnected(svc.type);
    this.updateState();
  }

  private sort(): void {
    const before = this.services.map((s) => s.id).join();
    sortServices(this.services, this.deps.config.PreferredTechnologies);
    if (this.services.length > 1 || before !== this.services.map((s) => s.id).join()) this.emit('services-sorted');
  }

  private updateTechnologyConnected(type: ServiceType): void {
    const t = this.technology(type);
    if (!t) return;
    const c = this.services.some((s) => s.type === type && isConnected(s.state));
    if (t.connected !== c) {
      t.connected = c;
      this.emit('technology-changed', t, 'Connected');
    }
  }

  private updateState(): void {
    let s: ManagerState;
    if (this.services.some((x) => x.type !== 'vpn' && x.state === 'online')) s = 'online';
    else if (this.services.some((x) => x.type !== 'vpn' && isConnected(x.state))) s = 'ready';
    else s = this.offlineMode ? 'offline' : 'idle';
    if (s !== this.state) {
      this.state = s;
      this.emit('property-changed', 'State');
    }
  }

  // ---- autoconnect (ConnMan runs it from an idle callback; so do we, on the next turn) ----

  scheduleAutoconnect(): void {
    if (this.autoconnectScheduled) return;
    this.autoconnectScheduled = true;
    this.deps.clock.setTimeout(() => { this.autoconnectScheduled = false; this.runAutoconnect(); }, 0);
  }

  private runAutoconnect(): void {
    for (const svc of this.services) {
      if (this.pending.has(svc) || isConnected(svc.state) || isConnecting(svc.state)) {
        if (!this.deps.config.AlwaysConnectedTechnologies.includes(svc.type)) return;
        continue;
      }
      if (!svc.favorite) return;
      if (!svc.autoconnect || svc.ignore || svc.state === 'failure' || svc.state !== 'idle') continue;
      const tech = this.technology(svc.type);
      if (!tech?.powered) continue;
      this.connectService(svc, 'auto').catch((e) => this.deps.log.debug('manager', `autoconnect ${svc.id}: ${(e as Error).message}`));
      return;
    }
  }

  // ---- storage ----

  private loadService(svc: Service): void {
    const kf = this.deps.store.loadService(svc.id);
    if (!kf || !kf.hasGroup(svc.id)) return;
    const g = svc.id;
    const bool = (k: string) => { try { return kf.getBoolean(g, k); } catch { return undefined; } };
    if (svc.type !== 'ethernet' && svc.type !== 'vpn') svc.favorite = bool('Favorite') ?? svc.favorite;
    svc.autoconnect = bool('AutoConnect') ?? svc.autoconnect;
    const m = kf.getString(g, 'IPv4.method');
    if (m === 'off' || m === 'dhcp' || m === 'manual' || m === 'fixed') svc.ipv4Method = m;
    else if (m === 'auto') svc.ipv4Method = 'dhcp';
    svc.lastDhcpAddress = kf.getString(g, 'IPv4.DHCP.LastAddress');
    const m6 = kf.getString(g, 'IPv6.method');
    if (m6 === 'off' || m6 === 'auto' || m6 === 'manual' || m6 === 'fixed') svc.ipv6Method = m6;
    const p = kf.getString(g, 'IPv6.privacy');
    if (p === 'disabled' || p === 'enabled' || p === 'prefered') svc.ipv6Privacy = p;
    svc.nameserversConfig = kf.getStringList(g, 'Nameservers') ?? [];
    svc.timeserversConfig = kf.getStringList(g, 'Timeservers') ?? [];
    svc.domainsConfig = kf.getStringList(g, 'Domains') ?? [];
    svc.mdnsConfig = bool('mDNS') ?? false;
  }

  /** ConnMan rebuilds the file from scratch on every save, so unknown keys do not survive; we do the same. */
  saveService(svc: Service): void {
    // A service that never reached ready is never saved.
    if (!svc.modified) return;
    const kf = new KeyFile();
    const g = svc.id;
    if (svc.name) kf.setString(g, 'Name', svc.name);
    if (svc.type !== 'ethernet' && svc.type !== 'vpn') kf.setBoolean(g, 'Favorite', svc.favorite);
    if (svc.favorite) kf.setBoolean(g, 'AutoConnect', svc.autoconnect);
    kf.setString(g, 'Modified', connmanTimestamp(svc.modified));
    kf.setString(g, 'IPv4.method', svc.ipv4Method);
    if (svc.ipv4Method === 'dhcp' && svc.lastDhcpAddress) kf.setString(g, 'IPv4.DHCP.LastAddress', svc.lastDhcpAddress);
    kf.setString(g, 'IPv6.method', svc.ipv6Method);
    kf.setString(g, 'IPv6.privacy', svc.ipv6Privacy);
    if (svc.nameserversConfig.length) kf.setStringList(g, 'Nameservers', svc.nameserversConfig);
    if (svc.timeserversConfig.length) kf.setStringList(g, 'Timeservers', svc.timeserversConfig);
    if (svc.domainsConfig.length) kf.setStringList(g, 'Domains', svc.domainsConfig);
    if (svc.mdnsConfig) kf.setBoolean(g, 'mDNS', true);
    try { this.deps.store.saveService(svc.id, kf); } catch (e) {
      this.deps.log.error(`saving ${svc.id}: ${(e as Error).message}`);
    }
  }

  private writeResolv(): void {
    const ns: string[] = [];
    const dom: string[] = [];
    for (const s of this.services) {
      if (!isConnected(s.state)) continue;
      ns.push(...(s.nameserversConfig.length ? s.nameserversConfig : s.nameservers));
      dom.push(...(s.domainsConfig.length ? s.domainsConfig : s.domains));
    }
    try { this.deps.resolv.write(ns, dom); } catch (e) {
      this.deps.log.error(`writing resolv.conf: ${(e as Error).message}`);
    }
  }
}
