// The iwd backend (net.connman.iwd), chosen with `-W iwd`. iwd scans, roams and keeps its own known
// networks; we mirror its ordered network list into the same services the wpa_supplicant backend makes,
// connect through Network.Connect / Station.ConnectHiddenNetwork, and answer iwd's agent with the
// passphrase core got from storage or from the user's agent.
import type { Device } from '../../core/device';
import type { Manager } from '../../core/manager';
import type { Logger } from '../../core/log';
import type { TimerHandle } from '../../core/clock';
import { NetworkDriver, Service, isConnected, isConnecting } from '../../core/service';
import type { Security } from './bss';
import { DbusClient, SignalLike, errorName, unwrap } from './dbus-client';
import { NetworkGroup, ScannedBss, groupNetworks, ssidName, wifiServiceId } from './networks';
import { ConnectError, LOST_GRACE_MS } from './wifi-device';
import { IWD_STATE_DIR, writeIwd8021x } from './iwd-8021x';
import { ScanSchedule, retryFailedFavourites } from './scan-schedule';

export const IWD = 'net.connman.iwd';
const STATION = 'net.connman.iwd.Station';
const DEVICE = 'net.connman.iwd.Device';
const NETWORK = 'net.connman.iwd.Network';
const KNOWN = 'net.connman.iwd.KnownNetwork';
const OBJMGR = 'org.freedesktop.DBus.ObjectManager';
const PROPS = 'org.freedesktop.DBus.Properties';
const DBUS = 'org.freedesktop.DBus';
export const IWD_AGENT_PATH = '/net/connman/switchyard/iwd_agent';

type Props = Record<string, unknown>;

const SECURITY: Record<string, Security> = { open: 'none', psk: 'psk', '8021x': 'ieee8021x', wep: 'wep' };

/** iwd's whole object tree, kept current from InterfacesAdded/Removed and PropertiesChanged. */
export class IwdObjects {
  readonly objects = new Map<string, Map<string, Props>>();
  get(path: string, iface: string): Props | undefined { return this.objects.get(path)?.get(iface); }
  load(managed: unknown): void {
    this.objects.clear();
    for (const [path, ifaces] of Object.entries((managed ?? {}) as Record<string, Record<string, unknown>>)) this.added(path, ifaces);
  }
  added(path: string, ifaces: Record<string, unknown>): void {
    const m = this.objects.get(path) ?? new Map<string, Props>();
    for (const [i, p] of Object.entries(ifaces)) m.set(i, unwrap(p));
    this.objects.set(path, m);
  }
  removed(path: string, ifaces: string[]): void {
    const m = this.objects.get(path);
    if (!m) return;
    for (const i of ifaces) m.delete(i);
    if (m.size === 0) this.objects.delete(path);
  }
  changed(path: string, iface: string, changed: unknown, invalidated: string[]): void {
    const p = this.get(path, iface);
    if (!p) return;
    Object.assign(p, unwrap(changed));
    for (const k of invalidated) delete p[k];
  }
  /** iwd's KnownNetwork object for a network name and iwd security type, in range or not */
  knownByName(name: string, type: string): string | undefined {
    for (const [path, m] of this.objects) {
      const k = m.get(KNOWN);
      if (k?.Name === name && k.Type === type) return path;
    }
    return undefined;
  }
  /** the Device object of interface `ifname` */
  deviceByName(ifname: string): string | undefined {
    for (const [path, m] of this.objects) if (m.get(DEVICE)?.Name === ifname) return path;
    return undefined;
  }
}

/** One wireless link managed by iwd. */
export class IwdDevice implements NetworkDriver {
  path?: string;
  private readonly services = new Map<string, Service>();
  private networkOf = new Map<string, string>();
  private groups = new Map<string, NetworkGroup>();
  private current?: Service;
  private attempt?: Service;
  /** the secret iwd's agent hands out for the connect in flight */
  secret?: string;
  agentAsked = false;
  private lostTimer?: TimerHandle;
  private scanWaiters: (() => void)[] = [];
  /** iwd scans on its own; we add only the fast rescans after a loss (scan-schedule.ts) */
  private readonly schedule = new ScanSchedule();
  private rescanTimer?: TimerHandle;
  /** the service lost last and the key it was connected with */
  private lost?: { svc: Service; key?: string };

  constructor(readonly dev: Device, private readonly m: Manager, private readonly bus: DbusClient,
    private readonly objs: IwdObjects, private readonly log: Logger, private readonly iwdDir = IWD_STATE_DIR) {}

  get attached(): boolean { return this.path !== undefined; }

  async attach(): Promise<void> {
    if (this.path) return;
    this.path = this.objs.deviceByName(this.dev.ifname);
    if (!this.path) return;
    if (this.objs.get(this.path, DEVICE)?.Powered !== true) {
      await this.bus.call(IWD, this.path, PROPS, 'Set', 'ssv', [DEVICE, 'Powered', this.bus.variant('b', true)]);
    }
    await this.refresh();
    void this.scanNow().catch((e) => this.log.debug('iwd', `${this.dev.ifname}: scan: ${(e as Error).message}`));
  }

  async detach(powerOff: boolean): Promise<void> {
    this.lostTimer?.cancel();
    this.rescanTimer?.cancel();
    this.rescanTimer = undefined;
    const all = [...this.services.values()];
    this.services.clear();
    this.current = this.attempt = undefined;
    for (const s of all) await this.m.removeService(s);
    if (powerOff && this.path) {
      await this.bus.call(IWD, this.path, PROPS, 'Set', 'ssv', [DEVICE, 'Powered', this.bus.variant('b', false)]).catch(() => undefined);
    }
    this.path = undefined;
  }

  async scanNow(): Promise<void> {
    if (!this.path) return;
    const done = new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, 30_000);
      this.scanWaiters.push(() => { clearTimeout(timer); resolve(); });
    });
    try {
      await this.bus.call(IWD, this.path, STATION, 'Scan');
    } catch (e) {
      // iwd is scanning already (its own periodic scan): its end answers us as well
      if (errorName(e) !== 'net.connman.iwd.Busy' && errorName(e) !== 'net.connman.iwd.InProgress') throw e;
    }
    await done;
    // the end of the scan (onStation) also retries failed favourites
    await this.refresh();
  }

  /** iwd finished a scan or changed state. */
  onStation(changed: Props): void {
    if (changed.Scanning === false) {
      for (const w of this.scanWaiters.splice(0)) w();
      // iwd's own periodic scans too: a favourite that failed right after a loss gets another go
      void this.refresh().then(() => retryFailedFavourites(this.m, this.services.values(), (id) => this.groups.has(id))).catch(() => undefined);
    }
    if (typeof changed.State === 'string') this.onState(changed.State);
  }

  async refresh(): Promise<void> {
    if (!this.path) return;
    const [ordered] = await this.bus.call(IWD, this.path, STATION, 'GetOrderedNetworks') as [[string, number][]];
    let hiddenAps: [string, number, string][] = [];
    try { [hiddenAps] = await this.bus.call(IWD, this.path, STATION, 'GetHiddenAccessPoints') as [[string, number, string][]]; } catch { /* older iwd */ }
    const bsss: ScannedBss[] = [];
    const netOf = new Map<string, string>();
    for (const [net, signal] of ordered ?? []) {
      const p = this.objs.get(net, NETWORK);
      if (!p || typeof p.Name !== 'string') continue;
      const security = SECURITY[String(p.Type)] ?? 'none';
      const ssid = Buffer.from(p.Name, 'utf8');
      bsss.push({ ssid, security, signal: signal / 100, bssid: '', sae: security === 'psk', wpaPsk: security === 'psk' });
      netOf.set(wifiServiceId(this.dev.mac, ssid, security), net);
    }
    for (const [address, signal, type] of hiddenAps ?? []) {
      bsss.push({ ssid: Buffer.alloc(0), security: SECURITY[type] ?? 'none', signal: signal / 100, bssid: address, sae: false, wpaPsk: false });
    }
    this.networkOf = netOf;
    this.groups = groupNetworks(this.dev.mac, bsss);
    for (const g of this.groups.values()) {
      const svc = this.services.get(g.id);
      if (!svc) this.addService(g);
      else if (svc.strength !== g.strength) svc.set('strength', g.strength, 'Strength');
    }
    for (const [id, svc] of this.services) {
      if (this.groups.has(id) || svc === this.current || svc === this.attempt) continue;
      this.services.delete(id);
      void this.m.removeService(svc);
    }
    // iwd connected a known network by itself (its autoconnect): core follows
    const st = this.objs.get(this.path, STATION);
    if (st?.State === 'connected' && !this.current && !this.attempt) this.adoptConnection(String(st.ConnectedNetwork ?? ''));
  }

  private addService(g: NetworkGroup): Service {
    const svc = new Service(g.id, 'wifi');
    if (!g.hidden) { svc.name = ssidName(g.ssid); svc.ssid = g.ssid.toString('hex'); }
    svc.security = g.security;
    svc.hidden = g.hidden;
    svc.strength = g.strength;
    svc.ifindex = this.dev.ifindex;
    svc.ifname = this.dev.ifname;
    svc.mac = this.dev.mac;
    svc.mtu = 1500;
    svc.driver = this;
    this.services.set(g.id, svc);
    this.m.addService(svc);
    return svc;
  }

  private adoptConnection(net: string): void {
    const id = [...this.networkOf].find(([, n]) => n === net)?.[0];
    const svc = id ? this.services.get(id) : undefined;
    if (!svc || isConnected(svc.state) || isConnecting(svc.state)) return;
    this.m.connectService(svc, 'auto').catch((e) => this.log.debug('iwd', `${svc.id}: ${(e as Error).message}`));
  }

  needsInput(svc: Service): boolean {
    if (svc.hidden && !svc.ssid) return true;
    // 802.1X credentials live in iwd's network file, written from provisioning below
    if (svc.security === 'ieee8021x') return false;
    return svc.security !== 'none' && !svc.passphrase;
  }

  /** 802.1X: iwd's .8021x file from the provisioning section; without one iwd must know the network already. */
  private prepare8021x(svc: Service, net: string | undefined): void {
    const p = this.m.deps.provisioning?.match({ type: 'wifi', mac: svc.mac, ifname: svc.ifname, ssid: svc.ssid, security: svc.security });
    if (p?.eap && svc.ssid) {
      try {
        const file = writeIwd8021x(this.iwdDir, Buffer.from(svc.ssid, 'hex'), p);
        this.log.info(`iwd: ${svc.id}: 802.1X settings written to ${file}`);
      } catch (e) { throw new ConnectError('connect-failed', `iwd: ${(e as Error).message}`); }
      return;
    }
    const known = net ? this.objs.get(net, NETWORK)?.KnownNetwork : undefined;
    if (typeof known !== 'string' || known === '/') throw new ConnectError('connect-failed', '802.1X needs a provisioning file with EAP');
  }

  async connect(svc: Service, input: { name?: string }): Promise<'associated' | 'redirected'> {
    if (!this.path) throw new ConnectError('connect-failed', 'iwd does not manage the link');
    if (svc.hidden && !svc.ssid) {
      if (!input.name) throw new ConnectError('connect-failed', 'no network name');
      const ssid = Buffer.from(input.name, 'utf8');
      const id = wifiServiceId(this.dev.mac, ssid, svc.security);
      const real = this.services.get(id) ?? this.addService({ id, ssid, hidden: false, security: svc.security, strength: svc.strength,
        sae: true, saeOnly: false, wps: false, wpsAdvertising: false, bsss: [] });
      real.hidden = true;
      if (svc.passphrase) real.passphrase = svc.passphrase;
      svc.passphrase = undefined;
      try { await this.m.connectService(real, 'user'); } catch (e) { throw new ConnectError(real.error ?? 'connect-failed', (e as Error).message); }
      return 'redirected';
    }
    const net = this.networkOf.get(svc.id);
    if (net && this.objs.get(net, NETWORK)?.Connected === true) { this.current = svc; return 'associated'; }
    // Our storage holds the secret, not iwd's: a network iwd still knows would connect with the key it
    // kept (a forgotten or changed passphrase would never reach it), so iwd forgets it and asks us.
    const known = net ? this.objs.get(net, NETWORK)?.KnownNetwork : undefined;
    if (svc.security === 'ieee8021x') this.prepare8021x(svc, net);
    else if (svc.security !== 'none' && typeof known === 'string' && known !== '/') {
      await this.bus.call(IWD, known, KNOWN, 'Forget').catch((e) => this.log.debug('iwd', `forget ${known}: ${(e as Error).message}`));
    }
    this.attempt = svc;
    this.secret = svc.passphrase;
    const tried = svc.passphrase;
    this.agentAsked = false;
    try {
      if (net) await this.bus.call(IWD, net, NETWORK, 'Connect');
      else if (svc.hidden && svc.ssid) await this.bus.call(IWD, this.path, STATION, 'ConnectHiddenNetwork', 's', [ssidName(Buffer.from(svc.ssid, 'hex'))]);
      else throw new ConnectError('connect-failed', 'iwd does not list the network');
    } catch (e) {
      if (this.attempt === svc) this.attempt = undefined;
      if (e instanceof ConnectError) throw e;
      const name = errorName(e) ?? '';
      this.log.info(`iwd: ${svc.id}: ${name} ${(e as Error).message}`);
      // a refused key shows up as Failed after iwd asked us for it; but right after a loss the access
      // point is simply not there yet, and the key that connected it seconds ago is kept
      const justLost = this.lost?.svc === svc && this.lost.key === tried && this.schedule.fast(this.m.deps.clock.now());
      if (this.agentAsked && !justLost && svc.security !== 'none' && /\.(Failed|InvalidFormat)$/.test(name)) {
        svc.passphrase = undefined;
        throw new ConnectError('invalid-key', 'iwd: the access point refused the key');
      }
      throw new ConnectError('connect-failed', `iwd: ${name}`);
    } finally {
      this.secret = undefined;
    }
    if (this.attempt !== svc) throw new ConnectError('connect-failed', 'superseded');
    this.attempt = undefined;
    this.current = svc;
    return 'associated';
  }

  async disconnect(svc: Service): Promise<void> {
    if (this.attempt === svc) this.attempt = undefined;
    if (this.current !== svc) return;
    this.current = undefined;
    this.lostTimer?.cancel();
    this.lostTimer = undefined;
    if (!this.path) return;
    await this.bus.call(IWD, this.path, STATION, 'Disconnect').catch(() => undefined);
    // a user's Disconnect or Remove keeps iwd from reconnecting on its own, as AutoConnect=false would
    const net = this.networkOf.get(svc.id);
    const known = net ? this.objs.get(net, NETWORK)?.KnownNetwork : undefined;
    if (typeof known === 'string' && known !== '/' && (svc.ignore || !svc.autoconnect)) {
      await this.bus.call(IWD, known, PROPS, 'Set', 'ssv', [KNOWN, 'AutoConnect', this.bus.variant('b', false)]).catch(() => undefined);
    }
  }

  /**
   * Service.Remove: iwd forgets the network too. Otherwise its own autoconnect would keep joining a
   * network the user removed (with the key iwd saved), and Switchyard would have to follow.
   */
  async forget(svc: Service): Promise<void> {
    const net = this.networkOf.get(svc.id);
    let known = net ? this.objs.get(net, NETWORK)?.KnownNetwork : undefined;
    if ((typeof known !== 'string' || known === '/') && svc.ssid) {
      const type = Object.keys(SECURITY).find((t) => SECURITY[t] === svc.security);
      known = type ? this.objs.knownByName(ssidName(Buffer.from(svc.ssid, 'hex')), type) : undefined;
    }
    if (typeof known !== 'string' || known === '/') return;
    await this.bus.call(IWD, known, KNOWN, 'Forget').catch((e) => this.log.debug('iwd', `forget ${known}: ${(e as Error).message}`));
  }

  private onState(state: string): void {
    const svc = this.current;
    if (!svc) {
      // iwd connected a known network by itself (its autoconnect, e.g. to the other access point after
      // a loss): core follows at once, not only after iwd's next scan
      const net = this.path ? this.objs.get(this.path, STATION)?.ConnectedNetwork : undefined;
      if (state === 'connected' && !this.attempt && typeof net === 'string' && net !== '/') this.adoptConnection(net);
      return;
    }
    if (state === 'connected' || state === 'roaming') {
      this.lostTimer?.cancel();
      this.lostTimer = undefined;
      // iwd's own autoconnect may have put another known network up while ours was gone: ours is
      // lost, and core follows the one iwd connected
      const now = this.path ? this.objs.get(this.path, STATION)?.ConnectedNetwork : undefined;
      const ours = this.networkOf.get(svc.id);
      if (state === 'connected' && typeof now === 'string' && now !== '/' && ours && now !== ours) {
        this.lose(svc);
        this.adoptConnection(now);
      }
      return;
    }
    // "connecting" alone is not a loss: iwd going from one access point of the network to another
    // without a roam passes through it, and is back within the grace period
    if (state === 'disconnected' && !this.lostTimer) {
      this.lostTimer = this.m.deps.clock.setTimeout(() => {
        this.lostTimer = undefined;
        if (this.current === svc) this.lose(svc);
      }, LOST_GRACE_MS);
    }
  }

  private lose(svc: Service): void {
    this.log.info(`iwd: ${this.dev.ifname} lost ${svc.id}`);
    this.current = undefined;
    this.schedule.lost(this.m.deps.clock.now());
    this.lost = { svc, key: svc.passphrase };
    this.m.disconnectService(svc, false).catch(() => undefined);
    this.rescanSoon();
  }

  /**
   * After a loss, a scan every few seconds for a while, so the network shows up again (and autoconnect
   * reaches it) as soon as it is back on air, not at iwd's next periodic scan, which may be minutes away.
   */
  private rescanSoon(): void {
    this.rescanTimer?.cancel();
    this.rescanTimer = undefined;
    const clock = this.m.deps.clock;
    if (!this.path || this.current || !this.schedule.fast(clock.now())) return;
    this.rescanTimer = clock.setTimeout(() => {
      this.rescanTimer = undefined;
      if (this.current || this.attempt) { this.rescanSoon(); return; }
      this.scanNow().catch((e) => this.log.debug('iwd', `${this.dev.ifname}: rescan: ${(e as Error).message}`)).finally(() => this.rescanSoon());
    }, this.schedule.next(clock.now()) * 1000);
  }
}

/** Follows iwd on the bus, routes its signals to the devices and serves its agent. */
export class IwdClient {
  readonly objs = new IwdObjects();
  owner?: string;
  private offs: (() => Promise<void>)[] = [];

  constructor(private readonly bus: DbusClient, private readonly log: Logger,
    private readonly devices: () => IwdDevice[], private readonly appeared: () => Promise<void>, private readonly vanished: () => Promise<void>) {}

  async start(): Promise<void> {
    this.bus.export?.(IWD_AGENT_PATH, [{
      name: 'net.connman.iwd.Agent', signals: [],
      methods: [
        { name: 'Release', in: [], out: [], handler: () => [] },
        { name: 'Cancel', in: [{ name: 'reason', type: 's' }], out: [], handler: () => [] },
        { name: 'RequestPassphrase', in: [{ name: 'network', type: 'o' }], out: [{ name: 'passphrase', type: 's' }],
          handler: () => {
            const d = this.devices().find((x) => x.secret !== undefined);
            if (!d) throw new Error('no passphrase for this network');
            d.agentAsked = true;
            return [d.secret];
          } },
      ],
    }]);
    this.offs.push(await this.bus.subscribe({ sender: DBUS, interface: DBUS, member: 'NameOwnerChanged', arg0: IWD },
      (s) => void this.ownerChanged(String(s.body[2] ?? ''))));
    this.offs.push(await this.bus.subscribe({ sender: IWD }, (s) => this.route(s)));
    const owner = await this.bus.nameOwner(IWD);
    if (owner) await this.ownerChanged(owner);
  }

  async stop(): Promise<void> {
    for (const off of this.offs.splice(0)) await off();
    this.bus.unexport?.(IWD_AGENT_PATH);
  }

  private async ownerChanged(owner: string): Promise<void> {
    if (!owner) {
      if (!this.owner) return;
      this.log.info('iwd left the bus');
      this.owner = undefined;
      this.objs.objects.clear();
      await this.vanished();
      return;
    }
    this.owner = owner;
    this.log.info(`iwd is on the bus (${owner})`);
    const [managed] = await this.bus.call(IWD, '/', OBJMGR, 'GetManagedObjects');
    this.objs.load(managed);
    await this.bus.call(IWD, '/net/connman/iwd', 'net.connman.iwd.AgentManager', 'RegisterAgent', 'o', [IWD_AGENT_PATH])
      .catch((e) => this.log.warn(`iwd: RegisterAgent: ${(e as Error).message}`));
    await this.appeared();
  }

  private route(s: SignalLike): void {
    if (!this.owner || s.sender !== this.owner) return;
    if (s.interface === OBJMGR && s.member === 'InterfacesAdded') {
      this.objs.added(String(s.body[0]), (s.body[1] ?? {}) as Record<string, unknown>);
      if (((s.body[1] ?? {}) as Record<string, unknown>)[STATION]) void this.appeared();
    } else if (s.interface === OBJMGR && s.member === 'InterfacesRemoved') {
      this.objs.removed(String(s.body[0]), (s.body[1] ?? []) as string[]);
    } else if (s.interface === PROPS && s.member === 'PropertiesChanged') {
      const iface = String(s.body[0]);
      this.objs.changed(s.path, iface, s.body[1], (s.body[2] ?? []) as string[]);
      if (iface === STATION) {
        const d = this.devices().find((x) => x.path === s.path);
        d?.onStation(unwrap(s.body[1]));
      }
    }
  }
}
