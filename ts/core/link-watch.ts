// Keeps the current link table from rtnetlink and fans link events out to plugins.
import type { LinkEvent, LinkInfo, Netlink } from '../platform/types';
import { Emitter } from './emitter';

export const IFF_UP = 0x1;
export const IFF_RUNNING = 0x40;
export const IFF_LOWER_UP = 0x10000;
export const ARPHRD_ETHER = 1;
export const ARPHRD_LOOPBACK = 772;

export class LinkWatch extends Emitter<{ link: [LinkEvent] }> {
  readonly links = new Map<number, LinkInfo>();

  constructor(private readonly netlink: Netlink) { super(); }

  start(): void {
    this.netlink.onLink((ev) => {
      if (ev.type === 'new') this.links.set(ev.link.index, ev.link);
      else this.links.delete(ev.link.index);
      this.emit('link', ev);
    });
    for (const l of this.netlink.start()) this.links.set(l.index, l);
  }

  stop(): void { this.netlink.stop(); }
}

/** GLib's g_pattern_match_simple: '*' and '?' wildcards. */
export function globMatch(pattern: string, name: string): boolean {
  const re = new RegExp('^' + pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.') + '$');
  return re.test(name);
}

/** ConnMan's device filter: -i whitelist, -I blacklist, dummy* always, NetworkInterfaceBlacklist prefixes. */
export function isFiltered(name: string, opts: { device?: string[]; nodevice?: string[]; blacklist: string[] }): boolean {
  if (opts.device && !opts.device.some((p) => globMatch(p, name))) return true;
  if (opts.nodevice && opts.nodevice.some((p) => globMatch(p, name))) return true;
  if (name.startsWith('dummy')) return true;
  return opts.blacklist.some((p) => p !== '' && name.startsWith(p));
}
