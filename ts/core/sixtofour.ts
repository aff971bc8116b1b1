// Anycast 6to4 (RFC 3056 / RFC 3068) as main.conf's Enable6to4 asks for it, with ConnMan's rules:
// when a service with IPv6 method auto gets a public IPv4 address from DHCP and no router
// advertisement has been seen on its link, a sit tunnel `tun6to4` is made from that address, given
// 2002:AABB:CCDD::1/64 and a default route via the anycast relay ::192.88.99.1. There is one tunnel
// per daemon; it goes when the service that made it loses that address or leaves ready.
// Once up, the tunnel is checked as ConnMan checks it: a GET of a status page from the tunnel's
// address (ConnMan's is the default OnlineCheckIPv6URL, so that key sets it here), and a 4xx answer
// removes the tunnel again; no answer at all keeps it, as in ConnMan.
import type { Clock, TimerHandle } from './clock';
import type { Logger } from './log';
import type { Platform } from '../platform/types';

export const TUNNEL_NAME = 'tun6to4';
/** RFC 3068: the 6to4 relay anycast address, as an IPv4-compatible next hop on the sit link */
export const RELAY_GATEWAY = '::192.88.99.1';
/** What ConnMan gives the tunnel: Ethernet's 1500 less the IPv4 header and some slack */
const TUNNEL_MTU = 1472;
const TUNNEL_TTL = 64;
/** How long ConnMan waits for an RA after its router solicitation before it tunnels */
export const RA_WAIT_MS = 2000;

/**
 * Whether a 6to4 prefix made from `a` would be reachable from the IPv4 internet. ConnMan refuses
 * the RFC 1918 ranges only; loopback, link-local, shared (CGNAT), multicast and reserved space can
 * never carry 6to4 either (RFC 3056 section 2), so they are refused as well.
 */
export function isPublicIPv4(a: string): boolean {
  const o = a.split('.').map(Number);
  if (o.length !== 4 || o.some((x) => !Number.isInteger(x) || x < 0 || x > 255)) return false;
  const [x, y] = o;
  if (x === 0 || x === 10 || x === 127 || x >= 224) return false;
  if (x === 169 && y === 254) return false;
  if (x === 172 && y >= 16 && y <= 31) return false;
  if (x === 192 && y === 168) return false;
  if (x === 100 && y >= 64 && y <= 127) return false;
  return true;
}

/** 2002:AABB:CCDD::1 for A.B.C.D (RFC 3056 section 2: the /48 is 2002:V4ADDR::/48) */
export function sixToFourAddress(v4: string): string {
  const o = v4.split('.').map(Number);
  const h = (a: number, b: number) => ((a << 8) | b).toString(16);
  return `2002:${h(o[0], o[1])}:${h(o[2], o[3])}::1`;
}

export interface SixToFourOptions {
  platform: Platform;
  clock: Clock;
  log: Logger;
  /** whether a router advertisement has been seen on the link (then native IPv6 is there) */
  raSeen(ifindex: number): boolean;
  /** ask the kernel for fresh RA flags, as ConnMan sends a router solicitation */
  refreshRa?(): void;
  /** the status page fetched through the tunnel; absent: no check */
  checkUrl?: string;
}

const CHECK_TIMEOUT_MS = 10_000;

interface Tunnel { owner: string; local: string; index?: number; pending?: TimerHandle; checked?: Promise<void> }

export class SixToFour {
  private tunnel?: Tunnel;

  constructor(private readonly o: SixToFourOptions) {}

  /** The service `owner` got `local` from DHCP on `ifindex`; the caller checked Enable6to4 and method auto. */
  probe(owner: string, ifindex: number, local: string): void {
    if (this.tunnel) return;
    if (!isPublicIPv4(local)) {
      this.o.log.debug('6to4', `${local} is not a public address, no tunnel`);
      return;
    }
    const t: Tunnel = { owner, local };
    this.tunnel = t;
    this.o.refreshRa?.();
    t.pending = this.o.clock.setTimeout(() => {
      t.pending = undefined;
      if (this.tunnel !== t) return;
      if (this.o.raSeen(ifindex)) {
        this.o.log.debug('6to4', `router advertisements on ifindex ${ifindex}: native IPv6, no tunnel`);
        this.tunnel = undefined;
        return;
      }
      void this.create(t);
    }, RA_WAIT_MS);
  }

  /** The service left ready, or its address changed away from the tunnel's. */
  remove(owner: string, local?: string): Promise<void> {
    const t = this.tunnel;
    if (!t || t.owner !== owner || (local !== undefined && local === t.local)) return Promise.resolve();
    return this.destroy(t);
  }

  /** The tunnel's owner and address, once it is up. */
  active(): { owner: string; local: string; index: number } | undefined {
    const t = this.tunnel;
    return t?.index !== undefined ? { owner: t.owner, local: t.local, index: t.index } : undefined;
  }

  stop(): Promise<void> {
    return this.tunnel ? this.destroy(this.tunnel) : Promise.resolve();
  }

  private async create(t: Tunnel): Promise<void> {
    const nl = this.o.platform.netlink;
    if (!nl.addSitTunnel || !nl.delLink) {
      this.o.log.warn('6to4: this platform cannot create sit tunnels');
      this.tunnel = undefined;
      return;
    }
    const address = sixToFourAddress(t.local);
    try {
      const index = await nl.addSitTunnel({ name: TUNNEL_NAME, local: t.local, ttl: TUNNEL_TTL, mtu: TUNNEL_MTU });
      t.index = index;
      if (this.tunnel !== t) { await nl.delLink(index); return; }
      await nl.addAddress({ index, family: 6, address, prefixLength: 64 });
      await nl.addRoute({ family: 6, dst: '', prefixLength: 0, gateway: RELAY_GATEWAY, oif: index, metric: 1 });
      this.o.log.info(`6to4: ${TUNNEL_NAME} up with ${address}/64 from ${t.local}`);
      t.checked = this.check(t, address);
    } catch (e) {
      this.o.log.warn(`6to4 tunnel from ${t.local}: ${(e as Error).message}`);
      if (this.tunnel === t) await this.destroy(t);
    }
  }

  /** Resolves when the status page check of the current tunnel is over (tests). */
  async checked(): Promise<void> { await this.tunnel?.checked; }

  private async check(t: Tunnel, address: string): Promise<void> {
    const url = this.o.checkUrl;
    if (!url || !this.o.platform.httpGetStatus) return;
    const status = await this.o.platform.httpGetStatus(url, address, CHECK_TIMEOUT_MS).catch(() => 0);
    this.o.log.debug('6to4', `${url} through ${TUNNEL_NAME}: ${status || 'no answer'}`);
    if (this.tunnel !== t || status < 400 || status >= 500) return;
    this.o.log.info(`6to4: ${url} answered ${status} through ${TUNNEL_NAME}, removing it`);
    await this.destroy(t);
  }

  private async destroy(t: Tunnel): Promise<void> {
    if (this.tunnel === t) this.tunnel = undefined;
    t.pending?.cancel();
    t.pending = undefined;
    const index = t.index;
    t.index = undefined;
    if (index === undefined) return;
    // Deleting the link takes its address and route with it.
    await this.o.platform.netlink.delLink?.(index).catch((e) => this.o.log.warn(`6to4: deleting ${TUNNEL_NAME}: ${(e as Error).message}`));
    this.o.log.info(`6to4: ${TUNNEL_NAME} removed`);
  }
}
