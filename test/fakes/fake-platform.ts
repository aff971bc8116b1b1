// A complete in-memory Platform: links you can add, change and remove; every netlink request recorded
// (and applied to an address table); DHCPv4 clients whose events a test scripts by hand.
import type {
  AcdClient, AcdEvent, ArpOptions, Ipv4llClient, Ipv4llEvent,
  AddressEvent, AddressInfo, AddressSpec, Dhcp4Client, Dhcp4Event, Dhcp4Lease, Dhcp4Options, LinkEvent, LinkInfo,
  Netlink, Platform, RouteSpec, RouteEvent, RouteInfo, RuleEvent, RuleInfo, RuleSpec, SitTunnelSpec,
} from '../../ts/platform/types';
import { PlatformError } from '../../ts/platform/types';

export type NetlinkRequest =
  | { op: 'setLinkUp'; index: number; up: boolean }
  | { op: 'addAddress' | 'delAddress'; spec: AddressSpec }
  | { op: 'addRoute' | 'delRoute'; route: RouteSpec }
  | { op: 'addRule' | 'delRule'; rule: RuleSpec }
  | { op: 'setLinkMtu'; index: number; mtu: number }
  | { op: 'addSitTunnel'; spec: SitTunnelSpec; index: number }
  | { op: 'delLink'; index: number };

export const IFF_UP = 0x1;
export const IFF_RUNNING = 0x40;
export const IFF_LOWER_UP = 0x10000;

export function ethernetLink(index: number, name: string, mac: string, flags = 0): LinkInfo {
  return { index, name, arphrd: 1, mac, flags, mtu: 1500, operstate: 2, kind: '', wireless: false };
}

export function loopbackLink(): LinkInfo {
  return { index: 1, name: 'lo', arphrd: 772, mac: '00:00:00:00:00:00', flags: 0x8, mtu: 65536, operstate: 0, kind: '', wireless: false };
}

export class FakeNetlink implements Netlink {
  readonly links = new Map<number, LinkInfo>();
  readonly addresses: AddressInfo[] = [];
  readonly requests: NetlinkRequest[] = [];
  /** With cable true, bringing a link up also raises LOWER_UP|RUNNING, like a veth with a live peer. */
  readonly cable = new Map<number, boolean>();
  started = false;
  private linkListeners: ((ev: LinkEvent) => void)[] = [];
  private addrListeners: ((ev: AddressEvent) => void)[] = [];

  start(): LinkInfo[] { this.started = true; return [...this.links.values()].map((l) => ({ ...l })); }
  stop(): void { this.started = false; }
  onLink(fn: (ev: LinkEvent) => void): void { this.linkListeners.push(fn); }
  onAddress(fn: (ev: AddressEvent) => void): void { this.addrListeners.push(fn); }

  addLink(l: LinkInfo, cable = true): void {
    this.links.set(l.index, { ...l });
    this.cable.set(l.index, cable);
    if (this.started) this.emitLink({ type: 'new', link: { ...l } });
  }
  removeLink(index: number): void {
    const l = this.links.get(index);
    if (!l) return;
    this.links.delete(index);
    this.emitLink({ type: 'del', link: { ...l } });
  }
  /** plug (true) or unplug (false) the cable of an up link */
  setCarrier(index: number, on: boolean): void {
    this.cable.set(index, on);
    const l = this.links.get(index)!;
    const up = (l.flags & IFF_UP) !== 0;
    l.flags = on && up ? l.flags | IFF_LOWER_UP | IFF_RUNNING : l.flags & ~(IFF_LOWER_UP | IFF_RUNNING);
    this.emitLink({ type: 'new', link: { ...l } });
  }

  async setLinkUp(index: number, up: boolean): Promise<void> {
    this.requests.push({ op: 'setLinkUp', index, up });
    const l = this.links.get(index);
    if (!l) throw new PlatformError('No such device', 19);
    if (up) {
      l.flags |= IFF_UP;
      if (this.cable.get(index)) l.flags |= IFF_LOWER_UP | IFF_RUNNING;
    } else {
      l.flags &= ~(IFF_UP | IFF_LOWER_UP | IFF_RUNNING);
      // the kernel drops IPv4 addresses' routes but keeps addresses; ConnMan removed them already
    }
    const snapshot = { ...l };
    // events arrive asynchronously, after the request completed, as they do from the kernel
    setImmediate(() => this.emitLink({ type: 'new', link: snapshot }));
  }

  async addAddress(spec: AddressSpec): Promise<void> {
    this.requests.push({ op: 'addAddress', spec: { ...spec } });
    if (this.addresses.some((a) => a.index === spec.index && a.address === spec.address)) throw new PlatformError('File exists', 17);
    const info: AddressInfo = { index: spec.index, family: spec.family, address: spec.address, prefixLength: spec.prefixLength, flags: 0, scope: 0 };
    this.addresses.push(info);
    for (const f of this.addrListeners) f({ type: 'new', address: info });
  }

  async delAddress(spec: AddressSpec): Promise<void> {
    this.requests.push({ op: 'delAddress', spec: { ...spec } });
    const i = this.addresses.findIndex((a) => a.index === spec.index && a.address === spec.address);
    if (i < 0) throw new PlatformError('Cannot assign requested address', 99);
    const [info] = this.addresses.splice(i, 1);
    for (const f of this.addrListeners) f({ type: 'del', address: info });
  }

  listAddresses(index: number, family: 0 | 4 | 6): AddressInfo[] {
    return this.addresses.filter((a) => a.index === index && (family === 0 || a.family === family));
  }

  async addRoute(route: RouteSpec): Promise<void> { this.requests.push({ op: 'addRoute', route: { ...route } }); }
  async delRoute(route: RouteSpec): Promise<void> { this.requests.push({ op: 'delRoute', route: { ...route } }); }
  /** routes and rules are recorded, not modelled; a test that needs a table sets these */
  routes: RouteInfo[] = [];
  rules: RuleInfo[] = [];
  listRoutes(family: 0 | 4 | 6, table = 0): RouteInfo[] {
    return this.routes.filter((r) => (family === 0 || r.family === family) && (table === 0 || r.table === table));
  }
  onRoute(_fn: (ev: RouteEvent) => void): void {}
  async addRule(rule: RuleSpec): Promise<void> { this.requests.push({ op: 'addRule', rule: { ...rule } }); }
  async delRule(rule: RuleSpec): Promise<void> { this.requests.push({ op: 'delRule', rule: { ...rule } }); }
  listRules(family: 0 | 4 | 6): RuleInfo[] { return this.rules.filter((r) => family === 0 || r.family === family); }
  onRule(_fn: (ev: RuleEvent) => void): void {}
  async setLinkMtu(index: number, mtu: number): Promise<void> {
    this.requests.push({ op: 'setLinkMtu', index, mtu });
    const l = this.links.get(index);
    if (l) l.mtu = mtu;
  }

  /** sit tunnels get ifindexes from 100 up */
  private nextTunnel = 100;
  async addSitTunnel(spec: SitTunnelSpec): Promise<number> {
    const index = this.nextTunnel++;
    this.requests.push({ op: 'addSitTunnel', spec: { ...spec }, index });
    return index;
  }
  async delLink(index: number): Promise<void> { this.requests.push({ op: 'delLink', index }); }

  private emitLink(ev: LinkEvent): void { for (const f of this.linkListeners) f(ev); }
}

export class FakeDhcp4Client implements Dhcp4Client {
  state = 'init';
  stops: boolean[] = [];
  private listeners: ((ev: Dhcp4Event) => void)[] = [];
  constructor(readonly opts: Dhcp4Options) {}
  start(): void { this.state = 'selecting'; }
  stop(release: boolean): void { this.stops.push(release); this.state = 'stopped'; }
  declines = 0;
  decline(): void { this.declines++; this.state = 'init'; }
  onEvent(fn: (ev: Dhcp4Event) => void): void { this.listeners.push(fn); }
  /** script: deliver an event as the engine would */
  emit(ev: Dhcp4Event): void {
    if (ev.type === 'bound' || ev.type === 'renewed') this.state = 'bound';
    for (const f of this.listeners) f(ev);
  }
}

/** ACD or IPv4-LL engine whose events a test scripts by hand. */
export class FakeArpClient<E> {
  state = 'STOPPED';
  starts: (string | undefined)[] = [];
  stops = 0;
  private listeners: ((ev: E) => void)[] = [];
  constructor(readonly kind: 'acd' | 'ipv4ll', readonly opts: ArpOptions) {}
  start(address?: string): void { this.starts.push(address); this.state = 'PROBING'; }
  stop(): void { this.stops++; this.state = 'STOPPED'; }
  onEvent(fn: (ev: E) => void): void { this.listeners.push(fn); }
  emit(ev: E): void { for (const f of this.listeners) f(ev); }
}

export function lease(over: Partial<Dhcp4Lease> = {}): Dhcp4Lease {
  return {
    address: '10.233.83.66', prefixLength: 24, serverId: '10.233.83.1', routers: ['10.233.83.1'], dns: ['10.233.83.1'],
    ntp: [], domainName: 'lab.test', broadcast: '10.233.83.255', leaseTime: 3600, t1: 1800, t2: 3150, ...over,
  };
}

export class FakePlatform implements Platform {
  readonly netlink = new FakeNetlink();
  readonly dhcpClients: FakeDhcp4Client[] = [];
  time = 1000;
  createDhcp4Client(opts: Dhcp4Options): Dhcp4Client {
    const c = new FakeDhcp4Client(opts);
    this.dhcpClients.push(c);
    return c;
  }
  readonly acdClients: FakeArpClient<AcdEvent>[] = [];
  readonly ipv4llClients: FakeArpClient<Ipv4llEvent>[] = [];
  createAcd(opts: ArpOptions): AcdClient {
    const c = new FakeArpClient<AcdEvent>('acd', opts);
    this.acdClients.push(c);
    return c;
  }
  createIpv4ll(opts: ArpOptions): Ipv4llClient {
    const c = new FakeArpClient<Ipv4llEvent>('ipv4ll', opts);
    this.ipv4llClients.push(c);
    return c;
  }
  now(): number { return this.time; }
  hostname = 'localhost';
  domainname = '(none)';
  ipv6Enabled = new Map<string, boolean>();
  setHostname(name: string): void { this.hostname = name; }
  setDomainname(name: string): void { this.domainname = name; }
  setIPv6Enabled(ifname: string, on: boolean): void { this.ipv6Enabled.set(ifname, on); }
  /** the most recently created client */
  get dhcp(): FakeDhcp4Client { return this.dhcpClients[this.dhcpClients.length - 1]; }
}
