// Cables: every plain Ethernet link becomes a Device; carrier on a powered device makes a service
// `ethernet_<mac>_cable` named "Wired", which autoconnects when favourite; losing carrier removes it.
import type { LinkEvent, LinkInfo } from '../platform/types';
import { Device } from '../core/device';
import { ARPHRD_ETHER, IFF_LOWER_UP, IFF_UP, globMatch, isFiltered } from '../core/link-watch';
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

  /**
   * ConnMan starts a managed interface from a clean slate: addresses and routes someone else left on it
   * are removed. KeepExistingConfiguration (a Switchyard extension, docs/main-conf-extensions.md) names
   * interfaces whose existing configuration stays, for boards whose root file system is mounted over it.
   */
  private async flush(l: LinkInfo): Promise<void> {
    const c = this.ctx!;
    if (c.config.KeepExistingConfiguration.some((p) => globMatch(p, l.name))) {
      c.log.info(`ethernet: keeping the existing configuration of ${l.name}`);
      return;
    }
    const nl = c.platform.netlink;
    // Link-local IPv6 (scope 253) belongs to the kernel and comes back anyway; routes go with their addresses.
    for (const a of nl.listAddresses(l.index, 0).filter((x) => x.scope === 0)) {
      await nl.delAddress({ index: l.index, family: a.family, address: a.address, prefixLength: a.prefixLength })
        .catch((e) => c.log.debug('ethernet', `flush ${l.name}: ${(e as Error).message}`));
    }
    // IPv6 routes through a gateway outlive the address they were reached by, so they go by hand too;
    // kernel (2) and router-advertisement (9) routes are the kernel's own and come back by themselves.
    for (const r of nl.listRoutes(0).filter((x) => x.oif === l.index && x.table === 254 && x.protocol !== 2 && x.protocol !== 9)) {
      await nl.delRoute({ family: r.family, dst: r.dst, prefixLength: r.prefixLength, gateway: r.gateway, oif: r.oif, table: r.table, metric: r.metric })
        .catch(() => {});
    }
  }

  private async onLink(ev: LinkEvent): Promise<void> {
    const m = this.ctx!.manager;
    const l = ev.link;
    if (ev.type === 'del') { await m.removeDevice(l.index); return; }
    if (!this.eligible(l)) return;
    if (!m.devices.has(l.index)) {
      await this.flush(l);
      await m.addDevice(new Device(l.index, l.name, l.mac, 'ethernet', {
        enable: (d) => this.ctx!.platform.netlink.setLinkUp(d.ifindex, true),
        disable: (d) => this.ctx!.platform.netlink.setLinkUp(d.ifindex, false),
      }));
    }
    const cur = this.ctx!.links.links.get(l.index) ?? l;
    if (!m.devices.has(l.index)) return;
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
