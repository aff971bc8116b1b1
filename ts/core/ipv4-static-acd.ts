// A manual IPv4 address under main.conf AddressConflictDetection: probed before use and defended after
// (RFC 5227). When another host holds it, the service falls back to an IPv4-LL address rather than
// staying without IPv4, which is what connmand does; LastAddressConflict tells the user why.
import type { AcdClient, ArpOptions, Ipv4llClient, Platform } from '../platform/types';

export interface StaticAcdEvents {
  /** probe and announcements met no answer: install the address */
  available(address: string): void;
  /** `other` (a MAC) holds the address, during the probe or after a lost defence: remove it */
  conflict(address: string, other: string): void;
  /** the fallback link-local address is ours */
  linkLocal(address: string): void;
  /** the fallback link-local address was taken; another one follows */
  linkLocalLost(): void;
}

export class StaticIpv4Acd {
  private acd?: AcdClient;
  private ll?: Ipv4llClient;

  constructor(private readonly platform: Platform, private readonly arp: ArpOptions, private readonly events: StaticAcdEvents) {}

  start(address: string): void {
    const acd = this.platform.createAcd(this.arp);
    this.acd = acd;
    acd.onEvent((ev) => {
      if (this.acd !== acd) return;
      if (ev.type === 'available') this.events.available(ev.address);
      else if (ev.type === 'conflict') {
        this.stopAcd();
        this.events.conflict(ev.address, ev.other);
        this.startLinkLocal();
      }
    });
    acd.start(address);
  }

  stop(): void {
    this.stopAcd();
    this.ll?.stop();
    this.ll = undefined;
  }

  private stopAcd(): void {
    this.acd?.stop();
    this.acd = undefined;
  }

  private startLinkLocal(): void {
    const ll = this.platform.createIpv4ll(this.arp);
    this.ll = ll;
    ll.onEvent((ev) => {
      if (this.ll !== ll) return;
      if (ev.type === 'bound') this.events.linkLocal(ev.address);
      else this.events.linkLocalLost();
    });
    ll.start();
  }
}
