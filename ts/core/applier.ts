// Decide, then apply: policy computes the whole desired IP state of a link and an Applier makes the
// kernel match it. Kernel state comes back as netlink events; the applier only issues requests.
import type { AddressSpec, Netlink, RouteSpec } from '../platform/types';
import { PlatformError } from '../platform/types';

export interface LinkConfig { addresses: AddressSpec[]; routes: RouteSpec[] }

export const EMPTY_LINK_CONFIG: LinkConfig = { addresses: [], routes: [] };

export interface Applier {
  apply(ifindex: number, desired: LinkConfig): Promise<void>;
}

const addrKey = (a: AddressSpec) => `${a.family}/${a.address}/${a.prefixLength}`;
const routeKey = (r: RouteSpec) => `${r.family}/${r.dst}/${r.prefixLength}/${r.gateway ?? ''}/${r.table ?? ''}/${r.metric ?? 0}/${r.scope ?? 0}`;

/**
 * Applies over rtnetlink, remembering what it installed per link so a new desired state is a diff.
 * Requests for one link go through one queue: a second apply starts only when the first has finished,
 * so its diff is taken against what really went in and two callers never race on the same routes.
 * Links are independent of each other.
 */
export class NetlinkApplier implements Applier {
  private applied = new Map<number, LinkConfig>();
  private queues = new Map<number, Promise<void>>();

  constructor(private readonly netlink: Netlink, private readonly onError: (msg: string) => void = () => {}) {}

  apply(ifindex: number, desired: LinkConfig): Promise<void> {
    const snapshot: LinkConfig = { addresses: [...desired.addresses], routes: [...desired.routes] };
    const prev = this.queues.get(ifindex) ?? Promise.resolve();
    const next = prev.catch(() => {}).then(() => this.applyNow(ifindex, snapshot));
    this.queues.set(ifindex, next);
    void next.finally(() => { if (this.queues.get(ifindex) === next) this.queues.delete(ifindex); });
    return next;
  }

  private async applyNow(ifindex: number, desired: LinkConfig): Promise<void> {
    const prev = this.applied.get(ifindex) ?? EMPTY_LINK_CONFIG;
    const wantA = new Set(desired.addresses.map(addrKey));
    const wantR = new Set(desired.routes.map(routeKey));
    const haveA = new Set(prev.addresses.map(addrKey));
    const haveR = new Set(prev.routes.map(routeKey));
    // Routes go before the address they depend on is removed, and after the new one is added.
    for (const r of prev.routes) if (!wantR.has(routeKey(r))) await this.quiet(() => this.netlink.delRoute(r), 3);
    for (const a of prev.addresses) if (!wantA.has(addrKey(a))) await this.quiet(() => this.netlink.delAddress(a), 99, 19);
    for (const a of desired.addresses) if (!haveA.has(addrKey(a))) await this.quiet(() => this.netlink.addAddress(a), 17);
    for (const r of desired.routes) if (!haveR.has(routeKey(r))) await this.quiet(() => this.netlink.addRoute(r), 17);
    if (desired.addresses.length === 0 && desired.routes.length === 0) this.applied.delete(ifindex);
    else this.applied.set(ifindex, { addresses: [...desired.addresses], routes: [...desired.routes] });
  }

  /** errnos that mean "already so" (EEXIST on add, ESRCH/EADDRNOTAVAIL/ENODEV on delete) are not failures */
  private async quiet(op: () => Promise<void>, ...benign: number[]): Promise<void> {
    try { await op(); } catch (e) {
      if (e instanceof PlatformError && benign.includes(e.errno)) return;
      this.onError((e as Error).message);
    }
  }
}

/** Keeps every desired state it was given; unit tests assert on it. */
export class RecordingApplier implements Applier {
  readonly calls: { ifindex: number; desired: LinkConfig }[] = [];
  async apply(ifindex: number, desired: LinkConfig): Promise<void> {
    this.calls.push({ ifindex, desired: structuredClone(desired) });
  }
}

export function prefixToNetmask(prefix: number): string {
  const m = prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
  return [24, 16, 8, 0].map((s) => (m >>> s) & 255).join('.');
}

export function broadcastOf(address: string, prefix: number): string {
  const a = address.split('.').reduce((acc, o) => ((acc << 8) | Number(o)) >>> 0, 0);
  const m = prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
  const b = (a | (~m >>> 0)) >>> 0;
  return [24, 16, 8, 0].map((s) => (b >>> s) & 255).join('.');
}

/** The desired IPv4 state of a link from a DHCP lease: the address with its broadcast, and the default route. */
export function ipv4LinkConfig(ifindex: number, address: string, prefixLength: number, gateway?: string, broadcast?: string): LinkConfig {
  const addresses: AddressSpec[] = [{
    index: ifindex, family: 4, address, prefixLength, broadcast: broadcast ?? broadcastOf(address, prefixLength),
  }];
  // connmand installs a link-scope host route to the gateway before the default route, so the
  // gateway stays reachable even when it lies outside the leased subnet.
  const routes: RouteSpec[] = gateway
    ? [
      { family: 4, dst: gateway, prefixLength: 32, oif: ifindex, scope: 253 },
      { family: 4, dst: '0.0.0.0', prefixLength: 0, gateway, oif: ifindex },
    ]
    : [];
  return { addresses, routes };
}
