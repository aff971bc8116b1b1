// The loopback link is not a service; ConnMan just makes sure it is up with 127.0.0.1/8 so local
// resolvers and the DNS proxy work. Hostname setting (also done by ConnMan's loopback plugin) is
// not implemented yet.
import { ARPHRD_LOOPBACK, IFF_UP } from '../core/link-watch';
import { PLUGIN_API_VERSION, Plugin, PluginContext } from './plugin';

export class LoopbackPlugin implements Plugin {
  readonly name = 'loopback';
  readonly apiVersion = PLUGIN_API_VERSION;

  async start(ctx: PluginContext): Promise<void> {
    const lo = [...ctx.links.links.values()].find((l) => l.arphrd === ARPHRD_LOOPBACK);
    if (!lo) return;
    const nl = ctx.platform.netlink;
    const has = nl.listAddresses(lo.index, 4).some((a) => a.address === '127.0.0.1');
    try {
      if (!has) await nl.addAddress({ index: lo.index, family: 4, address: '127.0.0.1', prefixLength: 8 });
      if ((lo.flags & IFF_UP) === 0) await nl.setLinkUp(lo.index, true);
    } catch (e) {
      ctx.log.warn(`loopback: ${(e as Error).message}`);
    }
  }

  stop(): void {}
}
