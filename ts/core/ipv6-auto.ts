// IPv6 method auto beyond what the kernel does by itself. The kernel runs SLAAC and installs the RA
// routes (accept_ra is left at the kernel's default, as connmand 1.41 leaves it: it only writes
// disable_ipv6 and use_tempaddr); this module adds what the kernel hands to userspace: RDNSS / DNSSL
// with their lifetimes, and the RA's M / O flags, which start DHCPv6 stateful or stateless.
// DHCPv6 addresses (IA_NA) go onto the link with the lease's lifetimes; delegated prefixes (IA_PD)
// are only kept (and persisted as IPv6.DHCP.LastPrefixes), for tethering, which asks for them on the
// default service's link with setPrefixDelegation(). One session per connected service; the manager
// merges `extras()`.
// A session ended by a lost carrier parks its DHCPv6 client with the lease: when the carrier (and
// the service) come back, the client CONFIRMs the lease (RFC 8415 18.2.3) instead of soliciting.
import type { Clock, TimerHandle } from './clock';
import type { Logger } from './log';
import type { Dhcp6Client, Dhcp6Event, Dhcp6Lease, Dhcp6Prefix, Platform, RaEvent, RaWatcher } from '../platform/types';
import type { IPv6Privacy } from './ipconfig';

const FOREVER = 0xffffffff;

export const PRIVACY_SYSCTL: Record<IPv6Privacy, 0 | 1 | 2> = { disabled: 0, enabled: 1, prefered: 2 };

export interface Ipv6AutoTarget {
  ifindex: number;
  ifname: string;
  mac?: string;
  privacy: IPv6Privacy;
  /** the DHCPv6 DUID saved with the service (IPv6.DHCP.DUID, hex); absent: a new DUID-LLT is made and persisted */
  duid?: string;
}

/** What the service's settings file keeps of DHCPv6 (ConnMan's IPv6.DHCP.DUID and IPv6.DHCP.LastPrefixes). */
export interface Dhcp6Persist { duid?: string; prefixes?: string[] }

/**
 * RFC 8415 11.2 DUID-LLT, as ConnMan makes it (g_dhcpv6_create_duid): type 1, hardware type 1, the
 * seconds since 2000-01-01 UTC, the MAC; lower-case hex without separators, as it is stored.
 */
export function makeDuidLlt(mac: string, nowMs = Date.now()): string {
  const t = (Math.floor((nowMs - Date.UTC(2000, 0, 1)) / 1000) >>> 0).toString(16).padStart(8, '0');
  return `00010001${t}${mac.replace(/:/g, '').toLowerCase()}`;
}

export interface Ipv6Extras { nameservers: string[]; domains: string[]; timeservers: string[] }

/** Entries learnt from RAs, each with the boot-clock instant (ms) it stops being valid. */
class Expiring {
  private readonly until = new Map<string, number>();

  /** RFC 8106: lifetime 0 withdraws the entries now. Returns whether the set of entries changed. */
  update(values: string[], lifetime: number, now: number): boolean {
    let changed = false;
    for (const v of values) {
      const had = this.until.has(v);
      if (lifetime === 0) { if (had) { this.until.delete(v); changed = true; } continue; }
      this.until.set(v, lifetime === FOREVER ? Infinity : now + lifetime * 1000);
      if (!had) changed = true;
    }
    return changed;
  }

  expire(now: number): boolean {
    let changed = false;
    for (const [v, t] of this.until) if (t <= now) { this.until.delete(v); changed = true; }
    return changed;
  }

  next(): number { return Math.min(Infinity, ...this.until.values()); }
  list(): string[] { return [...this.until.keys()]; }
}

/** What DHCPv6 is asked for on a link: IA_NA and/or IA_PD (stateful), or only information (stateless). */
interface Dhcp6Want { mode: 'stateful' | 'stateless'; na: boolean; pd: boolean }
const wantKey = (w: Dhcp6Want | undefined) => (w ? `${w.mode}/${w.na}/${w.pd}` : undefined);

/** A client kept with its lease while the carrier is away, for CONFIRM when it returns. */
interface Parked { client: Dhcp6Client; key: string; mac: string; lease: Dhcp6Lease; leaseAt: number }

class Session {
  readonly rdnss = new Expiring();
  readonly dnssl = new Expiring();
  dhcp?: Dhcp6Client;
  /** wantKey() of what the running client asks for */
  dhcpKey?: string;
  lease?: Dhcp6Lease;
  /** clock.now() when the lease arrived, to age its lifetimes */
  leaseAt = 0;
  /** IA_NA addresses we put on the link */
  applied = new Map<string, number>();
  timer?: TimerHandle;
  constructor(readonly target: Ipv6AutoTarget) {}
}

export interface Ipv6AutoOptions {
  platform: Platform;
  clock: Clock;
  log: Logger;
  /** called whenever extras() for this ifindex changed */
  onChange(ifindex: number): void;
  /** the DUID or delegated prefixes changed: save them with the service on this link */
  persist?(ifindex: number, data: Dhcp6Persist): void;
}

export class Ipv6Auto {
  private watcher?: RaWatcher;
  private readonly sessions = new Map<number, Session>();
  /** the last M / O flags per ifindex, which may arrive before the service connects */
  private readonly flags = new Map<number, { managed: boolean; other: boolean; flags: number }>();
  /** per ifindex: DHCPv6 clients whose carrier went away while they held a lease */
  private readonly parked = new Map<number, Parked>();
  /** the link on which a delegated prefix is wanted (tethering's uplink), if any */
  private pdLink?: number;

  constructor(private readonly o: Ipv6AutoOptions) {}

  /** Starts watching RAs for every interface; without a platform watcher this module only sets privacy. */
  start(): void {
    if (this.watcher || !this.o.platform.createRaWatcher) return;
    try {
      const w = this.o.platform.createRaWatcher();
      w.onEvent((ev) => this.onRa(ev));
      w.start();
      this.watcher = w;
    } catch (e) {
      this.o.log.warn(`RA watcher: ${(e as Error).message}`);
    }
  }

  stop(): void {
    for (const ifindex of [...this.sessions.keys()]) this.end(ifindex, false);
    for (const ifindex of [...this.parked.keys()]) this.unpark(ifindex);
    this.watcher?.stop();
    this.watcher = undefined;
  }

  /** The service's IPv6 went auto and it is connecting: privacy first, so SLAAC makes the right addresses. */
  begin(t: Ipv6AutoTarget): void {
    this.end(t.ifindex, false);
    try { this.o.platform.setIPv6Privacy?.(t.ifname, PRIVACY_SYSCTL[t.privacy]); } catch (e) {
      this.o.log.debug('ipv6-auto', `use_tempaddr ${t.ifname}: ${(e as Error).message}`);
    }
    const s = new Session(t);
    this.sessions.set(t.ifindex, s);
    this.resume(s);
    this.applyDhcp(t.ifindex);
    this.refreshFlags();
  }

  /**
   * Tethering wants a delegated prefix from the default service's link (ConnMan's ipv6pd.c follows
   * the default service the same way); undefined stops asking. That link's DHCPv6 asks for an IA_PD
   * too, with IA_NA only when the RA's M flag says addresses come from DHCPv6.
   */
  setPrefixDelegation(ifindex: number | undefined): void {
    if (this.pdLink === ifindex) return;
    const before = this.pdLink;
    this.pdLink = ifindex;
    for (const i of [before, ifindex]) if (i !== undefined && this.sessions.has(i)) this.applyDhcp(i);
  }

  /** The carrier went: like end(), but a client holding a lease is kept (see resume()). */
  park(ifindex: number): void {
    const s = this.sessions.get(ifindex);
    const c = s?.dhcp;
    if (!s || !c || !s.lease || !s.dhcpKey || !s.target.mac || !(s.lease.addresses.length || s.lease.prefixes.length)) {
      this.end(ifindex, false);
      return;
    }
    this.unpark(ifindex);
    this.parked.set(ifindex, { client: c, key: s.dhcpKey, mac: s.target.mac, lease: s.lease, leaseAt: s.leaseAt });
    s.dhcp = undefined;
    s.dhcpKey = undefined;
    this.o.log.debug('ipv6-auto', `${s.target.ifname}: carrier lost, DHCPv6 lease kept for CONFIRM`);
    this.end(ifindex, false);
  }

  private unpark(ifindex: number): void {
    const p = this.parked.get(ifindex);
    if (!p) return;
    this.parked.delete(ifindex);
    try { p.client.stop(false); } catch (e) { this.o.log.debug('ipv6-auto', `DHCPv6 stop: ${(e as Error).message}`); }
  }

  /**
   * A parked client on the same link and MAC whose lease has not run out comes back: its addresses go
   * back on the link with what is left of their lifetimes, and it CONFIRMs them (NotOnLink makes it
   * expire the lease and SOLICIT, RFC 8415 18.2.10.2).
   */
  private resume(s: Session): void {
    const p = this.parked.get(s.target.ifindex);
    if (!p) return;
    this.parked.delete(s.target.ifindex);
    const lease = aged(p.lease, (this.o.clock.now() - p.leaseAt) / 1000);
    if (p.mac !== s.target.mac || !lease) {
      try { p.client.stop(false); } catch { /* already stopped */ }
      return;
    }
    s.dhcp = p.client;
    s.dhcpKey = p.key;
    this.o.log.debug('ipv6-auto', `${s.target.ifname}: carrier back, DHCPv6 CONFIRM`);
    void this.onLease(s, lease);
    try { p.client.linkChanged(); } catch (e) { this.o.log.debug('ipv6-auto', `DHCPv6 linkChanged: ${(e as Error).message}`); }
  }

  /** Disconnect / method change: RELEASE when asked, our DHCPv6 addresses removed. */
  end(ifindex: number, release: boolean): void {
    const s = this.sessions.get(ifindex);
    if (!s) return;
    this.sessions.delete(ifindex);
    s.timer?.cancel();
    this.stopDhcp(s, release);
    this.o.onChange(ifindex);
  }

  extras(ifindex: number): Ipv6Extras {
    const s = this.sessions.get(ifindex);
    if (!s) return { nameservers: [], domains: [], timeservers: [] };
    const l = s.lease;
    return {
      nameservers: uniq([...s.rdnss.list(), ...(l?.dns ?? [])]),
      domains: uniq([...s.dnssl.list(), ...(l?.domains ?? [])]),
      timeservers: uniq([...(l?.ntp ?? []), ...(l?.sntp ?? [])]),
    };
  }

  /** The DUID of the DHCPv6 client on this link, if one runs. */
  duid(ifindex: number): string | undefined {
    return this.sessions.get(ifindex)?.dhcp?.duid || undefined;
  }

  /** IA_PD prefixes held for the service on this link (for tethering). */
  delegatedPrefixes(ifindex: number): Dhcp6Prefix[] {
    return [...(this.sessions.get(ifindex)?.lease?.prefixes ?? [])];
  }

  /** DHCPv6 IA_NA addresses on the link, for the IPv6 property when SLAAC gives none. */
  dhcpAddresses(ifindex: number): string[] {
    return [...(this.sessions.get(ifindex)?.applied.keys() ?? [])];
  }

  dhcpState(ifindex: number): string | undefined {
    const s = this.sessions.get(ifindex);
    return s?.dhcp ? `${s.dhcpKey?.split('/')[0]}:${s.dhcp.state}` : undefined;
  }

  /**
   * Whether a router advertisement reached this link: the kernel's IF_RA_RCVD (0x20) in the last flags
   * dump, or a route the kernel learnt from one (RTPROT_RA). Call refreshFlags() first for a fresh dump.
   */
  raSeen(ifindex: number): boolean {
    if (((this.flags.get(ifindex)?.flags ?? 0) & 0x20) !== 0) return true;
    try {
      return this.o.platform.netlink.listRoutes(6).some((r) => r.oif === ifindex && r.protocol === 9);
    } catch { return false; }
  }

  refreshFlags(): void {
    try { this.watcher?.requestFlags(); } catch (e) { this.o.log.debug('ipv6-auto', `requestFlags: ${(e as Error).message}`); }
  }

  private onRa(ev: RaEvent): void {
    if (ev.type === 'raflags') {
      this.flags.set(ev.ifindex, { managed: ev.managed, other: ev.other, flags: ev.flags });
      if (this.sessions.has(ev.ifindex)) this.applyDhcp(ev.ifindex);
      return;
    }
    const s = this.sessions.get(ev.ifindex);
    if (!s) return;
    const now = this.o.clock.now();
    const changed = ev.type === 'rdnss' ? s.rdnss.update(ev.servers, ev.lifetime, now) : s.dnssl.update(ev.domains, ev.lifetime, now);
    this.o.log.debug('ipv6-auto', `${s.target.ifname}: ${ev.type} ${ev.type === 'rdnss' ? ev.servers : ev.domains} lifetime ${ev.lifetime}`);
    this.armExpiry(s);
    if (changed) this.o.onChange(ev.ifindex);
  }

  private armExpiry(s: Session): void {
    s.timer?.cancel();
    s.timer = undefined;
    const next = Math.min(s.rdnss.next(), s.dnssl.next());
    if (next === Infinity) return;
    s.timer = this.o.clock.setTimeout(() => {
      if (this.sessions.get(s.target.ifindex) !== s) return;
      const now = this.o.clock.now();
      const a = s.rdnss.expire(now);
      const b = s.dnssl.expire(now);
      this.armExpiry(s);
      if (a || b) this.o.onChange(s.target.ifindex);
    }, Math.max(0, next - this.o.clock.now()));
  }

  /** M wins over O (RFC 4861: M implies the other information comes from the same exchange). */
  private want(ifindex: number): Dhcp6Want | undefined {
    const f = this.flags.get(ifindex);
    const pd = this.pdLink === ifindex;
    if (f?.managed) return { mode: 'stateful', na: true, pd };
    // ConnMan asks for a prefix whatever the RA says (its PD client is separate from the IA_NA one).
    if (pd) return { mode: 'stateful', na: false, pd: true };
    if (f?.other) return { mode: 'stateless', na: false, pd: false };
    return undefined;
  }

  private applyDhcp(ifindex: number): void {
    const s = this.sessions.get(ifindex)!;
    const want = this.want(ifindex);
    const key = wantKey(want);
    if (key === s.dhcpKey) return;
    this.stopDhcp(s, want === undefined);
    if (!want || !this.o.platform.createDhcp6Client || !s.target.mac) return;
    let duid = s.target.duid;
    if (want.mode === 'stateful' && !duid) {
      // ConnMan makes and saves the DUID when its first stateful exchange starts (dhcpv6.c set_duid).
      duid = makeDuidLlt(s.target.mac);
      s.target.duid = duid;
      this.o.persist?.(ifindex, { duid });
    }
    try {
      const c = this.o.platform.createDhcp6Client({
        ifindex, ifname: s.target.ifname, mac: s.target.mac, mode: want.mode, duid,
        requestAddress: want.na, requestPrefix: want.pd,
      });
      c.onEvent((ev) => this.onDhcpEvent(c, ev));
      s.dhcp = c;
      s.dhcpKey = key;
      this.o.log.debug('ipv6-auto', `${s.target.ifname}: DHCPv6 ${key}`);
      c.start();
    } catch (e) {
      this.o.log.warn(`DHCPv6 ${s.target.ifname}: ${(e as Error).message}`);
    }
  }

  /** Events reach the session that holds the client now, or its parking place while the carrier is away. */
  private onDhcpEvent(c: Dhcp6Client, ev: Dhcp6Event): void {
    const s = [...this.sessions.values()].find((x) => x.dhcp === c);
    if (!s) {
      const [ifindex, p] = [...this.parked].find(([, x]) => x.client === c) ?? [];
      if (ifindex === undefined || !p) return;
      if (ev.type === 'expired') this.unpark(ifindex);
      else if (ev.type === 'bound' || ev.type === 'renewed') { p.lease = ev.lease; p.leaseAt = this.o.clock.now(); }
      return;
    }
    switch (ev.type) {
      case 'bound': case 'renewed': case 'info':
        void this.onLease(s, ev.lease);
        break;
      case 'expired':
        void this.onLease(s, undefined);
        break;
      case 'stopped':
        break;
    }
  }

  private stopDhcp(s: Session, release: boolean): void {
    const c = s.dhcp;
    s.dhcp = undefined;
    s.dhcpKey = undefined;
    if (c) {
      try { c.stop(release); } catch (e) { this.o.log.debug('ipv6-auto', `DHCPv6 stop: ${(e as Error).message}`); }
    }
    s.lease = undefined;
    void this.syncAddresses(s, []);
  }

  private async onLease(s: Session, lease: Dhcp6Lease | undefined): Promise<void> {
    const before = prefixList(s.lease);
    s.lease = lease;
    s.leaseAt = this.o.clock.now();
    const after = prefixList(lease);
    // Kept when the lease goes (ConnMan's LastPrefixes outlive it): only a new grant replaces them.
    if (after.length && after.join() !== before.join()) this.o.persist?.(s.target.ifindex, { prefixes: after });
    this.o.onChange(s.target.ifindex);
    await this.syncAddresses(s, lease?.addresses ?? []);
    if (this.sessions.get(s.target.ifindex) === s) this.o.onChange(s.target.ifindex);
  }

  /** Adds (or refreshes the lifetimes of) the lease's addresses and removes the ones it no longer has. */
  private async syncAddresses(s: Session, want: Dhcp6Lease['addresses']): Promise<void> {
    const nl = this.o.platform.netlink;
    const index = s.target.ifindex;
    const keep = new Set(want.map((a) => a.address));
    for (const [address, prefixLength] of [...s.applied]) {
      if (keep.has(address)) continue;
      s.applied.delete(address);
      await nl.delAddress({ index, family: 6, address, prefixLength }).catch((e) => this.o.log.debug('ipv6-auto', `del ${address}: ${(e as Error).message}`));
    }
    for (const a of want) {
      if (a.validLifetime === 0) continue;
      const spec = { index, family: 6 as const, address: a.address, prefixLength: 128,
        validLifetime: a.validLifetime, preferredLifetime: a.preferredLifetime };
      s.applied.set(a.address, 128);
      await nl.addAddress(spec).catch((e) => this.o.log.debug('ipv6-auto', `add ${a.address}: ${(e as Error).message}`));
    }
  }
}

/** ConnMan's IPv6.DHCP.LastPrefixes entries: "prefix/length". */
function prefixList(l: Dhcp6Lease | undefined): string[] {
  return (l?.prefixes ?? []).map((p) => `${p.prefix}/${p.prefixLength}`);
}

/** The lease `seconds` later: lifetimes counted down; undefined once nothing in it is valid any more. */
function aged(l: Dhcp6Lease, seconds: number): Dhcp6Lease | undefined {
  const left = (v: number) => (v === FOREVER ? v : Math.max(0, Math.floor(v - seconds)));
  const addresses = l.addresses.map((a) => ({ ...a, validLifetime: left(a.validLifetime), preferredLifetime: left(a.preferredLifetime) }))
    .filter((a) => a.validLifetime > 0);
  const prefixes = l.prefixes.map((p) => ({ ...p, validLifetime: left(p.validLifetime), preferredLifetime: left(p.preferredLifetime) }))
    .filter((p) => p.validLifetime > 0);
  return addresses.length || prefixes.length ? { ...l, addresses, prefixes } : undefined;
}

function uniq(xs: string[]): string[] { return xs.filter((x, i) => xs.indexOf(x) === i); }
