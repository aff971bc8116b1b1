// Wires core's events to the bus: exports objects as they appear and turns each change into its signal.
// Thin by design: no policy here.
import type { Clock } from '../core/clock';
import type { Manager } from '../core/manager';
import type { InterfaceDef } from './bus';
import { clockTable } from './clock-iface';
import { SystemTimeSetter, TimeSettings } from '../core/time-settings';
import { registryInputAgent } from './agent-input';
import { managerTable } from './manager-iface';
import { serviceTable } from './service-iface';
import { ServicesChangedScheduler } from './services-changed';
import { AgentRegistry } from './agent';
import { busAgentTransport, canCallOut, inertAgentTransport } from './agent-bus';
import { bindInterface, changedValue, propertyDict } from './table';
import { technologyTable } from './technology-iface';

/** The part of Bus the adapters use; a recording fake backs unit tests. */
export interface BusLike {
  export(path: string, defs: InterfaceDef[]): void;
  unexport(path: string): void;
  signal(path: string, iface: string, name: string, signature: string, body: unknown[]): void;
}

export class DbusApi {
  readonly serviceTable;
  readonly technologyTable;
  readonly managerTable;
  readonly clockTable = clockTable();
  readonly time: TimeSettings;
  readonly servicesChanged: ServicesChangedScheduler;
  readonly agents: AgentRegistry;
  private offs: (() => void)[] = [];

  constructor(private readonly bus: BusLike, private readonly manager: Manager, clock: Clock,
    opts: { setSystemTime?: SystemTimeSetter; zoneinfo?: string } = {}) {
    this.time = new TimeSettings({ localtime: manager.deps.config.Localtime, zoneinfo: opts.zoneinfo,
      store: manager.deps.store, setSystemTime: opts.setSystemTime });
    this.time.load();
    const cfg = manager.deps.config;
    manager.globalTime = () => ({ manual: this.time.timeUpdates === 'manual', timeservers: this.time.timeservers,
      fallback: cfg.FallbackTimeservers, useGateways: cfg.UseGatewaysAsTimeservers });
    this.serviceTable = serviceTable(manager);
    this.technologyTable = technologyTable(manager);
    this.agents = new AgentRegistry(canCallOut(bus) ? busAgentTransport(bus) : inertAgentTransport,
      { inputRequestMs: cfg.InputRequestTimeout * 1000, browserLaunchMs: cfg.BrowserLaunchTimeout * 1000 });
    // core reaches the agents only through this narrow seam (passphrase requests, Cancel)
    manager.deps.agent ??= registryInputAgent(this.agents);
    this.managerTable = managerTable({ manager, serviceTable: this.serviceTable, technologyTable: this.technologyTable, agents: this.agents });
    this.servicesChanged = new ServicesChangedScheduler(clock, () => manager.services,
      (s) => propertyDict(this.serviceTable, s),
      (changed, removed) => bus.signal('/', 'net.connman.Manager', 'ServicesChanged', 'a(oa{sv})ao', [changed, removed]));
  }

  start(): void {
    const m = this.manager;
    const M = 'net.connman.Manager';
    this.bus.export('/', [bindInterface(this.managerTable, m), bindInterface(this.clockTable, this.time)]);
    for (const t of m.technologies) this.bus.export(t.path, [bindInterface(this.technologyTable, t)]);
    for (const s of m.services) { this.bus.export(s.path, [bindInterface(this.serviceTable, s)]); this.servicesChanged.serviceAdded(s); }
    this.offs.push(
      this.time.on('changed', (name) => {
        // the default service reloads its NTP list first (ts_reset), so its signal comes first
        if (name === 'Timeservers') m.ntp.globalChanged();
        const v = changedValue(this.clockTable, this.time, name);
        if (v) this.bus.signal('/', 'net.connman.Clock', 'PropertyChanged', 'sv', [name, v]);
      }),
      m.on('property-changed', (name) => {
        const v = changedValue(this.managerTable, m, name);
        if (v) this.bus.signal('/', M, 'PropertyChanged', 'sv', [name, v]);
      }),
      m.on('technology-added', (t) => {
        this.bus.export(t.path, [bindInterface(this.technologyTable, t)]);
        this.bus.signal('/', M, 'TechnologyAdded', 'oa{sv}', [t.path, propertyDict(this.technologyTable, t)]);
      }),
      m.on('technology-removed', (t) => {
        this.bus.signal('/', M, 'TechnologyRemoved', 'o', [t.path]);
        this.bus.unexport(t.path);
      }),
      m.on('technology-changed', (t, name) => {
        const v = changedValue(this.technologyTable, t, name);
        if (v) this.bus.signal(t.path, 'net.connman.Technology', 'PropertyChanged', 'sv', [name, v]);
      }),
      m.on('service-added', (s) => {
        this.bus.export(s.path, [bindInterface(this.serviceTable, s)]);
        this.servicesChanged.serviceAdded(s);
      }),
      m.on('service-removed', (s) => {
        this.bus.unexport(s.path);
        this.servicesChanged.serviceRemoved(s);
      }),
      m.on('services-sorted', () => this.servicesChanged.changed()),
      m.on('service-changed', (s, name) => {
        if (!this.servicesChanged.mayAnnounce(s)) return;
        const v = changedValue(this.serviceTable, s, name);
        if (v) this.bus.signal(s.path, 'net.connman.Service', 'PropertyChanged', 'sv', [name, v]);
      }),
    );
  }

  stop(): void {
    this.agents.releaseAll();
    for (const off of this.offs) off();
    this.offs = [];
    this.servicesChanged.stop();
  }
}
