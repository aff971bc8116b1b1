// The contract between core (policy) and the platform (kernel, sockets, native engines).
// core/ and plugins/ depend only on these types; ts/platform/native.ts implements them over the
// C++ addon, and test/fakes/fake-platform.ts implements them in memory for unit tests.

/** A network link as the kernel reports it through rtnetlink. */
export interface LinkInfo {
  index: number;
  name: string;
  /** ARPHRD_* hardware type: 1 ethernet, 772 loopback, ... */
  arphrd: number;
  /** Lower-case colon-separated MAC, "" when the link has none. */
  mac: string;
  /** IFF_* flags (IFF_UP = 0x1, IFF_RUNNING = 0x40, IFF_LOWER_UP = 0x10000). */
  flags: number;
  mtu: number;
  /** Kernel IFLA_OPERSTATE: 0 unknown .. 6 up. */
  operstate: number;
  /** rtnl_link type (IFLA_INFO_KIND) such as "veth", "bridge", "wireguard"; "" for plain devices. */
  kind: string;
  /** true when /sys/class/net/<name>/wireless or phy80211 exists (a Wi-Fi link). */
  wireless: boolean;
}

export type LinkEvent =
  | { type: 'new'; link: LinkInfo } // a link appeared or changed
  | { type: 'del'; link: LinkInfo };

export interface AddressInfo {
  index: number;
  family: 4 | 6;
  address: string;
  prefixLength: number;
  /** IFA_F_* flags */
  flags: number;
  scope: number;
}

export type AddressEvent = { type: 'new' | 'del'; address: AddressInfo };

export interface RouteSpec {
  family: 4 | 6;
  /** destination network; "" or "0.0.0.0" for the default route */
  dst: string;
  prefixLength: number;
  gateway?: string;
  /** outgoing interface index */
  oif: number;
  /** source address hint (RTA_PREFSRC) */
  prefsrc?: string;
  table?: number;
  metric?: number;
  /** RT_SCOPE_*: 0 universe (default), 253 link */
  scope?: number;
}

/** A route as the kernel reports it (dumps and events). */
export interface RouteInfo {
  family: 4 | 6;
  /** "" for the default route */
  dst: string;
  prefixLength: number;
  gateway?: string;
  oif: number;
  prefsrc?: string;
  table: number;
  metric: number;
  scope: number;
  /** RTPROT_*: 2 kernel, 3 boot, 4 static, 9 ra, 16 dhcp */
  protocol: number;
  /** RTN_*: 1 unicast, 2 local, 3 broadcast, ... */
  type: number;
}

export type RouteEvent = { type: 'new' | 'del'; route: RouteInfo };

/** A policy rule: from <src>/<srcLength> [fwmark <fwmark>/<fwmask>] lookup <table>. */
export interface RuleSpec {
  family: 4 | 6;
  priority?: number;
  table: number;
  src?: string;
  srcLength?: number;
  fwmark?: number;
  fwmask?: number;
}

export interface RuleInfo extends RuleSpec {
  priority: number;
  /** FR_ACT_*: 1 lookup table, ... */
  action: number;
}

export type RuleEvent = { type: 'new' | 'del'; rule: RuleInfo };

export interface AddressSpec {
  index: number;
  family: 4 | 6;
  address: string;
  prefixLength: number;
  broadcast?: string;
  /** lifetimes in seconds, 0xffffffff = forever */
  validLifetime?: number;
  preferredLifetime?: number;
}

/** Errors cross the native boundary as values; this is what the facade throws. */
export class PlatformError extends Error {
  constructor(
    message: string,
    /** positive errno, e.g. 17 EEXIST, 19 ENODEV */
    readonly errno: number,
  ) {
    super(message);
    this.name = 'PlatformError';
  }
}

export interface Netlink {
  /** Start listening; returns the current links (a dump). Events after that arrive through the listeners. */
  start(): LinkInfo[];
  stop(): void;
  onLink(listener: (ev: LinkEvent) => void): void;
  onAddress(listener: (ev: AddressEvent) => void): void;
  setLinkUp(index: number, up: boolean): Promise<void>;
  addAddress(spec: AddressSpec): Promise<void>;
  delAddress(spec: AddressSpec): Promise<void>;
  /** current addresses of a link (family 0 = both) */
  listAddresses(index: number, family: 0 | 4 | 6): AddressInfo[];
  /** replaces an existing identical route (NLM_F_REPLACE) */
  addRoute(route: RouteSpec): Promise<void>;
  delRoute(route: RouteSpec): Promise<void>;
  /** every route of a family (0 both) in every table, or in one table when table > 0 */
  listRoutes(family: 0 | 4 | 6, table?: number): RouteInfo[];
  onRoute(listener: (ev: RouteEvent) => void): void;
  addRule(rule: RuleSpec): Promise<void>;
  delRule(rule: RuleSpec): Promise<void>;
  listRules(family: 0 | 4 | 6): RuleInfo[];
  onRule(listener: (ev: RuleEvent) => void): void;
  setLinkMtu(index: number, mtu: number): Promise<void>;
  /** a sit tunnel (remote any, from the IPv4 `local`), created up; resolves to its ifindex (6to4, issue 7) */
  addSitTunnel?(spec: SitTunnelSpec): Promise<number>;
  /** deletes a link this daemon created (the 6to4 tunnel) */
  delLink?(index: number): Promise<void>;
}

export interface SitTunnelSpec {
  name: string;
  local: string;
  ttl: number;
  /** 0 = the kernel's default */
  mtu: number;
}


export interface Dhcp4Route {
  destination: string;
  prefixLength: number;
  gateway: string;
}

/** What a DHCPv4 server granted; addresses are dotted quads. */
export interface Dhcp4Lease {
  address: string;
  prefixLength: number;
  serverId: string;
  routers: string[];
  dns: string[];
  ntp: string[];
  domainName?: string;
  hostname?: string;
  mtu?: number;
  broadcast?: string;
  /** option 119 (RFC 3397), decoded */
  searchDomains?: string[];
  /** option 252 (WPAD URL) */
  wpadUrl?: string;
  /** option 114 (RFC 8910 captive portal API URL) */
  captivePortalUrl?: string;
  /** option 121 (RFC 3442); when present the server's option 3 routers are ignored */
  classlessRoutes?: Dhcp4Route[];
  /** option 33, host routes */
  staticRoutes?: Dhcp4Route[];
  /** seconds */
  leaseTime: number;
  t1: number;
  t2: number;
}

export type Dhcp4Event =
  | { type: 'bound'; lease: Dhcp4Lease } // first lease after INIT/REBOOT
  | { type: 'renewed'; lease: Dhcp4Lease } // same address, new timers
  | { type: 'expired' } // lease lost: remove the address
  | { type: 'nak' } // server refused; engine restarts discovery itself
  | { type: 'declined' } // DHCPDECLINE sent after decline(); discovery restarts in 10 s
  | { type: 'no-lease' } // discovery unanswered for ~30 s (gdhcp's no-lease point); it goes on
  | { type: 'stopped' };

export interface Dhcp4Options {
  ifindex: number;
  ifname: string;
  /** lower-case colon-separated MAC */
  mac: string;
  hostname?: string;
  vendorClass?: string;
  /** last address held, for INIT-REBOOT */
  requestedAddress?: string;
}

export interface Dhcp4Client {
  start(): void;
  /** stop the engine; with release, send DHCPRELEASE for a held lease first */
  stop(release: boolean): void;
  /** the leased address is in use by another host (ACD): send DHCPDECLINE and start over */
  decline(): void;
  onEvent(listener: (ev: Dhcp4Event) => void): void;
  readonly state: string;
}

export interface ArpOptions {
  ifindex: number;
  ifname: string;
  /** lower-case colon-separated MAC */
  mac: string;
}

/** RFC 5227 address conflict detection for one address someone else chose (DHCP, manual). */
export type AcdEvent =
  | { type: 'available'; address: string } // probes met no answer: configure it now
  | { type: 'conflict'; address: string; other: string } // in use by `other` (MAC); engine stopped
  | { type: 'defended'; address: string; other: string }; // answered one conflicting ARP

export interface AcdClient {
  /** probe the address, then announce and defend it */
  start(address: string): void;
  stop(): void;
  onEvent(listener: (ev: AcdEvent) => void): void;
  readonly state: string;
}

/** RFC 3927 link-local addressing; the engine owns its own ACD and moves on after a conflict. */
export type Ipv4llEvent =
  | { type: 'bound'; address: string } // a 169.254/16 address is ours: configure it
  | { type: 'lost'; address: string }; // taken by another host: remove it (a new one follows)

export interface Ipv4llClient {
  /** `preferred`: an address held before (169.254/16), else one derived from the MAC */
  start(preferred?: string): void;
  stop(): void;
  onEvent(listener: (ev: Ipv4llEvent) => void): void;
  readonly state: string;
}

/** A DHCPv6 IA_NA address (prefixLength 128); lifetimes in seconds, 0xffffffff = forever. */
export interface Dhcp6Address {
  address: string;
  prefixLength: number;
  preferredLifetime: number;
  validLifetime: number;
}

/** A prefix delegated through IA_PD (RFC 8415), kept for tethering. */
export interface Dhcp6Prefix {
  prefix: string;
  prefixLength: number;
  preferredLifetime: number;
  validLifetime: number;
}

/** What a DHCPv6 server granted (stateful) or told (stateless: addresses and prefixes empty). */
export interface Dhcp6Lease {
  /** the server's DUID, lower-case hex */
  serverId: string;
  addresses: Dhcp6Address[];
  prefixes: Dhcp6Prefix[];
  dns: string[];
  /** search domains (option 24) */
  domains: string[];
  /** NTP servers (option 56): addresses first, then FQDNs */
  ntp: string[];
  /** SNTP servers (option 31) */
  sntp: string[];
  /** seconds until RENEW / REBIND as the client will use them */
  t1: number;
  t2: number;
  /** stateless: the server's information refresh time, when it sent one */
  infoRefresh?: number;
}

export type Dhcp6Event =
  | { type: 'bound'; lease: Dhcp6Lease } // first lease (REPLY to REQUEST, or rapid commit)
  | { type: 'renewed'; lease: Dhcp6Lease } // RENEW/REBIND answered: the whole lease; addresses not in it are gone
  | { type: 'info'; lease: Dhcp6Lease } // stateless: DNS / domains / NTP from INFORMATION-REQUEST (again at refresh)
  | { type: 'expired' } // every lifetime ended, or CONFIRM said the link moved: remove the addresses
  | { type: 'stopped' };

export interface Dhcp6Options {
  ifindex: number;
  ifname: string;
  /** lower-case colon-separated MAC (DUID-LL and the IAID come from it) */
  mac: string;
  /** the client DUID as hex, as ConnMan stores it in the service's IPv6.DHCP.DUID; absent: DUID-LL */
  duid?: string;
  /** stateful (the RA's M flag): SOLICIT for IA_NA / IA_PD; stateless (O flag only): INFORMATION-REQUEST */
  mode: 'stateful' | 'stateless';
  /** ask for an IA_NA (default true) */
  requestAddress?: boolean;
  /** ask for an IA_PD (default false) */
  requestPrefix?: boolean;
  /** preferred delegated prefix length, 0 = no hint */
  prefixHint?: number;
  /** offer Rapid Commit in SOLICIT (default true) */
  rapidCommit?: boolean;
}

export interface Dhcp6Client {
  start(): void;
  /** stop the engine; with release, send one RELEASE for a held lease first */
  stop(release: boolean): void;
  /** carrier came back / the link may have moved: CONFIRM (or REBIND for prefixes only) */
  linkChanged(): void;
  onEvent(listener: (ev: Dhcp6Event) => void): void;
  readonly state: string;
  /** the DUID in use, hex; store it as IPv6.DHCP.DUID */
  readonly duid: string;
}

/**
 * What router advertisements carry beyond what the kernel applies (accept_ra does SLAAC and
 * routes): RDNSS and DNSSL with their lifetimes (seconds; 0 = withdraw now, 0xffffffff = forever;
 * the receiver expires them), and the M / O flags of the last RA as the kernel keeps them.
 * raflags arrive for every interface after start() and requestFlags(), and whenever an RA
 * changes M or O (the kernel does not notify an unchanged first RA: call requestFlags()).
 */
export type RaEvent =
  | { type: 'rdnss'; ifindex: number; router: string; lifetime: number; servers: string[] }
  | { type: 'dnssl'; ifindex: number; router: string; lifetime: number; domains: string[] }
  | { type: 'raflags'; ifindex: number; managed: boolean; other: boolean; flags: number };

export interface RaWatcher {
  start(): void;
  stop(): void;
  requestFlags(): void;
  onEvent(listener: (ev: RaEvent) => void): void;
}

export interface DnsProxyOptions {
  /** loopback addresses to listen on (UDP and TCP); default 127.0.0.1 and ::1, never a wildcard */
  listen?: string[];
  port?: number;
  /** seconds per upstream attempt over UDP / TCP, and for the whole query */
  attemptTimeout?: number;
  tcpTimeout?: number;
  queryTimeout?: number;
}

/** Immutable snapshot of where the proxy forwards: connected services in service order, default first. */
export interface DnsProxyConfig {
  /** servers: "192.0.2.1", "2001:db8::1", "fe80::1%<ifindex>", optionally "#port" */
  services: { id: string; servers: string[]; domains: string[] }[];
  /** used only when no service has a nameserver (main.conf FallbackNameservers) */
  fallback: string[];
}

export interface DnsProxyStats {
  queries: number; cacheHits: number; forwarded: number; answered: number; upstreamTimeouts: number;
  badReplies: number; tcpFallbacks: number; flushes: number; cacheEntries: number; tcpClients: number;
  /** queries that joined an identical one already in flight instead of being sent upstream */
  merged: number;
  /** cache hits that left merged with others to the same client in one segmented send (UDP_SEGMENT) */
  segmented: number;
  /** 1 once the kernel refused a segmented send (no UDP_SEGMENT, or a route too small): every answer then goes alone */
  segmentingOff: number;
}

/** The proxy runs on its own native thread; cache hits never enter JavaScript. */
export interface DnsProxy {
  /** binds the listeners; throws PlatformError (e.g. EADDRINUSE) */
  start(): void;
  setConfig(config: DnsProxyConfig): void;
  stats(): DnsProxyStats;
  stop(): void;
}

/** Everything core needs from below. One instance per daemon. */
export interface Platform {
  readonly netlink: Netlink;
  createDhcp4Client(opts: Dhcp4Options): Dhcp4Client;
  createAcd(opts: ArpOptions): AcdClient;
  createIpv4ll(opts: ArpOptions): Ipv4llClient;
  /** DHCPv6 client (issue 7); optional until the fake platform implements it */
  createDhcp6Client?(opts: Dhcp6Options): Dhcp6Client;
  /** one per daemon: RDNSS / DNSSL / RA flags for every interface (issue 7); optional like the above */
  createRaWatcher?(): RaWatcher;
  /** the DNS proxy (issue 6), one per daemon; optional so platforms without it fall back to resolv.conf */
  createDnsProxy?(opts: DnsProxyOptions): DnsProxy;
  /** seconds on CLOCK_BOOTTIME */
  now(): number;
  /** the hostname / NIS domain name of the daemon's UTS namespace */
  setHostname(name: string): void;
  setDomainname(name: string): void;
  /** /proc/sys/net/ipv6/conf/<ifname>/disable_ipv6, as ConnMan toggles it for IPv6 method off */
  setIPv6Enabled(ifname: string, on: boolean): void;
  /** /proc/sys/net/ipv6/conf/<ifname>/use_tempaddr (RFC 4941 privacy: 0 off, 1 on, 2 preferred); optional */
  setIPv6Privacy?(ifname: string, value: 0 | 1 | 2): void;
  /**
   * HTTP(S) GET of `url` from `localAddress`, resolving to the status code, or 0 when no answer came
   * within `timeoutMs` (DNS failure, refused, timeout). The 6to4 tunnel check (issue 7); optional.
   */
  httpGetStatus?(url: string, localAddress: string, timeoutMs: number): Promise<number>;
}
