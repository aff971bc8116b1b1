// The systemd-resolved backend, the alternative to our own proxy (ConnMan has the same choice as a
// build option; here it is main.conf DnsBackend=systemd-resolved): instead of forwarding, tell resolved each link's servers and search domains
// through org.freedesktop.resolve1.Manager (SetLinkDNS "ia(iay)", SetLinkDomains "ia(sb)"), and
// RevertLink a link once no connected service uses it. resolv.conf is then resolved's business.
import { isIP } from 'node:net';
import type { Logger } from './log';
import type { ResolvWriter, ServiceDnsEntry } from './resolv';

export interface ResolvedBus {
  call(destination: string, path: string, iface: string, member: string, signature: string, body: unknown[]): Promise<unknown[]>;
  subscribe?(match: { sender?: string; interface?: string; member?: string; arg0?: string },
    fn: (s: { body: unknown[] }) => void): Promise<unknown>;
}

const DEST = 'org.freedesktop.resolve1';
const PATH = '/org/freedesktop/resolve1';
const IFACE = 'org.freedesktop.resolve1.Manager';
const AF_INET = 2;
const AF_INET6 = 10;

/** "192.0.2.1" -> [2, <4 bytes>], "2001:db8::1" -> [10, <16 bytes>]; undefined if not an address. */
export function addressBytes(text: string): [number, Buffer] | undefined {
  const a = text.split('%')[0];
  if (isIP(a) === 4) return [AF_INET, Buffer.from(a.split('.').map(Number))];
  if (isIP(a) !== 6) return undefined;
  const [head, tail = ''] = a.includes('::') ? a.split('::') : [a, undefined as unknown as string];
  const h = head ? head.split(':') : [];
  const t = a.includes('::') && tail ? tail.split(':') : [];
  const words = [...h, ...Array(8 - h.length - t.length).fill('0'), ...t].map((w) => parseInt(w, 16));
  const b = Buffer.alloc(16);
  words.forEach((w, i) => b.writeUInt16BE(w, i * 2));
  return [AF_INET6, b];
}

export class ResolvedBackend implements ResolvWriter {
  private links = new Set<number>();
  private last: ServiceDnsEntry[] = [];
  private chain: Promise<void> = Promise.resolve();

  constructor(private readonly bus: ResolvedBus, private readonly log: Logger) {}

  /** resolved keeps link settings only in memory: whenever it (re)appears on the bus, push them again. */
  async follow(): Promise<void> {
    await this.bus.subscribe?.({ sender: 'org.freedesktop.DBus', interface: 'org.freedesktop.DBus', member: 'NameOwnerChanged', arg0: DEST },
      (s) => {
        if (!s.body[2]) return;
        this.log.info('systemd-resolved appeared on the bus; sending the links\' DNS settings again');
        this.links.clear();
        this.enqueue(this.last);
      });
  }

  write(_ns: readonly string[], _dom: readonly string[], perService: readonly ServiceDnsEntry[] = []): void {
    this.last = perService.map((s) => ({ ...s }));
    this.enqueue(this.last);
  }

  private enqueue(snapshot: ServiceDnsEntry[]): void {
    // Calls are serialised so a fast sequence of changes reaches resolved in order.
    this.chain = this.chain.then(() => this.apply(snapshot)).catch((e) => this.log.error(`systemd-resolved: ${(e as Error).message}`));
  }

  /** resolves once every call queued so far has been answered */
  settled(): Promise<void> { return this.chain; }

  /** Reverts every link we configured (at shutdown), after the calls already queued. */
  stop(): Promise<void> {
    this.write([], [], []);
    return this.settled();
  }

  private async apply(services: ServiceDnsEntry[]): Promise<void> {
    const now = new Set<number>();
    for (const s of services) {
      const idx = s.ifindex ?? -1;
      if (idx <= 0 || now.has(idx)) continue;
      now.add(idx);
      const addrs = s.nameservers.map(addressBytes).filter((x): x is [number, Buffer] => x !== undefined);
      await this.bus.call(DEST, PATH, IFACE, 'SetLinkDNS', 'ia(iay)', [idx, addrs]);
      await this.bus.call(DEST, PATH, IFACE, 'SetLinkDomains', 'ia(sb)', [idx, s.domains.map((d) => [d, false])]);
    }
    for (const idx of this.links) if (!now.has(idx)) await this.bus.call(DEST, PATH, IFACE, 'RevertLink', 'i', [idx]);
    this.links = now;
  }
}
