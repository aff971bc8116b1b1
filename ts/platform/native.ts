// The Platform over the C++ addon. This is the only module that loads the addon: everything else
// sees the types of ./types, so policy tests can run on a fake without a compiler or root.
// The addon never throws for runtime failures; it returns {errno, message}, which becomes a
// PlatformError here.
import * as fs from 'node:fs';
import type * as Http from 'node:http';
import * as path from 'node:path';
import {
  PlatformError,
  type AddressEvent,
  type AddressInfo,
  type AddressSpec,
  type AcdClient,
  type AcdEvent,
  type ArpOptions,
  type Dhcp4Client,
  type Dhcp4Event,
  type Dhcp4Options,
  type DnsProxy,
  type DnsProxyConfig,
  type DnsProxyOptions,
  type DnsProxyStats,
  type Dhcp6Client,
  type Dhcp6Event,
  type Dhcp6Options,
  type RaEvent,
  type RaWatcher,
  type Ipv4llClient,
  type Ipv4llEvent,
  type LinkEvent,
  type LinkInfo,
  type Netlink,
  type Platform,
  type RouteSpec,
  type RouteEvent,
  type RouteInfo,
  type RuleEvent,
  type RuleInfo,
  type RuleSpec,
  type SitTunnelSpec,
} from './types';

interface NativeError {
  errno: number;
  message: string;
}

type NativeNetlinkEvent =
  | { type: 'link'; op: 'new' | 'del'; link: LinkInfo }
  | { type: 'address'; op: 'new' | 'del'; address: AddressInfo }
  | { type: 'route'; op: 'new' | 'del'; route: RouteInfo }
  | { type: 'rule'; op: 'new' | 'del'; rule: RuleInfo };

interface NativeMonitor {
  start(): LinkInfo[] | NativeError;
  stop(): void;
  portId(): number;
  stats(): { spoofedDropped: number; overruns: number };
}

interface NativeControl {
  setLinkUp(index: number, up: boolean): NativeError | null;
  addAddress(spec: AddressSpec): NativeError | null;
  delAddress(spec: AddressSpec): NativeError | null;
  addRoute(route: RouteSpec): NativeError | null;
  delRoute(route: RouteSpec): NativeError | null;
  listLinks(): LinkInfo[] | NativeError;
  listAddresses(index: number, family: number): AddressInfo[] | NativeError;
  listRoutes(family: number, table: number): RouteInfo[] | NativeError;
  addRule(rule: RuleSpec): NativeError | null;
  delRule(rule: RuleSpec): NativeError | null;
  listRules(family: number): RuleInfo[] | NativeError;
  setLinkMtu(index: number, mtu: number): NativeError | null;
  addSitTunnel(name: string, local: string, ttl: number, mtu: number): number | NativeError;
  delLink(index: number): NativeError | null;
}

interface NativeDhcp4Client {
  start(): Dhcp4Event[] | NativeError;
  stop(release: boolean): Dhcp4Event[];
  decline(): Dhcp4Event[];
  state(): string;
}

interface NativeAddon extends NativeIpv6Addon {
  napiVersion: number;
  boottime(): number;
  dropCleanFilePages?(): { mappings: number; kib: number };
  NetlinkMonitor: new (onEvents: (events: NativeNetlinkEvent[]) => void) => NativeMonitor;
  NetlinkControl: new () => NativeControl;
  createDnsProxy(opts: DnsProxyOptions): NativeDnsProxy | NativeError;
  createDhcp4Client(
    opts: Dhcp4Options,
    onEvents: (events: Dhcp4Event[]) => void,
  ): NativeDhcp4Client | NativeError;
  createAcd(opts: ArpOptions, onEvents: (events: AcdEvent[]) => void): NativeArpClient<AcdEvent> | NativeError;
  createIpv4ll(opts: ArpOptions, onEvents: (events: Ipv4llEvent[]) => void): NativeArpClient<Ipv4llEvent> | NativeError;
}

interface NativeDhcp6Client {
  start(): Dhcp6Event[] | NativeError;
  stop(release: boolean): Dhcp6Event[];
  linkChanged(): Dhcp6Event[];
  state(): string;
  readonly duid: string;
}

interface NativeNdOptWatcher {
  start(): NativeError | null;
  stop(): void;
  requestFlags(): NativeError | null;
  portId(): number;
  stats(): { spoofedDropped: number; malformedDropped: number };
}

interface NativeIpv6Addon {
  createDhcp6Client(opts: Dhcp6Options, onEvents: (events: Dhcp6Event[]) => void): NativeDhcp6Client | NativeError;
  createNdOptWatcher(onEvents: (events: RaEvent[]) => void): NativeNdOptWatcher | NativeError;
}

interface NativeArpClient<E> {
  start(address?: string): E[] | NativeError;
  stop(): E[];
  state(): string;
}

interface NativeDnsProxy {
  start(): NativeError | undefined;
  setConfig(c: DnsProxyConfig): NativeError | undefined;
  stats(): DnsProxyStats;
  stop(): void;
}

function isNativeError(v: unknown): v is NativeError {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && typeof (v as NativeError).errno === 'number';
}

function toPlatformError(e: NativeError): PlatformError {
  return new PlatformError(e.message, e.errno);
}

function unwrap<T>(v: T | NativeError): T {
  if (isNativeError(v)) throw toPlatformError(v);
  return v;
}

function settle(v: NativeError | null): Promise<void> {
  return v === null ? Promise.resolve() : Promise.reject(toPlatformError(v));
}

/** Calls each listener on its own, so one that throws cannot starve the others. */
function emitAll<E>(listeners: readonly ((ev: E) => void)[], ev: E, what: string): void {
  for (const fn of [...listeners]) {
    try {
      fn(ev);
    } catch (e) {
      process.stderr.write(`switchyardd: ${what} listener failed: ${(e as Error)?.stack ?? String(e)}\n`);
    }
  }
}

/** The package root: the nearest directory above this file holding binding.gyp (dist/ or ts/ alike). */
function packageRoot(): string {
  for (let dir = __dirname; ; dir = path.dirname(dir)) {
    if (fs.existsSync(path.join(dir, 'binding.gyp')) && fs.existsSync(path.join(dir, 'package.json'))) return dir;
    if (path.dirname(dir) === dir) throw new Error(`switchyard: no binding.gyp above ${__dirname}`);
  }
}

let addon: NativeAddon | undefined;

function loadAddon(): NativeAddon {
  if (addon) return addon;
  let root = '(unknown)';
  try {
    root = packageRoot();
    // node-gyp-build picks build/Release when present, else prebuilds/<platform>-<arch>.
    const nodeGypBuild = require('node-gyp-build') as (dir: string) => unknown;
    const loaded = nodeGypBuild(root) as NativeAddon;
    if (typeof loaded.boottime !== 'function' || typeof loaded.NetlinkMonitor !== 'function') {
      throw new Error('the loaded module is not the switchyard addon');
    }
    addon = loaded;
    return loaded;
  } catch (e) {
    throw new Error(
      `switchyard: cannot load the native addon from ${root} for ${process.platform}-${process.arch} ` +
        `(build it with 'npm run build', or install a prebuild; libnl-3 and libnl-route-3 must be present): ` +
        `${(e as Error)?.message ?? String(e)}`,
    );
  }
}

export interface NetlinkDiagnostics {
  /** netlink port id of the event socket, 0 when stopped */
  portId: number;
  /** messages dropped because a userspace sender, not the kernel, sent them */
  spoofedDropped: number;
  /** receive-buffer overruns recovered by re-dumping */
  overruns: number;
}

export class NativeNetlink implements Netlink {
  private monitor: NativeMonitor | undefined;
  private controlSocket: NativeControl | undefined;
  private readonly linkListeners: ((ev: LinkEvent) => void)[] = [];
  private readonly addressListeners: ((ev: AddressEvent) => void)[] = [];
  private readonly routeListeners: ((ev: RouteEvent) => void)[] = [];
  private readonly ruleListeners: ((ev: RuleEvent) => void)[] = [];

  constructor(private readonly native: NativeAddon) {}

  start(): LinkInfo[] {
    if (this.monitor) throw new PlatformError('netlink monitor already started', 114 /* EALREADY */);
    const monitor = new this.native.NetlinkMonitor((events) => this.deliver(events));
    const links = unwrap(monitor.start());
    this.monitor = monitor;
    return links;
  }

  stop(): void {
    this.monitor?.stop();
    this.monitor = undefined;
  }

  onLink(listener: (ev: LinkEvent) => void): void {
    this.linkListeners.push(listener);
  }

  onAddress(listener: (ev: AddressEvent) => void): void {
    this.addressListeners.push(listener);
  }

  setLinkUp(index: number, up: boolean): Promise<void> {
    return settle(this.control().setLinkUp(index, up));
  }

  addAddress(spec: AddressSpec): Promise<void> {
    return settle(this.control().addAddress(spec));
  }

  delAddress(spec: AddressSpec): Promise<void> {
    return settle(this.control().delAddress(spec));
  }

  listAddresses(index: number, family: 0 | 4 | 6): AddressInfo[] {
    return unwrap(this.control().listAddresses(index, family));
  }

  addRoute(route: RouteSpec): Promise<void> {
    return settle(this.control().addRoute(route));
  }

  delRoute(route: RouteSpec): Promise<void> {
    return settle(this.control().delRoute(route));
  }

  listRoutes(family: 0 | 4 | 6, table = 0): RouteInfo[] {
    return unwrap(this.control().listRoutes(family, table));
  }

  onRoute(listener: (ev: RouteEvent) => void): void {
    this.routeListeners.push(listener);
  }

  addRule(rule: RuleSpec): Promise<void> {
    return settle(this.control().addRule(rule));
  }

  delRule(rule: RuleSpec): Promise<void> {
    return settle(this.control().delRule(rule));
  }

  listRules(family: 0 | 4 | 6): RuleInfo[] {
    return unwrap(this.control().listRules(family));
  }

  onRule(listener: (ev: RuleEvent) => void): void {
    this.ruleListeners.push(listener);
  }

  setLinkMtu(index: number, mtu: number): Promise<void> {
    return settle(this.control().setLinkMtu(index, mtu));
  }

  addSitTunnel(spec: SitTunnelSpec): Promise<number> {
    try {
      return Promise.resolve(unwrap(this.control().addSitTunnel(spec.name, spec.local, spec.ttl, spec.mtu)));
    } catch (e) {
      return Promise.reject(e);
    }
  }

  delLink(index: number): Promise<void> {
    return settle(this.control().delLink(index));
  }

  /** Current links, without starting the monitor. */
  listLinks(): LinkInfo[] {
    return unwrap(this.control().listLinks());
  }

  diagnostics(): NetlinkDiagnostics {
    if (!this.monitor) return { portId: 0, spoofedDropped: 0, overruns: 0 };
    return { portId: this.monitor.portId(), ...this.monitor.stats() };
  }

  private control(): NativeControl {
    return (this.controlSocket ??= new this.native.NetlinkControl());
  }

  private deliver(events: NativeNetlinkEvent[]): void {
    for (const ev of events) {
      if (ev.type === 'link') emitAll(this.linkListeners, { type: ev.op, link: ev.link }, 'link');
      else if (ev.type === 'address') emitAll(this.addressListeners, { type: ev.op, address: ev.address }, 'address');
      else if (ev.type === 'route') emitAll(this.routeListeners, { type: ev.op, route: ev.route }, 'route');
      else emitAll(this.ruleListeners, { type: ev.op, rule: ev.rule }, 'rule');
    }
  }
}

class NativeDhcp4 implements Dhcp4Client {
  private readonly listeners: ((ev: Dhcp4Event) => void)[] = [];
  private readonly client: NativeDhcp4Client;

  /** Throws PlatformError when the engine cannot be created (no such link, no privileges). */
  constructor(native: NativeAddon, opts: Dhcp4Options) {
    this.client = unwrap(native.createDhcp4Client(opts, (events) => this.deliver(events)));
  }

  start(): void {
    this.deliverLater(unwrap(this.client.start()));
  }

  stop(release: boolean): void {
    this.deliverLater(this.client.stop(release));
  }

  decline(): void {
    this.deliverLater(this.client.decline());
  }

  onEvent(listener: (ev: Dhcp4Event) => void): void {
    this.listeners.push(listener);
  }

  get state(): string {
    return this.client.state();
  }

  // Events the engine produced inside start()/stop() reach listeners after the caller's own
  // call has returned, like those that arrive from the socket.
  private deliverLater(events: Dhcp4Event[]): void {
    if (events.length > 0) process.nextTick(() => this.deliver(events));
  }

  private deliver(events: Dhcp4Event[]): void {
    for (const ev of events) emitAll(this.listeners, ev, 'dhcp4');
  }
}

/** ACD and IPv4-LL share one wrapper shape; only the event type differs. */
class NativeArp<E> {
  private readonly listeners: ((ev: E) => void)[] = [];
  private readonly client: NativeArpClient<E>;

  constructor(create: (onEvents: (events: E[]) => void) => NativeArpClient<E> | NativeError) {
    this.client = unwrap(create((events) => this.deliver(events)));
  }

  start(address?: string): void {
    const events = unwrap(this.client.start(address));
    if (events.length > 0) process.nextTick(() => this.deliver(events));
  }

  stop(): void {
    const events = this.client.stop();
    if (events.length > 0) process.nextTick(() => this.deliver(events));
  }

  onEvent(listener: (ev: E) => void): void {
    this.listeners.push(listener);
  }

  get state(): string {
    return this.client.state();
  }

  private deliver(events: E[]): void {
    for (const ev of events) emitAll(this.listeners, ev, 'arp');
  }
}

class NativeDhcp6 implements Dhcp6Client {
  private readonly listeners: ((ev: Dhcp6Event) => void)[] = [];
  private readonly client: NativeDhcp6Client;

  /** Throws PlatformError when the engine cannot be created (no such link, port 546 taken, no privileges). */
  constructor(native: NativeIpv6Addon, opts: Dhcp6Options) {
    this.client = unwrap(native.createDhcp6Client(opts, (events) => this.deliver(events)));
  }

  start(): void {
    this.deliverLater(unwrap(this.client.start()));
  }

  stop(release: boolean): void {
    this.deliverLater(this.client.stop(release));
  }

  linkChanged(): void {
    this.deliverLater(this.client.linkChanged());
  }

  onEvent(listener: (ev: Dhcp6Event) => void): void {
    this.listeners.push(listener);
  }

  get state(): string {
    return this.client.state();
  }

  get duid(): string {
    return this.client.duid;
  }

  private deliverLater(events: Dhcp6Event[]): void {
    if (events.length > 0) process.nextTick(() => this.deliver(events));
  }

  private deliver(events: Dhcp6Event[]): void {
    for (const ev of events) emitAll(this.listeners, ev, 'dhcp6');
  }
}

/** RDNSS / DNSSL / RA flags from the addon's own rtnetlink socket (kernel senders only). */
export class NativeRaWatcher implements RaWatcher {
  private readonly listeners: ((ev: RaEvent) => void)[] = [];
  private readonly watcher: NativeNdOptWatcher;

  constructor(native: NativeIpv6Addon) {
    this.watcher = unwrap(native.createNdOptWatcher((events) => this.deliver(events)));
  }

  start(): void {
    const err = this.watcher.start();
    if (err) throw toPlatformError(err);
  }

  stop(): void {
    this.watcher.stop();
  }

  requestFlags(): void {
    const err = this.watcher.requestFlags();
    if (err) throw toPlatformError(err);
  }

  onEvent(listener: (ev: RaEvent) => void): void {
    this.listeners.push(listener);
  }

  /** netlink port id, and messages dropped for a userspace sender (CVE-2012-2320) or bad shape */
  diagnostics(): { portId: number; spoofedDropped: number; malformedDropped: number } {
    return { portId: this.watcher.portId(), ...this.watcher.stats() };
  }

  private deliver(events: RaEvent[]): void {
    for (const ev of events) emitAll(this.listeners, ev, 'ra');
  }
}

export interface NativePlatform extends Platform {
  readonly netlink: NativeNetlink;
  createDhcp6Client(opts: Dhcp6Options): Dhcp6Client;
  createRaWatcher(): NativeRaWatcher;
}

/**
 * Drops the process's clean file-backed pages (native/core/memory/resident.h): once start-up is over,
 * what it read of Node's executable and the libraries but never touches again stops counting in RSS.
 * Pages still in use fault back in from the page cache. Undefined with an addon built before this
 * existed (a stale prebuild): then nothing is dropped.
 */
export function dropStartupPages(): { mappings: number; kib: number } | undefined {
  const a = loadAddon();
  return typeof a.dropCleanFilePages === 'function' ? a.dropCleanFilePages() : undefined;
}

/** Loads the addon (throws a plain Error saying why if it cannot) and builds the Platform on it. */
export function createNativePlatform(): NativePlatform {
  const native = loadAddon();
  const netlink = new NativeNetlink(native);
  return {
    netlink,
    createDhcp4Client: (opts: Dhcp4Options): Dhcp4Client => new NativeDhcp4(native, opts),
    createDnsProxy: (opts: DnsProxyOptions): DnsProxy => {
      const p = unwrap(native.createDnsProxy(opts));
      return {
        start: () => { const e = p.start(); if (e) unwrap(e); },
        setConfig: (c) => { const e = p.setConfig(c); if (e) unwrap(e); },
        stats: () => p.stats(),
        stop: () => p.stop(),
      };
    },
    createDhcp6Client: (opts: Dhcp6Options): Dhcp6Client =>
      new NativeDhcp6(native, opts),
    createRaWatcher: (): NativeRaWatcher => new NativeRaWatcher(native),
    createAcd: (opts: ArpOptions): AcdClient => new NativeArp<AcdEvent>((cb) => native.createAcd(opts, cb)),
    createIpv4ll: (opts: ArpOptions): Ipv4llClient =>
      new NativeArp<Ipv4llEvent>((cb) => native.createIpv4ll(opts, cb)),
    now: (): number => native.boottime(),
    // /proc writes act on the daemon's own UTS and network namespace, which is what sethostname(2)
    // and ConnMan's sysctl writes do too.
    setHostname: (name: string): void => fs.writeFileSync('/proc/sys/kernel/hostname', name),
    setDomainname: (name: string): void => fs.writeFileSync('/proc/sys/kernel/domainname', name),
    setIPv6Enabled: (ifname: string, on: boolean): void => {
      if (ifname.includes('/') || ifname === '.' || ifname === '..') throw new PlatformError(`bad interface name ${ifname}`, 22);
      fs.writeFileSync(`/proc/sys/net/ipv6/conf/${ifname}/disable_ipv6`, on ? '0' : '1');
    },
    setIPv6Privacy: (ifname: string, value: 0 | 1 | 2): void => {
      if (ifname.includes('/') || ifname === '.' || ifname === '..') throw new PlatformError(`bad interface name ${ifname}`, 22);
      fs.writeFileSync(`/proc/sys/net/ipv6/conf/${ifname}/use_tempaddr`, String(value));
    },
    httpGetStatus,
  };
}

function httpGetStatus(url: string, localAddress: string, timeoutMs: number): Promise<number> {
  return new Promise((resolve) => {
    let done = false;
    const finish = (status: number): void => { if (!done) { done = true; clearTimeout(timer); resolve(status); } };
    const timer = setTimeout(() => { req.destroy(); finish(0); }, timeoutMs);
    let req: Http.ClientRequest;
    try {
      // loaded on first use: node:http and node:https cost about 4 MiB of RSS, and only the 6to4
      // check needs them
      const get = (url.startsWith('https:') ? require('node:https') : require('node:http')).get as typeof Http.get;
      // family 6: the check is about the tunnel, so an IPv4 answer would prove nothing
      req = get(url, { localAddress, family: 6, headers: { connection: 'close' } }, (res) => {
        res.resume();
        finish(res.statusCode ?? 0);
      });
    } catch {
      finish(0);
      return;
    }
    req.on('error', () => finish(0));
  });
}
