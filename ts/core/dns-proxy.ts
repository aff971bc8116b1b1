// The DNS module: decides where names are resolved and keeps resolv.conf in step.
//
// With the proxy (the default, as connmand): a native proxy on 127.0.0.1:53 and [::1]:53 (UDP and
// TCP, never a wildcard address) forwards to the connected services' nameservers, default service
// first, split by search domain; resolv.conf names only the loopback addresses, exactly as
// connmand 1.41 writes it ("nameserver ::1", "nameserver 127.0.0.1"), and the search domains go to
// the proxy, not to the file. With -r/--nodnsproxy, or when the proxy cannot bind (port 53 taken),
// resolv.conf gets the real servers and search domains, again as connmand does.
//
// With main.conf DnsBackend=systemd-resolved (a Switchyard extension) neither the proxy nor the file
// is used: each connected service's servers and domains go to resolved for its link, and resolv.conf
// is resolved's business. -r / --nodnsproxy still means resolv.conf with the real servers.
//
// Which file: the one --resolv-conf names, else main.conf ResolvConf, else /etc/resolv.conf.
// Debian's connmand writes /run/connman/resolv.conf and relies on /etc/resolv.conf being a link to
// it; Switchyard writes the chosen path directly, so the same image works with or without that link.
import type { DnsProxy, DnsProxyConfig, Platform } from '../platform/types';
import type { Logger } from './log';
import type { Module } from './modules';
import { FileResolvWriter, ResolvWriter, ServiceDnsEntry } from './resolv';

export const LOOPBACK_RESOLVERS = ['::1', '127.0.0.1'];

export interface DnsModuleOptions {
  platform: Platform;
  log: Logger;
  /** resolv.conf path; "" or /dev/null writes nothing */
  resolvPath: string | undefined;
  /** false with -r / --nodnsproxy */
  proxy: boolean;
  /** main.conf FallbackNameservers */
  fallback: readonly string[];
  listen?: string[];
  port?: number;
  writer?: ResolvWriter;
  /** the systemd-resolved backend (main.conf DnsBackend); replaces proxy and file unless -r */
  resolved?: ResolvWriter & { stop(): Promise<void> };
}

/** The snapshot the proxy gets: services in order, servers deduplicated, empty services dropped. */
export function proxyConfig(services: readonly ServiceDnsEntry[], fallback: readonly string[]): DnsProxyConfig {
  return {
    services: services
      .filter((s) => s.nameservers.length > 0)
      .map((s) => ({ id: s.id, servers: [...new Set(s.nameservers)], domains: [...new Set(s.domains)] })),
    fallback: [...fallback],
  };
}

export class DnsModule implements ResolvWriter, Module {
  readonly name = 'dnsproxy';
  readonly deps: string[] = [];
  private proxy: DnsProxy | undefined;
  private readonly file: ResolvWriter;
  private last: ServiceDnsEntry[] = [];

  constructor(private readonly opts: DnsModuleOptions) {
    this.file = opts.writer ?? new FileResolvWriter(opts.resolvPath);
  }

  get proxyActive(): boolean { return this.proxy !== undefined; }
  stats() { return this.proxy?.stats(); }

  private get useResolved(): boolean { return this.opts.proxy && this.opts.resolved !== undefined; }

  start(): void {
    if (this.useResolved) {
      this.opts.log.info('DNS: systemd-resolved backend');
    } else if (this.opts.proxy) {
      if (!this.opts.platform.createDnsProxy) {
        this.opts.log.warn('DNS proxy not available on this platform; writing nameservers to resolv.conf');
      } else {
        try {
          const p = this.opts.platform.createDnsProxy({ listen: this.opts.listen, port: this.opts.port });
          p.start();
          this.proxy = p;
        } catch (e) {
          // connmand too falls back to resolv.conf when its proxy cannot start.
          this.opts.log.error(`DNS proxy: ${(e as Error).message}; writing nameservers to resolv.conf`);
        }
      }
    }
    this.apply(this.last.flatMap((s) => s.nameservers), this.last.flatMap((s) => s.domains), this.last);
  }

  async stop(): Promise<void> {
    this.proxy?.stop();
    this.proxy = undefined;
    // resolved outlives us: take our servers and domains back from the links we configured
    if (this.useResolved) await this.opts.resolved!.stop();
  }

  write(nameservers: readonly string[], domains: readonly string[], perService?: readonly ServiceDnsEntry[]): void {
    this.last = (perService ?? [{ id: '', nameservers: [...nameservers], domains: [...domains] }]).map((s) => ({ ...s }));
    this.apply(nameservers, domains, this.last);
  }

  private apply(nameservers: readonly string[], domains: readonly string[], perService: readonly ServiceDnsEntry[]): void {
    if (this.useResolved) {
      this.opts.resolved!.write(nameservers, domains, perService);
      return;
    }
    if (this.proxy) {
      this.proxy.setConfig(proxyConfig(perService, this.opts.fallback));
      this.file.write(LOOPBACK_RESOLVERS, []);
      return;
    }
    this.file.write(nameservers.length ? nameservers : this.opts.fallback, domains);
  }
}
