// Cables: every plain Ethernet link becomes a Device; carrier on a powered device makes a service
// `ethernet_<mac>_cable` named "Wired", which autoconnects when favourite; losing carrier removes it.
import type { LinkEvent, LinkInfo } from '../platform/types';
import { Device } from '../core/device';
import { ARPHRD_ETHER, IFF_LOWER_UP, IFF_UP, isFiltered } from '../core/link-watch';
import { Service, ethernetServiceId } from '../core/service';
import { PLUGIN_API_VERSION, Plugin, PluginContext } from './plugin';

export class EthernetPlugin implements Plugin {
  readonly name = 'ethernet';
  readonly apiVersion = PLUGIN_API_VERSION;
  private ctx?: PluginContext;
  private unsubscribe?: () => void;
  /** serialise per-link handling so a burst of netlink events is processed in order */
  private queue: Promise<void> = Promise.resolve();

  async start(ctx: PluginContext): Promise<void> {
    this.ctx = ctx;
    this.unsubscribe = ctx.links.on('link', (ev) => { this.enqueue(() => this.onLink(ev)); });
    for (const link of ctx.links.links.values()) this.enqueue(() => this.onLink({ type: 'new', link }));
    await this.queue;
  }

  async stop(): Promise<void> {
    this.unsubscribe?.();
    await this.queue;
    const m = this.ctx!.manager;
    for (const d of [...m.devices.values()].filter((x) => x.type === 'ethernet')) await m.removeDevice(d.ifindex);
  }

  private enqueue(fn: () => Promise<void>): void {
    this.queue = this.queue.then(fn).catch((e) => this.ctx?.log.error(`ethernet: ${(e as Error).message}`));
  }

  private eligible(l: LinkInfo): boolean {
    const c = this.ctx!;
    return l.arphrd === ARPHRD_ETHER && !l.wireless && l.mac !== '' &&
      !isFiltered(l.name, { device: c.device, nodevice: c.nodevice, blacklist: c.config.NetworkInterfaceBlacklist });
  }

  private async onLink(ev: LinkEvent): Promise<void> {
    const m = this.ctx!.manager;
    const l = ev.link;
    if (ev.type === 'del') { await m.removeDevice(l.index); return; }
    if (!this.eligible(l)) return;
    if (!m.devices.has(l.index)) {
      await m.addDevice(new Device(l.index, l.name, l.mac, 'ethernet', {
        enable: (d) => this.ctx!.platform.netlink.setLinkUp(d.ifindex, true),
        disable: (d) => this.ctx!.platform.netlink.setLinkUp(d.ifindex, false),
      }));
    }
    const cur = this.ctx!.links.links.get(l.index) ?? l;
    const dev = m.devices.get(l.index);
    const carrier = (cur.flags & IFF_UP) !== 0 && (cur.flags & IFF_LOWER_UP) !== 0;
    const id = ethernetServiceId(cur.mac);
    const svc = m.service(id);
    if (carrier && dev?.powered && !svc) {
      const s = new Service(id, 'ethernet');
      s.name = 'Wired';
      s.ifindex = cur.index;
      s.ifname = cur.name;
      s.mac = cur.mac;
      s.mtu = cur.mtu;
      m.addService(s);
    } else if (!carrier && svc) {
      await m.removeService(svc);
    } else if (svc && svc.mtu !== cur.mtu) {
      svc.mtu = cur.mtu;
      svc.notify(svc, 'Ethernet');
    }
  }
}
