// The part of the manager that holds technologies, devices, offline mode, the global State and the saved
// settings of services. Manager (manager.ts) adds services' connection policy on top; the split keeps
// each file readable in one sitting.
import type { Platform } from '../platform/types';
import type { MainConfig } from '../config/main-conf';
import type { Store } from '../config/storage';
import { readTechnologySettings, writeGlobalSettings, writeTechnologySettings } from '../config/global-settings';
import type { Applier } from './applier';
import type { Clock, TimerHandle } from './clock';
import { Emitter } from './emitter';
import { ConnmanError } from './errors';
import type { Device } from './device';
import type { Logger } from './log';
import type { ResolvWriter } from './resolv';
import { Service, ServiceProperty, ServiceType, isConnected, isConnecting } from './service';
import { SavedServices, StoreServices, applySettings, toSettings } from './service-persist';
import type { InputAgent } from './input-agent';
import type { ProvisioningSource } from './provisioner';
import { Technology, TechnologyProperty } from './technology';

export type ManagerState = 'offline' | 'idle' | 'ready' | 'online';

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
  /** the saved services; defaults to the KeyFile store above (unit tests) */
  services?: SavedServices;
  /** *.config provisioning; none means nothing is provisioned */
  provisioning?: ProvisioningSource;
  /** the registered agents (dbus/agent.ts), for passphrase requests */
  agent?: InputAgent;
}

const POWER_TIMEOUT_MS = 10_000;

export abstract class ManagerBase extends Emitter<ManagerEvents> {
  /** newest first, as ConnMan prepends to its list */
  readonly technologies: Technology[] = [];
  services: Service[] = [];
  readonly devices = new Map<number, Device>();
  offlineMode = false;
  sessionMode = false;
  state: ManagerState = 'idle';
  readonly saved: SavedServices;

  constructor(readonly deps: ManagerDeps) {
    super();
    this.saved = deps.services ?? new StoreServices(deps.store);
  }

  technology(type: string): Technology | undefined { return this.technologies.find((t) => t.type === type); }
  service(id: string): Service | undefined { return this.services.find((s) => s.id === id); }

  abstract removeService(svc: Service): Promise<void>;
  protected abstract bringDown(svc: Service, user: boolean): Promise<void>;

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

  protected ensureTechnology(type: ServiceType): Technology {
    let t = this.technology(type);
    if (t) return t;
    t = new Technology(type);
    const { settings, needsSave } = readTechnologySettings(this.deps.store.loadGlobal(), type);
    t.enablePersistent = settings.enable;
    t.tethering = settings.tethering;
    t.tetheringIdentifier = settings.tetheringIdentifier;
    t.tetheringPassphrase = settings.tetheringPassphrase;
    if (needsSave) this.saveTechnology(t);
    // connmand reads the frequency from the keyfile it loaded before that first save, so a fresh
    // start shows TetheringFreq 0 although the file now says 2412 (fixtures: connmanctl-1 vs -6).
    t.tetheringFreq = settings.tetheringFreq;
    // Registered unpowered; addDevice switches it on, which announces Powered (as connmand does).
    t.powered = false;
    this.technologies.unshift(t);
    this.emit('technology-added', t);
    return t;
  }

  protected saveTechnology(t: Technology): void {
    const kf = this.deps.store.loadGlobal();
    // ConnMan substitutes channel 1 (2412 MHz) for an unset frequency whenever it saves.
    if (t.tetheringFreq === 0) t.tetheringFreq = 2412;
    writeTechnologySettings(kf, t.type, {
      enable: t.enablePersistent, tethering: t.tethering, tetheringFreq: t.tetheringFreq,
      tetheringIdentifier: t.tetheringIdentifier, tetheringPassphrase: t.tetheringPassphrase,
    });
    try { this.deps.store.saveGlobal(kf); } catch (e) { this.deps.log.error(`saving settings: ${(e as Error).message}`); }
  }

  /** Technology.SetProperty("Powered"): resolves once the devices have been switched. */
  async setTechnologyPowered(type: string, on: boolean): Promise<void> {
    const t = this.technology(type);
    if (!t) throw new ConnmanError('NotFound');
    if (t.pending) throw new ConnmanError('Failed', 'Device or resource busy');
    if (t.powered === on) throw new ConnmanError(on ? 'AlreadyEnabled' : 'AlreadyDisabled');
    // Offline mode stays on: a technology can be switched on by itself (Wi-Fi on board a plane), as in
    // connmand's set_powered, which touches the technology and its Enable only.
    t.enablePersistent = on;
    this.saveTechnology(t);
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

  protected async applyTechnologyPower(t: Technology, on: boolean): Promise<void> {
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

  protected async enableDevice(d: Device): Promise<void> {
    if (d.powered) return;
    d.powered = true;
    await d.driver.enable(d);
  }

  protected async disableDevice(d: Device): Promise<void> {
    if (!d.powered) return;
    d.powered = false;
    await d.driver.disable(d);
  }

  /** Manager.SetProperty("OfflineMode"): powers technologies down without touching their Enable. */
  async setOfflineMode(on: boolean): Promise<void> {
    if (this.offlineMode === on) return;
    // connmand flips the flag first (the Manager State reads "offline" while services go down) but
    // announces OfflineMode only once every technology has been switched
    this.offlineMode = on;
    for (const t of this.technologies) {
      const want = on ? false : t.enablePersistent;
      if (t.powered !== want) await this.applyTechnologyPower(t, want);
    }
    this.setOfflineModeFlag(on);
  }

  protected setOfflineModeFlag(on: boolean): void {
    this.offlineMode = on;
    const kf = this.deps.store.loadGlobal();
    writeGlobalSettings(kf, { offlineMode: on });
    try { this.deps.store.saveGlobal(kf); } catch (e) { this.deps.log.error(`saving settings: ${(e as Error).message}`); }
    this.emit('property-changed', 'OfflineMode');
    this.updateState();
  }

  protected updateTechnologyConnected(type: ServiceType): void {
    const t = this.technology(type);
    if (!t) return;
    const c = this.services.some((s) => s.type === type && isConnected(s.state));
    if (t.connected !== c) {
      t.connected = c;
      this.emit('technology-changed', t, 'Connected');
    }
  }

  protected updateState(): void {
    let s: ManagerState;
    if (this.services.some((x) => x.type !== 'vpn' && x.state === 'online')) s = 'online';
    else if (this.services.some((x) => x.type !== 'vpn' && isConnected(x.state))) s = 'ready';
    else s = this.offlineMode ? 'offline' : 'idle';
    if (s !== this.state) {
      this.state = s;
      this.emit('property-changed', 'State');
    }
  }

  // ---- storage ----

  protected loadService(svc: Service): void {
    const saved = this.saved.load(svc.id);
    if (saved) applySettings(svc, saved, false);
  }

  /** The one writer of `<id>/settings`: rebuilt from the service, as connmand's service_save does. */
  saveService(svc: Service): void {
    // A service that never reached ready is never saved.
    if (!svc.modified) return;
    try { this.saved.save(toSettings(svc)); } catch (e) {
      this.deps.log.error(`saving ${svc.id}: ${(e as Error).message}`);
    }
  }
}
