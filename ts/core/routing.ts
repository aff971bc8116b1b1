// Which routes each link gets when several services are connected, after connmand 1.41 (src/connection.c,
// checked against connmand in the two-uplink lab): every service with a gateway gets a link-scope host
// route to it; only the default service (the first connected one in the service order) gets the
// default route, in the main table without a metric. Everything else a lease asks for (classless
// static routes) stays on its own link, and so do host routes to its nameservers outside the local
// subnet, through its gateway. Pure: the Manager feeds it and hands the result to the Applier.
import { isIPv4, isIPv6 } from 'node:net';
import type { AddressSpec, RouteSpec } from '../platform/types';
import type { LinkConfig } from './applier';
import { broadcastOf } from './applier';

export interface StaticRoute { dst: string; prefixLength: number; gateway: string }

/** What one service holds on its link, whether the service is the default one or not. */
export interface ServiceLinkState {
  ifindex: number;
  /** routes: DHCP option 121 and 33 routes; classless: option 121 was given, so it replaces option 3 */
  v4?: { address: string; prefixLength: number; broadcast?: string; gateway?: string; routes?: StaticRoute[]; classless?: boolean };
  v6?: { address: string; prefixLength: number; gateway?: string };
  /** the service's nameservers (configured ones, else those learnt), for their host routes */
  nameservers?: readonly string[];
}

const ANY4 = '0.0.0.0';

export function serviceLinkConfig(s: ServiceLinkState, isDefault: boolean): LinkConfig {
  const addresses: AddressSpec[] = [];
  const routes: RouteSpec[] = [];
  const i = s.ifindex;
  if (s.v4) {
    const { address, prefixLength } = s.v4;
    addresses.push({ index: i, family: 4, address, prefixLength, broadcast: s.v4.broadcast ?? broadcastOf(address, prefixLength) });
    // RFC 3442: with classless routes present, their 0/0 entry (if any) is the default gateway.
    const extra = s.v4.routes ?? [];
    const gateway = s.v4.classless ? extra.find((r) => r.prefixLength === 0)?.gateway : s.v4.gateway;
    if (gateway && gateway !== ANY4) {
      routes.push({ family: 4, dst: gateway, prefixLength: 32, oif: i, scope: 253 });
      if (isDefault) routes.push({ family: 4, dst: ANY4, prefixLength: 0, gateway, oif: i });
    }
    for (const r of extra) {
      if (r.prefixLength === 0) continue;
      routes.push(r.gateway === ANY4
        ? { family: 4, dst: r.dst, prefixLength: r.prefixLength, oif: i, scope: 253 }
        : { family: 4, dst: r.dst, prefixLength: r.prefixLength, gateway: r.gateway, oif: i });
    }
    // As connmand 1.41 does (checked in the lab): a nameserver beyond the local subnet is reached
    // through this service's gateway even when another service holds the default route, so DNS for
    // this service keeps using this link.
    if (gateway && gateway !== ANY4) {
      for (const ns of uniq(s.nameservers ?? [])) {
        if (!isIPv4(ns) || inSubnet(ns, address, prefixLength) || ns === gateway) continue;
        routes.push({ family: 4, dst: ns, prefixLength: 32, gateway, oif: i });
      }
    }
  }
  if (s.v6) {
    addresses.push({ index: i, family: 6, address: s.v6.address, prefixLength: s.v6.prefixLength });
    if (s.v6.gateway) {
      // metric 1 as connmand's host route to an IPv6 gateway (seen with `ip -6 route` in the lab)
      routes.push({ family: 6, dst: s.v6.gateway, prefixLength: 128, oif: i, metric: 1 });
      if (isDefault) routes.push({ family: 6, dst: '::', prefixLength: 0, gateway: s.v6.gateway, oif: i });
      // connmand makes no subnet exception for IPv6 nameservers.
      for (const ns of uniq(s.nameservers ?? [])) {
        const bare = ns.split('%')[0];
        if (isIPv6(bare) && bare !== s.v6.gateway) routes.push({ family: 6, dst: bare, prefixLength: 128, gateway: s.v6.gateway, oif: i });
      }
    }
  }
  return { addresses, routes };
}

/**
 * Desired state of every link from the services on them, in service order. The default service is the
 * first one whose `routable` flag is set (connected and not going away). Links are returned default
 * first, so a switch adds the new default route before the old one is withdrawn.
 */
export function desiredLinks(ordered: (ServiceLinkState & { routable: boolean })[]): Map<number, LinkConfig> {
  const out = new Map<number, LinkConfig>();
  const def = ordered.find((s) => s.routable);
  if (def) out.set(def.ifindex, serviceLinkConfig(def, true));
  for (const s of ordered) {
    if (s === def || s.ifindex < 0) continue;
    const c = serviceLinkConfig(s, false);
    const prev = out.get(s.ifindex);
    out.set(s.ifindex, prev ? { addresses: [...prev.addresses, ...c.addresses], routes: [...prev.routes, ...c.routes] } : c);
  }
  return out;
}

const uniq = (xs: readonly string[]) => xs.filter((x, k) => xs.indexOf(x) === k);

const v4num = (a: string) => a.split('.').reduce((acc, o) => ((acc << 8) | Number(o)) >>> 0, 0);

export function inSubnet(ip: string, address: string, prefixLength: number): boolean {
  const mask = prefixLength === 0 ? 0 : (0xffffffff << (32 - prefixLength)) >>> 0;
  return ((v4num(ip) & mask) >>> 0) === ((v4num(address) & mask) >>> 0);
}

/** RFC 1035 names as in DHCP option 119 (RFC 3397), compression pointers followed with a budget. */
export function decodeSearchList(wire: readonly number[]): string[] {
  const names: string[] = [];
  let pos = 0;
  while (pos < wire.length) {
    const labels: string[] = [];
    let p = pos;
    let next = -1;
    let jumps = 0;
    for (;;) {
      if (p >= wire.length) return names;
      const len = wire[p];
      if (len === 0) { if (next < 0) next = p + 1; break; }
      if ((len & 0xc0) === 0xc0) {
        if (p + 1 >= wire.length || ++jumps > 32) return names;
        if (next < 0) next = p + 2;
        p = ((len & 0x3f) << 8) | wire[p + 1];
        continue;
      }
      if (len > 63 || p + 1 + len > wire.length) return names;
      labels.push(String.fromCharCode(...wire.slice(p + 1, p + 1 + len)));
      p += 1 + len;
    }
    const name = labels.join('.');
    if (labels.length && isValidHostname(name)) names.push(name);
    pos = next;
  }
  return names;
}

/**
 * A hostname or domain name from the network is used only when it is plain RFC 1123: letters, digits,
 * '-' and '.', labels of 1..63 characters, 253 in all. ConnMan took such strings as they came, and a
 * DHCP server could put shell metacharacters into the system (CVE-2012-2321).
 */
export function isValidHostname(name: string): boolean {
  if (name.length === 0 || name.length > 253) return false;
  const labels = name.replace(/\.$/, '').split('.');
  return labels.every((l) => l.length >= 1 && l.length <= 63 && /^[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?$/.test(l));
}
