// IPv4 auto-configuration of one service: the DHCPv4 client, the lease stored from the last run (so a
// restart costs one INIT-REBOOT round trip), ACD on the leased address when main.conf asks for it
// (a conflict sends DHCPDECLINE and starts over), and IPv4-LL (169.254/16) while no server answers,
// dropped as soon as a lease arrives. The rest of core sees one class and its events.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { writeFileAtomic } from '../config/atomic-write';
import { KeyFile } from '../config/keyfile';
import type { AcdClient, Dhcp4Client, Dhcp4Lease, Ipv4llClient, Platform } from '../platform/types';
import { Applier, EMPTY_LINK_CONFIG, ipv4LinkConfig } from './applier';

export interface Ipv4Events {
  /** a DHCP lease is applied (first, or its address / prefix / gateway changed) */
  bound(lease: Dhcp4Lease): void;
  /** nothing usable is configured any more (lease expired, conflict, link-local address lost) */
  lost(): void;
  /** an IPv4-LL address is applied while no DHCP server answers */
  linkLocal?(address: string): void;
  /** ACD found the leased address in use by `other` (a MAC); the lease was declined */
  conflict?(address: string, other: string): void;
  /** ACD (main.conf AddressConflictDetection) started probing an address for this link */
  acdStarted?(): void;
  /** ACD found `address` free (probe and announcements done) */
  acdAvailable?(address: string): void;
}

export interface Ipv4DhcpOptions {
  vendorClass?: string;
  hostname?: string;
  /** where the lease survives a restart; none = always DISCOVER */
  leaseStore?: LeaseStore;
  /** main.conf AddressConflictDetection: probe a leased address before using it, then defend it */
  acd?: boolean;
  /** fall back to IPv4-LL when no server answers (ConnMan always does) */
  ipv4ll?: boolean;
  /** wall clock in ms, for the stored lease's expiry (a test seam) */
  wallClock?: () => number;
}

export interface StoredLease {
  address: string;
  serverId: string;
  /** ms since the epoch; CLOCK_BOOTTIME does not survive a reboot, the wall clock does */
  expires: number;
}

export interface LeaseStore {
  load(): StoredLease | undefined;
  save(l: StoredLease): void;
  clear(): void;
}

const GROUP = 'dhcp4';

/** `<statedir>/<service id>/dhcp4.lease`, a keyfile beside the service's `settings`. */
export class FileLeaseStore implements LeaseStore {
  private readonly file: string;
  constructor(serviceDir: string) { this.file = path.join(serviceDir, 'dhcp4.lease'); }

  load(): StoredLease | undefined {
    try {
      const kf = KeyFile.parse(fs.readFileSync(this.file, 'utf8'));
      const address = kf.getString(GROUP, 'Address');
      const expires = Date.parse(kf.getString(GROUP, 'Expires') ?? '');
      if (!address || !/^\d+\.\d+\.\d+\.\d+$/.test(address) || Number.isNaN(expires)) return undefined;
      return { address, serverId: kf.getString(GROUP, 'ServerId') ?? '', expires };
    } catch {
      return undefined; // absent or unreadable: the client simply discovers
    }
  }

  save(l: StoredLease): void {
    const kf = new KeyFile();
    kf.setRaw(GROUP, 'Address', l.address);
    kf.setRaw(GROUP, 'ServerId', l.serverId);
    kf.setRaw(GROUP, 'Expires', new Date(l.expires).toISOString());
    fs.mkdirSync(path.dirname(this.file), { recursive: true, mode: 0o700 });
    writeFileAtomic(this.file, kf.toString());
  }

  clear(): void {
    fs.rmSync(this.file, { force: true });
  }
}

export class MemoryLeaseStore implements LeaseStore {
  lease?: StoredLease;
  load(): StoredLease | undefined { return this.lease; }
  save(l: StoredLease): void { this.lease = { ...l }; }
  clear(): void { this.lease = undefined; }
}

/** 169.254/16: connmand never reports conflicts of link-local addresses on the bus. */
export const isLinkLocal = (address: string): boolean => address.startsWith('169.254.');

/** What the rest of core needs to show an IPv4-LL address like a lease (no server, no gateway). */
export function linkLocalLease(address: string): Dhcp4Lease {
  return { address, prefixLength: 16, serverId: '', routers: [], dns: [], ntp: [], broadcast: '169.254.255.255',
    leaseTime: 0, t1: 0, t2: 0 };
}

type Phase = 'stopped' | 'dhcp' | 'probing' | 'leased';

export class Ipv4Dhcp {
  private client?: Dhcp4Client;
  private acd?: AcdClient;
  private ll?: Ipv4llClient;
  private lease?: Dhcp4Lease;
  private llAddress?: string;
  private phase: Phase = 'stopped';
  private readonly arp: { ifindex: number; ifname: string; mac: string };

  constructor(
    private readonly platform: Platform,
    private readonly applier: Applier,
    private readonly link: { ifindex: number; ifname: string; mac: string },
    private readonly events: Ipv4Events,
    private readonly opts: Ipv4DhcpOptions & { requestedAddress?: string } = {},
  ) {
    this.arp = { ifindex: link.ifindex, ifname: link.ifname, mac: link.mac };
  }

  /** The address the next start asks for by INIT-REBOOT, if a stored lease is still valid. */
  storedAddress(): string | undefined {
    const s = this.opts.leaseStore?.load();
    if (!s) return this.opts.requestedAddress;
    return s.expires > this.now() ? s.address : undefined;
  }

  start(): void {
    const c = this.platform.createDhcp4Client({
      ifindex: this.link.ifindex, ifname: this.link.ifname, mac: this.link.mac,
      vendorClass: this.opts.vendorClass, requestedAddress: this.storedAddress(),
      ...(this.opts.hostname ? { hostname: this.opts.hostname } : {}),
    });
    this.client = c;
    this.phase = 'dhcp';
    c.onEvent((ev) => {
      if (this.client !== c) return;
      switch (ev.type) {
        case 'bound':
          this.onLease(ev.lease, true);
          break;
        case 'renewed':
          this.onLease(ev.lease, false);
          break;
        case 'expired':
          this.dropLease();
          // The server has been silent since T2: waiting ~30 s more before IPv4-LL would only lengthen
          // the time with no address at all.
          this.startLinkLocal();
          break;
        case 'nak':
          this.opts.leaseStore?.clear();
          break;
        case 'no-lease':
          this.startLinkLocal();
          break;
        case 'declined':
        case 'stopped':
          break;
      }
    });
    c.start();
  }

  /**
   * Stops everything and removes what was installed. With `release` (a user disconnect) the server
   * gets DHCPRELEASE and the stored lease is forgotten; without it (daemon shutdown) the lease is
   * kept so the next start asks for it again by INIT-REBOOT.
   */
  async stop(release = true): Promise<void> {
    const c = this.client;
    this.client = undefined;
    this.lease = undefined;
    this.phase = 'stopped';
    this.stopAcd();
    this.stopLinkLocal();
    if (c) c.stop(release);
    if (release) this.opts.leaseStore?.clear();
    await this.applier.apply(this.link.ifindex, EMPTY_LINK_CONFIG);
  }

  private now(): number { return (this.opts.wallClock ?? Date.now)(); }

  private onLease(lease: Dhcp4Lease, fresh: boolean): void {
    const sameAddress = this.lease?.address === lease.address;
    if (this.opts.acd && !(sameAddress && this.phase === 'leased')) {
      // RFC 5227 2.1: probe before use. The lease is held back until ACD says "available".
      this.phase = 'probing';
      this.stopAcd();
      const acd = this.platform.createAcd(this.arp);
      this.acd = acd;
      acd.onEvent((ev) => {
        if (this.acd !== acd) return;
        if (ev.type === 'available') {
          this.events.acdAvailable?.(lease.address);
          this.phase = 'leased';
          void this.applyLease(lease, true);
        } else if (ev.type === 'conflict') {
          this.onConflict(ev.address, ev.other);
        }
      });
      this.events.acdStarted?.();
      acd.start(lease.address);
      return;
    }
    this.phase = 'leased';
    void this.applyLease(lease, fresh);
  }

  private onConflict(address: string, other: string): void {
    this.stopAcd();
    const wasApplied = this.lease !== undefined;
    this.lease = undefined;
    this.phase = 'dhcp';
    this.opts.leaseStore?.clear();
    this.client?.decline();
    this.events.conflict?.(address, other);
    if (wasApplied) {
      void this.applier.apply(this.link.ifindex, this.llConfig()).then(() => {
        if (!this.llAddress) this.events.lost();
      });
    }
  }

  private async applyLease(lease: Dhcp4Lease, first: boolean): Promise<void> {
    // A lease wins over IPv4-LL (RFC 3927 1.9: a host with a routable address should not keep using
    // link-local addresses for new communication).
    const hadLinkLocal = this.llAddress !== undefined;
    this.stopLinkLocal();
    const changed = hadLinkLocal || !this.lease || this.lease.address !== lease.address
      || this.lease.prefixLength !== lease.prefixLength || this.lease.routers[0] !== lease.routers[0];
    this.lease = lease;
    this.saveLease(lease);
    if (changed) {
      await this.applier.apply(this.link.ifindex,
        ipv4LinkConfig(this.link.ifindex, lease.address, lease.prefixLength, lease.routers[0], lease.broadcast));
    }
    if (this.lease !== lease) return; // superseded while applying
    if (first || changed) this.events.bound(lease);
  }

  private saveLease(lease: Dhcp4Lease): void {
    if (!this.opts.leaseStore) return;
    try {
      this.opts.leaseStore.save({ address: lease.address, serverId: lease.serverId,
        expires: lease.leaseTime >= 0xffffffff ? 8.64e15 : this.now() + lease.leaseTime * 1000 });
    } catch (e) {
      // Losing the stored lease costs one DISCOVER next time, never the lease itself.
      process.stderr.write(`switchyardd: cannot store the DHCPv4 lease: ${(e as Error).message}\n`);
    }
  }

  private dropLease(): void {
    const had = this.lease !== undefined;
    this.lease = undefined;
    this.phase = 'dhcp';
    this.stopAcd();
    this.opts.leaseStore?.clear();
    if (had) void this.applier.apply(this.link.ifindex, EMPTY_LINK_CONFIG).then(() => this.events.lost());
  }

  private llConfig() {
    return this.llAddress ? ipv4LinkConfig(this.link.ifindex, this.llAddress, 16) : EMPTY_LINK_CONFIG;
  }

  private startLinkLocal(): void {
    if (this.opts.ipv4ll === false || this.ll || this.lease || !this.client) return;
    const ll = this.platform.createIpv4ll(this.arp);
    this.ll = ll;
    // link-local probing is ACD too: with it enabled the service shows LastAddressConflict from here on
    if (this.opts.acd) this.events.acdStarted?.();
    ll.onEvent((ev) => {
      if (this.ll !== ll) return;
      if (ev.type === 'bound') {
        this.llAddress = ev.address;
        void this.applier.apply(this.link.ifindex, this.llConfig()).then(() => {
          if (this.ll === ll && this.llAddress === ev.address) this.events.linkLocal?.(ev.address);
        });
      } else {
        this.llAddress = undefined;
        void this.applier.apply(this.link.ifindex, EMPTY_LINK_CONFIG).then(() => {
          if (this.ll === ll && !this.lease) this.events.lost();
        });
      }
    });
    ll.start();
  }

  private stopLinkLocal(): void {
    this.ll?.stop();
    this.ll = undefined;
    this.llAddress = undefined;
  }

  private stopAcd(): void {
    this.acd?.stop();
    this.acd = undefined;
  }
}
