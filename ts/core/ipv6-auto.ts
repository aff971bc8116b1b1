// IPv6 method auto beyond what the kernel does by itself. The kernel runs SLAAC and installs the RA
// routes (accept_ra is left at the kernel's default, as connmand 1.41 leaves it: it only writes
// disable_ipv6 and use_tempaddr); this module adds what the kernel hands to userspace: RDNSS / DNSSL
// with their lifetimes, and the RA's M / O flags, which start DHCPv6 stateful or stateless.
// DHCPv6 addresses (IA_NA) go onto the link with the lease's lifetimes; delegated prefixes (IA_PD)
// are only kept, for tethering. One session per connected service; the manager merges `extras()`.
import type { Clock, TimerHandle } from './clock';
import type { Logger } from './log';
import type { Dhcp6Client, Dhcp6Lease, Dhcp6Prefix, Platform, RaEvent, RaWatcher } from '../platform/types';
import type { IPv6Privacy } from './ipconfig';

const FOREVER = 0xffffffff;

export const PRIVACY_SYSCTL: Record<IPv6Privacy, 0 | 1 | 2> = { disabled: 0, enabled: 1, prefered: 2 };

export interface Ipv6AutoTarget {
  ifindex: number;
  ifname: string;
  mac?: string;
  privacy: IPv6Privacy;
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

class Session {
  readonly rdnss = new Expiring();
  readonly dnssl = new Expiring();
  dhcp?: Dhcp6Client;
  dhcpMode?: 'stateful' | 'stateless';
  lease?: Dhcp6Lease;
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
  /** ask DHCPv6 for a delegated prefix too (stateful only) */
  requestPrefix?: boolean;
}

export class Ipv6Auto {
  private watcher?: RaWatcher;
  private readonly sessions = new Map<number, Session>();
  /** the last M / O flags per ifindex, which may arrive before the service connects */
  private readonly flags = new Map<number, { managed: boolean; other: boolean }>();

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
    this.watcher?.stop();
    this.watcher = undefined;
  }

  /** The service's IPv6 went auto and it is connecting: privacy first, so SLAAC makes the right addresses. */
  begin(t: Ipv6AutoTarget): void {
    this.end(t.ifindex, false);
    try { this.o.platform.setIPv6Privacy?.(t.ifname, PRIVACY_SYSCTL[t.privacy]); } catch (e) {
      this.o.log.debug('ipv6-auto', `use_tempaddr ${t.ifname}: ${(e as Error).message}`);
    }
    this.sessions.set(t.ifindex, new Session(t));
    const f = this.flags.get(t.ifindex);
    if (f) this.applyFlags(t.ifindex, f.managed, f.other);
    try { this.watcher?.requestFlags(); } catch (e) { this.o.log.debug('ipv6-auto', `requestFlags: ${(e as Error).message}`); }
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
    return s?.dhcp ? `${s.dhcpMode}:${s.dhcp.state}` : undefined;
  }

  private onRa(ev: RaEvent): void {
    if (ev.type === 'raflags') {
      this.flags.set(ev.ifindex, { managed: ev.managed, other: ev.other });
      if (this.sessions.has(ev.ifindex)) this.applyFlags(ev.ifindex, ev.managed, ev.other);
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
  private applyFlags(ifindex: number, managed: boolean, other: boolean): void {
    const s = this.sessions.get(ifindex)!;
    const want = managed ? 'stateful' : other ? 'stateless' : undefined;
    if (want === s.dhcpMode) return;
    this.stopDhcp(s, want === undefined);
    if (!want || !this.o.platform.createDhcp6Client || !s.target.mac) return;
    try {
      const c = this.o.platform.createDhcp6Client({
        ifindex, ifname: s.target.ifname, mac: s.target.mac, mode: want,
        requestAddress: true, requestPrefix: want === 'stateful' && !!this.o.requestPrefix,
      });
      c.onEvent((ev) => {
        if (s.dhcp !== c) return;
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
      });
      s.dhcp = c;
      s.dhcpMode = want;
      this.o.log.debug('ipv6-auto', `${s.target.ifname}: DHCPv6 ${want}`);
      c.start();
    } catch (e) {
      this.o.log.warn(`DHCPv6 ${s.target.ifname}: ${(e as Error).message}`);
    }
  }

  private stopDhcp(s: Session, release: boolean): void {
    const c = s.dhcp;
    s.dhcp = undefined;
    s.dhcpMode = undefined;
    if (c) {
      try { c.stop(release); } catch (e) { this.o.log.debug('ipv6-auto', `DHCPv6 stop: ${(e as Error).message}`); }
    }
    s.lease = undefined;
    void this.syncAddresses(s, []);
  }

  private async onLease(s: Session, lease: Dhcp6Lease | undefined): Promise<void> {
    s.lease = lease;
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

function uniq(xs: string[]): string[] { return xs.filter((x, i) => xs.indexOf(x) === i); }
