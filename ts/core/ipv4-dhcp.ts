// IPv4 configuration of one service by DHCP: runs the platform's client, turns a lease into the desired
// link state for the Applier, and reports progress to the caller. IPv4LL fallback after a failed
// DISCOVER phase is not done yet (ConnMan falls back to 169.254/16 there).
import type { Dhcp4Client, Dhcp4Lease, Platform } from '../platform/types';
import { Applier, EMPTY_LINK_CONFIG, ipv4LinkConfig } from './applier';

export interface Ipv4Events {
  bound(lease: Dhcp4Lease): void;
  lost(): void;
}

export class Ipv4Dhcp {
  private client?: Dhcp4Client;
  private lease?: Dhcp4Lease;

  constructor(
    private readonly platform: Platform,
    private readonly applier: Applier,
    private readonly link: { ifindex: number; ifname: string; mac: string },
    private readonly events: Ipv4Events,
    private readonly opts: { vendorClass?: string; requestedAddress?: string } = {},
  ) {}

  start(): void {
    const c = this.platform.createDhcp4Client({
      ifindex: this.link.ifindex, ifname: this.link.ifname, mac: this.link.mac,
      vendorClass: this.opts.vendorClass, requestedAddress: this.opts.requestedAddress,
    });
    this.client = c;
    c.onEvent((ev) => {
      if (this.client !== c) return;
      switch (ev.type) {
        case 'bound':
        case 'renewed':
          void this.applyLease(ev.lease, ev.type === 'bound');
          break;
        case 'expired':
          this.lease = undefined;
          void this.applier.apply(this.link.ifindex, EMPTY_LINK_CONFIG).then(() => this.events.lost());
          break;
        case 'nak':
        case 'stopped':
          break;
      }
    });
    c.start();
  }

  /** Stops the client (sending RELEASE for a held lease, as gdhcp does) and removes what it installed. */
  async stop(release = true): Promise<void> {
    const c = this.client;
    this.client = undefined;
    this.lease = undefined;
    if (c) c.stop(release);
    await this.applier.apply(this.link.ifindex, EMPTY_LINK_CONFIG);
  }

  private async applyLease(lease: Dhcp4Lease, first: boolean): Promise<void> {
    const changed = !this.lease || this.lease.address !== lease.address || this.lease.prefixLength !== lease.prefixLength
      || this.lease.routers[0] !== lease.routers[0];
    this.lease = lease;
    if (changed) {
      await this.applier.apply(this.link.ifindex,
        ipv4LinkConfig(this.link.ifindex, lease.address, lease.prefixLength, lease.routers[0], lease.broadcast));
    }
    if (first || changed) this.events.bound(lease);
  }
}
