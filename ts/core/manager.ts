// The domain model's root: technologies, devices and the one sorted service list, plus the policy that
// ties them together (autoconnect, connect/disconnect, power, offline mode, the global state).
// No D-Bus here: adapters in ts/dbus listen to the events and call the public methods.
import { hostname } from 'node:os';
import type { Dhcp4Lease } from '../platform/types';
import { readGlobalSettings, writeGlobalSettings } from '../config/global-settings';
import type { Applier, LinkConfig } from './applier';
import { EMPTY_LINK_CONFIG } from './applier';
import type { IPv4Config, IPv6Config } from './ipconfig';
import { ServiceLinkState, StaticRoute, desiredLinks, isValidHostname } from './routing';
import type { TimerHandle } from './clock';
import { ConnmanError } from './errors';
import { FileLeaseStore, Ipv4Dhcp, linkLocalLease } from './ipv4-dhcp';
import { conflictProbeOk, conflictSeen, conflictWatchStarted } from './address-conflict';
import { StaticIpv4Acd } from './ipv4-static-acd';
import { FileStore } from '../config/storage';
import { ProxyConfig, Service, ServiceState, isConnected, isConnecting } from './service';
import { askForInput } from './input-agent';
import { Provisioner } from './provisioner';
import { sortServices } from './service-order';
import { pickAutoconnect } from './autoconnect';
import { GlobalTimeSources, LIST_FIELDS, checkMove, checkRemovable, cleanList, switchOrder, timeserversFor } from './service-ops';
import { TimeServiceTracker } from './time-service';
import { ManagerBase, ManagerDeps } from './manager-base';
import { Ipv6Auto } from './ipv6-auto';
import { SixToFour } from './sixtofour';

export type { ManagerState, ManagerEvents, ManagerDeps } from './manager-base';
type ConnectReason = 'user' | 'auto';

const CONNECT_TIMEOUT_MS = 120_000;

interface PendingConnect { resolve(): void; reject(e: ConnmanError): void; timer: TimerHandle; reason: ConnectReason }

export class Manager extends ManagerBase {
  private ipv4 = new Map<Service, Ipv4Dhcp>();
  private pending = new Map<Service, PendingConnect>();
  private autoconnectScheduled = false;
  /** Nameservers to announce when the link really goes (connmand sends it after the Powered reply) */
  private nameserversStale = new Set<Service>();
  /** what each service's DHCP/IPv4-LL engine last asked for on its link */
  private dhcpLink = new Map<Service, LinkConfig>();
  /** services whose manual/fixed IPv4 or manual IPv6 configuration is switched on */
  private staticV4 = new Set<Service>();
  /** manual IPv4 under AddressConflictDetection: the ACD guard, and the IPv4-LL address after a conflict */
  private staticAcd = new Map<Service, StaticIpv4Acd>();
  private staticLL = new Map<Service, string>();
  private staticV6 = new Set<Service>();
  private prefixDelegation = false;
  /** services going because their carrier did: DHCPv6 keeps the lease to CONFIRM it on return */
  private carrierGone = new Set<Service>();
  /** services on their way down: they keep their addresses but no longer hold the default route */
  private leaving = new Set<Service>();
  /** last desired state handed to the applier, per link, to skip no-op applies */
  private linkState = new Map<number, string>();
  private defaultService?: Service;
  /** connected through Service.Connect: SingleConnectedTechnology then skips the PreferredTechnologies pass */
  private userConnected = new Set<Service>();

  /** Set by the daemon before its modules stop: keep DHCP leases (no RELEASE) for INIT-REBOOT next run. */
  shuttingDown = false;
  readonly provisioner: Provisioner;
  /** RDNSS / DNSSL / DHCPv6 for IPv6 method auto (ipv6-auto.ts) */
  readonly ipv6Auto: Ipv6Auto;
  /** Enable6to4: the one sit tunnel (sixtofour.ts) */
  readonly sixToFour: SixToFour;
  /** Clock.Timeservers and TimeUpdates live with the Clock (dbus/api.ts sets this); config alone until then */
  globalTime: () => GlobalTimeSources;
  /** when Timeservers signals go out (connmand's timeserver.c) */
  readonly ntp: TimeServiceTracker;

  constructor(deps: ManagerDeps) {
    super(deps);
    this.globalTime = () => ({ manual: false, timeservers: [], fallback: deps.config.FallbackTimeservers,
      useGateways: deps.config.UseGatewaysAsTimeservers });
    this.ntp = new TimeServiceTracker((s) => this.timeserversOf(s), () => this.services.find((s) => isConnected(s.state)));
    this.provisioner = new Provisioner(this, deps.provisioning);
    this.ipv6Auto = new Ipv6Auto({ platform: deps.platform, clock: deps.clock, log: deps.log, onChange: (i) => this.onIpv6Extras(i),
      persist: (i, d) => this.persistDhcp6(i, d) });
    this.sixToFour = new SixToFour({ platform: deps.platform, clock: deps.clock, log: deps.log,
      raSeen: (i) => this.ipv6Auto.raSeen(i), refreshRa: () => this.ipv6Auto.refreshFlags(), checkUrl: deps.config.OnlineCheckIPv6URL });
  }

  start(): void {
    const kf = this.deps.store.loadGlobal();
    const g = readGlobalSettings(kf);
    this.offlineMode = g.offlineMode ?? false;
    // connmand writes [global] OfflineMode back at every start (connman_technology_save_offlinemode)
    if (g.offlineMode === undefined) {
      writeGlobalSettings(kf, { offlineMode: this.offlineMode });
      this.deps.store.saveGlobal(kf);
    }
    this.provisioner.start();
    this.ipv6Auto.start();
    this.updateState();
    this.deps.platform.netlink.onAddress((ev) => this.onKernelAddress(ev.type, ev.address));
    // Nameservers outside the subnet get host routes (routing.ts), so a new list re-plans the links.
    this.on('service-changed', (_s, p) => { if (p === 'Nameservers') void this.updateRouting(); });
  }

  async stop(): Promise<void> {
    this.provisioner.stop();
    for (const svc of [...this.services]) await this.removeService(svc);
    this.ipv6Auto.stop();
    await this.sixToFour.stop();
  }


  // ---- services ----

  addService(svc: Service): void {
    const cfg = this.deps.config;
    svc.favorite = cfg.DefaultFavoriteTechnologies.includes(svc.type);
    svc.autoconnect = cfg.DefaultAutoConnectTechnologies.includes(svc.type);
    // service_register: a *.config section that matches wins over the saved settings
    const prov = this.provisioner.provision(svc);
    if (!prov) this.loadService(svc);
    svc.notify = (s, p) => this.emit('service-changed', s, p);
    this.services.push(svc);
    this.emit('service-added', svc);
    this.sort();
    const cable = svc.type === 'ethernet' || svc.type === 'gadget';
    // A provisioned cable connects at once whatever AutoConnect says (try_provision_service).
    if (prov && cable) { this.connectSoon(svc); return; }
    if (!svc.favorite || !svc.autoconnect) return;
    this.deps.log.debug('manager', `${svc.id}: favourite with AutoConnect, connecting`);
    // ConnMan connects a favourite cable as soon as it appears, whatever else is connected, so
    // every plugged uplink comes up (service_complete -> __connman_service_connect for these types).
    if (cable) this.connectSoon(svc); else this.scheduleAutoconnect();
  }

  /** Connects on the next turn (reason auto) unless the service went away or was disconnected by a user. */
  connectSoon(svc: Service): void {
    this.deps.clock.setTimeout(() => {
      if (!this.services.includes(svc) || svc.state !== 'idle' || svc.ignore) return;
      this.connectService(svc, 'auto').catch((e) => this.deps.log.debug('manager', `autoconnect ${svc.id}: ${(e as Error).message}`));
    }, 0);
  }

  async removeService(svc: Service): Promise<void> {
    if (!this.services.includes(svc)) return;
    this.carrierGone.add(svc);
    try {
      if (isConnected(svc.state) || isConnecting(svc.state)) await this.bringDown(svc, false);
    } finally { this.carrierGone.delete(svc); }
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
    if (reason === 'user') this.userConnected.add(svc); else this.userConnected.delete(svc);
    if (svc.error) svc.set('error', undefined, 'Error');
    return new Promise<void>((resolve, reject) => this.beginConnect(svc, reason, resolve, reject));
  }

  /** The body of a Connect, also rerun when the agent answers ReportError with Retry. */
  private beginConnect(svc: Service, reason: ConnectReason, resolve: () => void, reject: (e: ConnmanError) => void): void {
    const timer = this.deps.clock.setTimeout(() => {
      this.pending.delete(svc);
      reject(new ConnmanError('OperationTimeout'));
      void this.failService(svc, 'connect-failed');
    }, CONNECT_TIMEOUT_MS);
    this.pending.set(svc, { resolve, reject, timer, reason });
    // A secured network without a passphrase asks the agent first (connmand: ENOKEY -> RequestInput).
    const needsInput = svc.driver ? svc.driver.needsInput(svc) : svc.security !== 'none' && !svc.passphrase;
    if (needsInput) {
      askForInput(this.deps.agent, svc, reason === 'user' ? this.callerOf(svc) : undefined).then((answer) => {
        if (this.pending.get(svc)?.timer !== timer) return;
        if (answer.error) {
          const p = this.pending.get(svc)!;
          this.pending.delete(svc);
          p.timer.cancel();
          p.reject(answer.error);
          if (answer.invalidKey) void this.failService(svc, 'invalid-key');
          return;
        }
        if (answer.passphrase !== undefined) svc.passphrase = answer.passphrase;
        this.associate(svc, { name: answer.name, identity: answer.identity });
      }, () => undefined);
      return;
    }
    this.associate(svc, {});
  }

  /** The network driver's part of a connect (Wi-Fi association), then IP configuration. */
  private associate(svc: Service, input: { name?: string; identity?: string }): void {
    const driver = svc.driver;
    if (!driver) { this.startIPConfig(svc); return; }
    const timer = this.pending.get(svc)?.timer;
    this.setState(svc, 'association');
    driver.connect(svc, input).then((how) => {
      if (!timer || this.pending.get(svc)?.timer !== timer) return;
      if (how === 'associated') { this.startIPConfig(svc); return; }
      const p = this.pending.get(svc)!;
      this.pending.delete(svc);
      p.timer.cancel();
      this.setState(svc, 'idle');
      p.resolve();
    }, (e: { serviceError?: Service['error'] }) => {
      if (!timer || this.pending.get(svc)?.timer !== timer) return;
      void this.failService(svc, e?.serviceError ?? 'connect-failed');
    });
  }

  /** D-Bus sender of the Connect in flight, so the caller's own agent is asked (set by the adapter). */
  private callers = new Map<Service, string>();
  setCaller(svc: Service, sender: string | undefined): void {
    if (sender) this.callers.set(svc, sender); else this.callers.delete(svc);
  }
  private callerOf(svc: Service): string | undefined { return this.callers.get(svc); }

  /** Service.Disconnect from a user: also blocks autoconnect until the next Connect. */
  async disconnectService(svc: Service, user: boolean): Promise<void> {
    if (!isConnected(svc.state) && !isConnecting(svc.state) && !this.pending.has(svc)) throw new ConnmanError('NotConnected');
    if (user) svc.ignore = true;
    // a passphrase request still open for this service is withdrawn (connman_agent_cancel)
    this.deps.agent?.cancel(svc);
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

  /**
   * Service.ClearProperty("Error"): failure -> idle, a Connect still waiting is answered with
   * Failed "Input/output error", and autoconnect gets another go.
   */
  clearError(svc: Service): void {
    svc.set('error', undefined, 'Error');
    const p = this.pending.get(svc);
    if (p) {
      this.pending.delete(svc);
      p.timer.cancel();
      p.reject(new ConnmanError('Failed', 'Input/output error'));
    }
    if (svc.state === 'failure') this.setState(svc, 'idle');
    this.scheduleAutoconnect();
  }

  /** MoveBefore/MoveAfter, by __connman_service_move's rules (see service-ops.ts). */
  moveService(svc: Service, target: Service, after: boolean): void {
    checkMove(svc, target);
    svc.modified = new Date();
    this.saveService(svc);
    this.saveService(target);
    // MoveBefore puts svc right before target; MoveAfter puts target right before svc.
    const [demoted, promoted] = after ? [svc, target] : [target, svc];
    this.services = switchOrder(this.services, demoted, promoted);
    this.emit('services-sorted');
    void this.updateRouting();
  }

  /** Service.Remove(): see service-ops.ts for who may be removed. */
  async forgetService(svc: Service): Promise<void> {
    checkRemovable(svc);
    if (isConnected(svc.state) || isConnecting(svc.state) || this.pending.has(svc)) {
      this.deps.agent?.cancel(svc);
      await this.bringDown(svc, true);
    }
    await svc.driver?.forget?.(svc).catch((e) => this.deps.log.debug('manager', `${svc.id}: forget: ${(e as Error).message}`));
    svc.passphrase = undefined;
    if (svc.error) svc.set('error', undefined, 'Error');
    if (svc.favorite) svc.set('favorite', false, 'Favorite');
    svc.notify(svc, 'AutoConnect');
    svc.ipv6Privacy = 'disabled';
    this.saved.forget(svc.id);
    this.sort();
  }

  /** The NTP servers a service would use, best first (what its Timeservers property shows while connected). */
  timeserversOf(svc: Service): string[] { return timeserversFor(svc, this.globalTime()); }

  /** Nameservers/Timeservers/Domains.Configuration: the data changes here; resolv.conf follows it. */
  setListConfig(svc: Service, which: 'nameservers' | 'timeservers' | 'domains', values: string[]): void {
    if (svc.immutable) throw new ConnmanError('NotSupported');
    const cleaned = cleanList(which, values);
    const [field, prop, eff] = LIST_FIELDS[which];
    svc[field] = cleaned;
    svc.notify(svc, prop);
    if (which === 'timeservers') this.ntp.configChanged(svc); else svc.notify(svc, eff);
    // re-adding the nameservers queues one more Nameservers signal for the next idle turn
    if (which === 'nameservers') {
      this.deps.clock.setTimeout(() => {
        const idle = svc.state === 'idle' || svc.state === 'disconnect' || svc.state === 'failure';
        if (isConnected(svc.state) || (idle && !svc.nameservers.length)) svc.notify(svc, 'Nameservers');
      }, 0);
    }
    this.saveService(svc);
    if (which !== 'timeservers') this.writeResolv();
  }

  setProxyConfig(svc: Service, cfg: ProxyConfig): void {
    if (svc.immutable) throw new ConnmanError('NotSupported');
    svc.proxyConfig = cfg;
    svc.notify(svc, 'Proxy.Configuration');
    svc.notify(svc, 'Proxy');
    this.saveService(svc);
  }

  setMdnsConfig(svc: Service, on: boolean): void {
    if (svc.immutable) throw new ConnmanError('NotSupported');
    svc.mdnsConfig = on;
    svc.notify(svc, 'mDNS.Configuration');
    this.saveService(svc);
  }

  /** SetProperty IPv4.Configuration: validate (done by the caller), store, and re-apply live. */
  async setIPv4Config(svc: Service, cfg: IPv4Config): Promise<void> {
    if (svc.immutable || svc.type === 'vpn') throw new ConnmanError('NotSupported');
    const active = isConnected(svc.state) || isConnecting(svc.state);
    if (active) {
      // connmand sees the old address leave only once the next lease is bound, so the method-only
      // IPv4 signal comes then
      svc.ipv4Rebinding = (await this.stopIPv4(svc, true)) && (cfg.method === 'dhcp' || cfg.method === 'auto');
      // connmand enables a fresh ipconfig on the up link, which announces the link (service_up)
      svc.notify(svc, 'Ethernet');
    }
    if (cfg.method !== svc.ipv4Config.method) svc.notify(svc, 'IPv4');
    svc.ipv4Config = cfg;
    svc.notify(svc, 'IPv4.Configuration');
    if (svc.modified) this.saveService(svc);
    if (active) this.startIPv4(svc);
  }

  /** SetProperty IPv6.Configuration, likewise. */
  async setIPv6Config(svc: Service, cfg: IPv6Config): Promise<void> {
    if (svc.immutable || svc.type === 'vpn') throw new ConnmanError('NotSupported');
    const active = isConnected(svc.state) || isConnecting(svc.state);
    // connmand's IPv6 side is under way whenever its method is not off; the fresh ipconfig it then
    // enables on the up link announces the link (service_up) right away, otherwise only once started
    const v6Active = active && svc.ipv6Config.method !== 'off';
    if (active) this.stopIPv6(svc);
    if (v6Active) svc.notify(svc, 'Ethernet');
    if (cfg.method !== svc.ipv6Config.method) svc.notify(svc, 'IPv6');
    svc.ipv6Config = cfg;
    svc.notify(svc, 'IPv6.Configuration');
    if (svc.modified) this.saveService(svc);
    if (active && !v6Active && cfg.method !== 'off') svc.notify(svc, 'Ethernet');
    if (active) this.startIPv6(svc);
    await this.updateRouting();
  }

  private startIPConfig(svc: Service): void {
    this.setState(svc, 'configuration');
    this.startIPv6(svc);
    this.startIPv4(svc);
  }

  private startIPv4(svc: Service): void {
    switch (svc.ipv4Config.method) {
      case 'dhcp':
      case 'auto':
        this.startDhcp(svc);
        return;
      case 'manual':
      case 'fixed':
        void this.startStaticIPv4(svc);
        return;
      case 'off':
        this.maybeReadyWithoutIPv4(svc);
        return;
    }
  }

  private async startStaticIPv4(svc: Service): Promise<void> {
    const c = svc.ipv4Config;
    if (!c.address) return; // manual without an address: nothing to configure, as in ConnMan
    this.setState(svc, 'configuration');
    if (this.deps.config.AddressConflictDetection) {
      this.guardStaticIPv4(svc, c.address);
      return;
    }
    await this.installStaticIPv4(svc);
  }

  /** The address goes on the link only once ACD found it free; a conflict leads to IPv4-LL. */
  private guardStaticIPv4(svc: Service, address: string): void {
    conflictWatchStarted(svc);
    const guard: StaticIpv4Acd = new StaticIpv4Acd(this.deps.platform, { ifindex: svc.ifindex, ifname: svc.ifname, mac: svc.mac }, {
      available: (a) => {
        if (this.staticAcd.get(svc) !== guard) return;
        conflictProbeOk(svc, a);
        void this.installStaticIPv4(svc);
      },
      conflict: (a, other) => {
        if (this.staticAcd.get(svc) !== guard) return;
        conflictSeen(svc, a, other);
        this.staticV4.delete(svc);
        void this.staticIPv4Gone(svc);
      },
      linkLocal: (a) => {
        if (this.staticAcd.get(svc) !== guard) return;
        this.staticLL.set(svc, a);
        void this.updateRouting().then(() => {
          if (this.staticLL.get(svc) !== a) return;
          svc.ipv4 = { address: a, prefixLength: 16 };
          if (!isConnected(svc.state)) this.setState(svc, 'ready');
          svc.notify(svc, 'IPv4');
        });
      },
      linkLocalLost: () => {
        if (this.staticAcd.get(svc) !== guard) return;
        this.staticLL.delete(svc);
        void this.staticIPv4Gone(svc);
      },
    });
    this.staticAcd.set(svc, guard);
    guard.start(address);
  }

  private async staticIPv4Gone(svc: Service): Promise<void> {
    await this.updateRouting();
    if (!svc.ipv4) return;
    svc.ipv4 = undefined;
    if (isConnected(svc.state) && !svc.ipv6) this.setState(svc, 'configuration');
    svc.notify(svc, 'IPv4');
  }

  private async installStaticIPv4(svc: Service): Promise<void> {
    const c = svc.ipv4Config;
    if (!c.address) return;
    this.staticV4.add(svc);
    await this.updateRouting();
    if (!this.staticV4.has(svc)) return;
    svc.ipv4 = { address: c.address, prefixLength: c.prefixLength ?? 24, gateway: c.gateway };
    this.setState(svc, 'ready');
    svc.notify(svc, 'IPv4');
    this.writeResolv();
  }

  private stopStaticAcd(svc: Service): void {
    this.staticAcd.get(svc)?.stop();
    this.staticAcd.delete(svc);
    this.staticLL.delete(svc);
  }

  /** IPv4 off: the service is ready once IPv6 is (manual at once, auto when SLAAC gives an address). */
  private maybeReadyWithoutIPv4(svc: Service): void {
    if (svc.ipv4Config.method === 'off' && svc.ipv6 && isConnecting(svc.state)) {
      this.setState(svc, 'ready');
      this.writeResolv(); // RDNSS / DHCPv6 servers learnt while connecting reach the proxy now
    }
  }

  /** Returns whether the service had an IPv4 address. */
  private async stopIPv4(svc: Service, release: boolean): Promise<boolean> {
    const dhcp = this.ipv4.get(svc);
    this.ipv4.delete(svc);
    this.staticV4.delete(svc);
    this.stopStaticAcd(svc);
    this.dhcpLink.delete(svc);
    if (dhcp) await dhcp.stop(release);
    const had = svc.ipv4 !== undefined;
    svc.ipv4 = undefined;
    svc.lease = undefined;
    await this.updateRouting();
    if (had) {
      // the lease's domain goes with it; IPv4 itself is announced by the caller, as connmand does
      svc.domains = [];
      svc.notify(svc, 'Domains');
      if (isConnected(svc.state) && !svc.ipv6) this.setState(svc, 'configuration');
    }
    return had;
  }

  private startIPv6(svc: Service): void {
    const c = svc.ipv6Config;
    try { this.deps.platform.setIPv6Enabled(svc.ifname, c.method !== 'off'); } catch (e) {
      this.deps.log.debug('manager', `ipv6 ${svc.ifname}: ${(e as Error).message}`);
    }
    if ((c.method === 'manual' || c.method === 'fixed') && c.address) {
      this.staticV6.add(svc);
      svc.ipv6 = { address: c.address, prefixLength: c.prefixLength ?? 64, gateway: c.gateway };
      void this.updateRouting().then(() => { svc.notify(svc, 'IPv6'); this.maybeReadyWithoutIPv4(svc); });
    } else if (c.method === 'auto') {
      this.ipv6Auto.begin({ ifindex: svc.ifindex, ifname: svc.ifname, mac: svc.mac, privacy: c.privacy, duid: svc.dhcp6Duid });
      const all = this.deps.platform.netlink.listAddresses(svc.ifindex, 6).filter((a) => a.scope === 0);
      const global = (c.privacy !== 'disabled' ? all.find((a) => a.flags & 0x01) : undefined) ?? all.find((a) => !(a.flags & 0x01)) ?? all[0];
      if (global) svc.ipv6 = { address: global.address, prefixLength: global.prefixLength };
    }
  }

  private stopIPv6(svc: Service): void {
    this.staticV6.delete(svc);
    this.ipv6Auto.end(svc.ifindex, true);
    if (svc.ipv6) {
      svc.ipv6 = undefined;
      svc.notify(svc, 'IPv6');
    }
  }

  /** SLAAC addresses the kernel configures for method auto show up in the IPv6 property. */
  private onKernelAddress(type: 'new' | 'del', a: { index: number; family: 4 | 6; address: string; prefixLength: number; scope: number }): void {
    if (a.family !== 6 || a.scope !== 0) return;
    const svc = this.services.find((s) => s.ifindex === a.index && s.ipv6Config.method === 'auto');
    if (!svc || !(isConnected(svc.state) || isConnecting(svc.state))) return;
    // With privacy on, connmand shows the newest address, which is the kernel's temporary one (IFA_F_TEMPORARY).
    const temporary = ((a as { flags?: number }).flags ?? 0) & 0x01;
    if (type === 'new' && (!svc.ipv6 || (temporary && svc.ipv6Config.privacy !== 'disabled' && svc.ipv6.address !== a.address))) {
      svc.ipv6 = { address: a.address, prefixLength: a.prefixLength };
      svc.notify(svc, 'IPv6');
      this.maybeReadyWithoutIPv4(svc);
    } else if (type === 'del' && svc.ipv6?.address === a.address) {
      svc.ipv6 = undefined;
      svc.notify(svc, 'IPv6');
    }
  }

  /** DHCPv6 made a DUID or was delegated prefixes: kept in the service's settings as ConnMan keeps them. */
  private persistDhcp6(ifindex: number, d: { duid?: string; prefixes?: string[] }): void {
    const svc = this.services.find((s) => s.ifindex === ifindex && (isConnected(s.state) || isConnecting(s.state)));
    if (!svc) return;
    if (d.duid) svc.dhcp6Duid = d.duid;
    if (d.prefixes) svc.dhcp6LastPrefixes = [...d.prefixes];
    this.saveService(svc);
  }

  /** RA / DHCPv6 lists changed: the service's lists are the IPv4 lease's followed by IPv6's. */
  private onIpv6Extras(ifindex: number): void {
    const svc = this.services.find((s) => s.ifindex === ifindex && (isConnected(s.state) || isConnecting(s.state)));
    if (!svc) return;
    const v6 = this.ipv6Auto.extras(ifindex);
    const l = svc.lease;
    const v4dom = l ? [...(l.domainName ? [l.domainName] : []), ...(l.searchDomains ?? [])] : [];
    const next = {
      nameservers: uniq([...(svc.ipv4 && l ? l.dns : []), ...v6.nameservers]),
      domains: uniq([...v4dom, ...v6.domains]).filter((d) => isValidHostname(d)),
      timeservers: uniq([...(l?.ntp ?? []), ...v6.timeservers]),
    };
    const props = { nameservers: 'Nameservers', domains: 'Domains', timeservers: 'Timeservers' } as const;
    let dns = false;
    for (const k of ['nameservers', 'domains', 'timeservers'] as const) {
      if (next[k].join() === svc[k].join()) continue;
      svc[k] = next[k];
      svc.notify(svc, props[k]);
      if (k !== 'timeservers') dns = true;
    }
    if (dns) this.writeResolv();
  }

  // ---- routing: one desired state per link from the whole ordered service list ----

  private linkState4(svc: Service): ServiceLinkState['v4'] {
    if (svc.ipv4Config.method === 'dhcp' || svc.ipv4Config.method === 'auto') {
      const d = this.dhcpLink.get(svc);
      const a = d?.addresses.find((x) => x.family === 4);
      if (!d || !a) return undefined;
      const gateway = d.routes.find((r) => r.family === 4 && r.prefixLength === 0)?.gateway;
      const l = svc.lease && svc.lease.address === a.address ? svc.lease : undefined;
      // Option 121 replaces option 3 (RFC 3442); option 33 host routes come beside either.
      const routes: StaticRoute[] = [
        ...(l?.classlessRoutes ?? []).map((r) => ({ dst: r.destination, prefixLength: r.prefixLength, gateway: r.gateway })),
        ...(l?.staticRoutes ?? []).map((r) => ({ dst: r.destination, prefixLength: 32, gateway: r.gateway })),
      ];
      return { address: a.address, prefixLength: a.prefixLength, broadcast: a.broadcast, gateway, routes,
        classless: (l?.classlessRoutes?.length ?? 0) > 0 };
    }
    if (this.staticV4.has(svc) && svc.ipv4Config.address) {
      const c = svc.ipv4Config;
      return { address: c.address!, prefixLength: c.prefixLength ?? 24, gateway: c.gateway };
    }
    const ll = this.staticLL.get(svc);
    if (ll) return { address: ll, prefixLength: 16 };
    return undefined;
  }

  /** Recomputes every link and applies what changed; the default service's link goes first. */
  updateRouting(): Promise<void> {
    const states = this.services.filter((s) => s.ifindex >= 0).map((s) => ({
      ifindex: s.ifindex,
      v4: this.linkState4(s),
      v6: this.staticV6.has(s) ? s.ipv6 : undefined,
      // the lease's list, not s.nameservers: routes are computed before onBound copies it over
      nameservers: s.nameserversConfig.length ? s.nameserversConfig : [...s.provisionedNameservers, ...(s.lease?.dns ?? s.nameservers)],
      routable: isConnected(s.state) && !this.leaving.has(s),
      svc: s,
    }));
    const desired = desiredLinks(states);
    const def = states.find((s) => s.routable)?.svc;
    if (def !== this.defaultService) {
      this.defaultService = def;
      if (def) this.onDefaultChanged(def);
      if (this.prefixDelegation) this.ipv6Auto.setPrefixDelegation(def?.ifindex);
    }
    for (const idx of this.linkState.keys()) if (!desired.has(idx)) desired.set(idx, EMPTY_LINK_CONFIG);
    const work: Promise<void>[] = [];
    for (const [idx, cfg] of desired) {
      const key = JSON.stringify(cfg);
      if (this.linkState.get(idx) === key) continue;
      if (cfg === EMPTY_LINK_CONFIG) this.linkState.delete(idx); else this.linkState.set(idx, key);
      work.push(this.deps.applier.apply(idx, cfg));
    }
    return Promise.all(work).then(() => undefined);
  }

  /**
   * Tethering's request for a delegated prefix (IA_PD) from the uplink, i.e. the default service,
   * followed as the default changes; the prefix lands in that service's IPv6.DHCP.LastPrefixes and
   * in ipv6Auto.delegatedPrefixes().
   */
  setPrefixDelegation(on: boolean): void {
    this.prefixDelegation = on;
    this.ipv6Auto.setPrefixDelegation(on ? this.defaultService?.ifindex : undefined);
  }

  /** ConnMan applies the DHCP hostname and domain name when their service becomes the default one. */
  private onDefaultChanged(svc: Service): void {
    const l = svc.lease;
    if (!l) return;
    try {
      if (l.hostname && this.deps.config.AllowHostnameUpdates && isValidHostname(l.hostname)) this.deps.platform.setHostname(l.hostname);
      if (l.domainName && this.deps.config.AllowDomainnameUpdates && isValidHostname(l.domainName)) this.deps.platform.setDomainname(l.domainName);
    } catch (e) {
      this.deps.log.warn(`hostname update: ${(e as Error).message}`);
    }
  }

  private dhcpApplier(svc: Service): Applier {
    return {
      apply: (_ifindex, desired) => {
        if (desired.addresses.length) this.dhcpLink.set(svc, desired); else this.dhcpLink.delete(svc);
        return this.updateRouting();
      },
    };
  }

  private startDhcp(svc: Service): void {
    this.setState(svc, 'configuration');
    const dhcp = new Ipv4Dhcp(this.deps.platform, this.dhcpApplier(svc),
      { ifindex: svc.ifindex, ifname: svc.ifname, mac: svc.mac },
      {
        bound: (lease) => { if (this.ipv4.get(svc) === dhcp) this.onBound(svc, lease); },
        linkLocal: (address) => { if (this.ipv4.get(svc) === dhcp) this.onBound(svc, linkLocalLease(address)); },
        acdStarted: () => conflictWatchStarted(svc),
        conflict: (address, other) => { if (this.ipv4.get(svc) === dhcp) conflictSeen(svc, address, other); },
        acdAvailable: (address) => { if (this.ipv4.get(svc) === dhcp) conflictProbeOk(svc, address); },
        lost: () => {
          if (this.ipv4.get(svc) !== dhcp) return;
          void this.sixToFour.remove(svc.id);
          svc.ipv4 = undefined;
          svc.nameservers = this.ipv6Auto.extras(svc.ifindex).nameservers;
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
        hostname: dhcpHostname(),
        leaseStore: this.deps.store instanceof FileStore ? new FileLeaseStore(`${this.deps.store.dir}/${svc.id}`) : undefined,
      });
    this.ipv4.set(svc, dhcp);
    dhcp.start();
  }

  /** Signal order follows connmand 1.41's (test/fixtures/connmand-1.41/signals-1-start-to-ready.log). */
  private onBound(svc: Service, lease: Dhcp4Lease): void {
    const renewal = isConnected(svc.state);
    svc.lastDhcpAddress = lease.address;
    svc.lease = lease;
    this.applyMtu(svc, lease.mtu);
    this.probe6to4(svc, lease.address);
    const domains = [...(lease.domainName ? [lease.domainName] : []), ...(lease.searchDomains ?? [])];
    const v6 = this.ipv6Auto.extras(svc.ifindex);
    domains.push(...v6.domains);
    svc.domains = domains.filter((d, i) => domains.indexOf(d) === i && isValidHostname(d));
    svc.timeservers = uniq([...lease.ntp, ...v6.timeservers]);
    if (renewal) {
      svc.ipv4Rebinding = false;
      svc.ipv4 = { address: lease.address, prefixLength: lease.prefixLength, gateway: lease.routers[0], broadcast: lease.broadcast };
      svc.nameservers = uniq([...lease.dns, ...v6.nameservers]);
      for (const p of ['IPv4', 'Nameservers', 'Domains', 'Timeservers'] as const) svc.notify(svc, p);
      this.writeResolv();
      void this.updateRouting();
      return;
    }
    svc.ipv4 = { address: lease.address, prefixLength: lease.prefixLength, broadcast: lease.broadcast };
    svc.notify(svc, 'Domains');
    this.setState(svc, 'ready', () => {
      for (const p of ['Domains', 'Proxy'] as const) svc.notify(svc, p);
    });
    if (svc.ipv4Rebinding) {
      svc.notify(svc, 'IPv4');
      svc.ipv4Rebinding = false;
    }
    svc.notify(svc, 'IPv4');
    this.ntp.sync(svc);
    svc.ipv4 = { ...svc.ipv4, gateway: lease.routers[0] };
    if (svc.ipv4.gateway) svc.notify(svc, 'IPv4');
    svc.nameservers = uniq([...lease.dns, ...v6.nameservers]);
    svc.notify(svc, 'Nameservers');
    this.writeResolv();
  }

  /** ConnMan probes 6to4 on every DHCP lease (dhcp.c); a lease with another address drops the old tunnel. */
  private probe6to4(svc: Service, address: string): void {
    if (!this.deps.config.Enable6to4) return;
    void this.sixToFour.remove(svc.id, address).then(() => {
      if (svc.lease?.address === address && svc.ipv6Config.method === 'auto') {
        this.sixToFour.probe(svc.id, svc.ifindex, address);
      }
    });
  }

  /** DHCP option 26, applied within ConnMan's bounds (IPv6 minimum .. Ethernet payload). */
  private applyMtu(svc: Service, mtu?: number): void {
    if (!mtu || mtu < 1280 || mtu > 1500 || mtu === svc.mtu) return;
    this.deps.platform.netlink.setLinkMtu(svc.ifindex, mtu).catch((e) => this.deps.log.warn(`mtu ${svc.ifname}: ${(e as Error).message}`));
  }

  /** Stops IP configuration and walks the service down to idle in connmand's signal order. */
  protected async bringDown(svc: Service, user: boolean): Promise<void> {
    // The next service takes the default route before this one's DHCP is even stopped: on a pulled
    // cable that is what makes failover fast. Awaited, so that no synchronous work of the teardown
    // (lease file, resolv.conf and its fsync, D-Bus signals) runs between the route requests.
    this.leaving.add(svc);
    await this.updateRouting();
    try { await this.teardown(svc, new ConnmanError('OperationAborted')); } finally { this.leaving.delete(svc); }
    svc.notify(svc, 'Domains');
    // reloads that signal only while no non-empty list is loaded for the service
    this.ntp.sync(svc);
    this.setState(svc, 'configuration');
    this.ntp.sync(svc);
    this.setState(svc, 'disconnect');
    for (const p of ['Domains', 'Proxy'] as const) svc.notify(svc, p);
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
    this.staticV4.delete(svc);
    this.stopStaticAcd(svc);
    this.staticV6.delete(svc);
    if (this.carrierGone.has(svc) && !this.shuttingDown) this.ipv6Auto.park(svc.ifindex);
    else this.ipv6Auto.end(svc.ifindex, !this.shuttingDown);
    await this.sixToFour.remove(svc.id);
    if (dhcp) await dhcp.stop(!this.shuttingDown);
    if (svc.driver) await svc.driver.disconnect(svc).catch((e) => this.deps.log.debug('manager', `${svc.id}: ${(e as Error).message}`));
    this.dhcpLink.delete(svc);
    svc.ipv4 = undefined;
    svc.ipv6 = undefined;
    svc.lease = undefined;
    await this.updateRouting();
    svc.nameservers = [];
    svc.timeservers = [];
    svc.domains = [];
  }

  private async failService(svc: Service, error: Service['error']): Promise<void> {
    const p = this.pending.get(svc);
    const report = p?.reason === 'user' && this.deps.agent?.reportError;
    if (!p || !report) {
      await this.teardown(svc, new ConnmanError('Failed', 'Input/output error'));
      svc.set('error', error, 'Error');
      this.setState(svc, 'failure');
      return;
    }
    // A user's Connect stays open while the agent hears about the failure (connmand's report_error_cb):
    // Retry connects again, asking for the key anew when it was the wrong one; any other answer leaves
    // the service idle with its Error, and the Connect fails.
    this.pending.delete(svc);
    p.timer.cancel();
    await this.teardown(svc, new ConnmanError('Failed', 'Input/output error'));
    svc.set('error', error, 'Error');
    this.setState(svc, 'failure');
    let retry: boolean | undefined;
    try { retry = await this.deps.agent!.reportError!(svc, error!, this.callerOf(svc)); } catch { retry = undefined; }
    if (retry === undefined || svc.state !== 'failure' || this.pending.has(svc) || !this.services.includes(svc)) {
      p.reject(new ConnmanError('Failed', 'Input/output error'));
      return;
    }
    if (!retry) {
      this.setState(svc, 'idle');
      p.reject(new ConnmanError('Failed', 'Input/output error'));
      return;
    }
    this.beginConnect(svc, 'user', p.resolve, p.reject);
  }

  /** `onEntered` runs after State is announced and before the technology and manager follow. */
  private setState(svc: Service, state: ServiceState, onEntered?: () => void): void {
    if (svc.state === state) return;
    svc.stateIPv4 = svc.ipv4Config.method === 'off' ? 'idle' : state;
    svc.stateIPv6 = svc.ipv6Config.method === 'off' ? 'idle' : state;
    svc.state = state;
    svc.notify(svc, 'State');
    // connmand re-evaluates the default service (and so NTP's) on entering ready and disconnect
    if (state === 'disconnect') this.ntp.defaultChanged();
    if (state === 'ready') {
      if (svc.error) svc.set('error', undefined, 'Error');
      this.ntp.defaultChanged();
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
    if (state === 'ready' && this.deps.config.SingleConnectedTechnology) this.keepOnlyConnected(svc);
  }

  /** SingleConnectedTechnology: every other connected service is disconnected (single_connected_tech). */
  private keepOnlyConnected(keep: Service): void {
    for (const s of this.services.filter((x) => x !== keep && isConnected(x.state))) {
      this.disconnectService(s, false).catch((e) => this.deps.log.debug('manager', `single: ${(e as Error).message}`));
    }
  }

  /** Orders the services by connmand's rules (service-order.ts); also after provisioning made favourites. */
  sort(): void {
    const before = this.services.map((s) => s.id).join();
    sortServices(this.services, this.deps.config.PreferredTechnologies);
    if (this.services.length > 1 || before !== this.services.map((s) => s.id).join()) this.emit('services-sorted');
    void this.updateRouting();
  }

  // ---- autoconnect (ConnMan runs it from an idle callback; so do we, on the next turn) ----

  scheduleAutoconnect(): void {
    if (this.autoconnectScheduled) return;
    this.autoconnectScheduled = true;
    this.deps.clock.setTimeout(() => { this.autoconnectScheduled = false; this.runAutoconnect(); }, 0);
  }

  private runAutoconnect(): void {
    const picks = pickAutoconnect(this.services, this.deps.config, {
      busy: (s) => this.pending.has(s) || isConnected(s.state) || isConnecting(s.state),
      powered: (s) => this.technology(s.type)?.powered ?? false,
      userConnected: (s) => this.userConnected.has(s),
    });
    for (const svc of picks) {
      this.connectService(svc, 'auto').catch((e) => this.deps.log.debug('manager', `autoconnect ${svc.id}: ${(e as Error).message}`));
    }
  }

  private writeResolv(): void {
    const ns: string[] = [];
    const dom: string[] = [];
    // Per connected service in service order (the default service first), for the DNS proxy.
    const perService: { id: string; ifindex: number; nameservers: string[]; domains: string[] }[] = [];
    for (const s of this.services) {
      if (!isConnected(s.state)) continue;
      const sns = s.nameserversConfig.length ? s.nameserversConfig : [...s.provisionedNameservers, ...s.nameservers];
      const sdom = s.domainsConfig.length ? s.domainsConfig : [...(s.domainname ? [s.domainname] : []), ...s.domains];
      ns.push(...sns);
      dom.push(...sdom);
      perService.push({ id: s.id, ifindex: s.ifindex, nameservers: [...sns], domains: [...sdom] });
    }
    try { this.deps.resolv.write(ns, dom, perService); } catch (e) {
      this.deps.log.error(`writing resolv.conf: ${(e as Error).message}`);
    }
  }
}

/** The name sent as DHCP option 12, as ConnMan does: the system's, unless it is unset or a placeholder. */
function dhcpHostname(): string | undefined {
  const name = hostname();
  return name === '' || name === '(none)' || name === 'localhost' ? undefined : name;
}

function uniq(xs: string[]): string[] { return xs.filter((x, i) => xs.indexOf(x) === i); }
