// How a Service and its saved `<id>/settings` map onto each other. The file format itself (keys, order,
// escaping, load rules) belongs to config/service-settings.ts; this module only decides which Service
// fields go where, so the manager has one writer for everything a service persists.
import type { KeyFile } from '../config/keyfile';
import type { Store } from '../config/storage';
import type { DecodeOptions, IpSettings, Ipv6Settings, ServiceSettings } from '../config/service-settings';
import { decodeServiceSettings, encodeServiceSettings } from '../config/service-settings';
import type { IPv4Config, IPv6Config } from './ipconfig';
import type { Service } from './service';

/** The saved services; config/service-store.ts's ServiceStore is the real one. */
export interface SavedServices {
  ids(): string[];
  load(id: string, opts?: DecodeOptions): ServiceSettings | undefined;
  save(s: ServiceSettings): void;
  /** Service.Remove(): rewritten with Favorite=false, no passphrase */
  forget(id: string): ServiceSettings | undefined;
  /** the directory goes (provisioned service whose config is gone) */
  delete(id: string): boolean;
}

/**
 * SavedServices over the older KeyFile Store (MemoryStore in unit tests): the same encoder and decoder,
 * so what a test sees is byte for byte what ServiceStore writes.
 */
export class StoreServices implements SavedServices {
  constructor(private readonly store: Store & { services?: Map<string, string> }) {}
  ids(): string[] { return this.store.services ? [...this.store.services.keys()].sort() : []; }
  load(id: string, opts: DecodeOptions = {}): ServiceSettings | undefined {
    let kf: KeyFile | undefined;
    try { kf = this.store.loadService(id); } catch { return undefined; }
    return kf ? decodeServiceSettings(kf, id, opts) : undefined;
  }
  save(s: ServiceSettings): void { this.store.saveService(s.id, encodeServiceSettings(s)); }
  forget(id: string): ServiceSettings | undefined {
    const s = this.load(id);
    if (!s) return undefined;
    const f: ServiceSettings = { ...s, favorite: false };
    delete f.passphrase;
    if (f.ipv6) f.ipv6 = { ...f.ipv6, privacy: 'disabled' };
    this.save(f);
    return f;
  }
  delete(id: string): boolean { return this.store.services?.delete(id) ?? false; }
}

function ipv4From(s: IpSettings | undefined): IPv4Config {
  if (!s) return { method: 'dhcp' };
  const method = s.method === 'auto' ? 'dhcp' : s.method;
  if (method !== 'manual' && method !== 'fixed') return { method };
  return { method, address: s.localAddress || undefined, prefixLength: s.prefixLength || undefined, gateway: s.gateway || undefined };
}

function ipv6From(s: Ipv6Settings | undefined): IPv6Config {
  if (!s) return { method: 'auto', privacy: 'disabled' };
  const method = s.method === 'dhcp' ? 'auto' : s.method;
  if (method !== 'manual' && method !== 'fixed') return { method, privacy: s.privacy };
  return { method, privacy: s.privacy, address: s.localAddress || undefined, prefixLength: s.prefixLength || undefined, gateway: s.gateway || undefined };
}

/** service_load for a non-provisioned service (a provisioned one takes AutoConnect and Modified only). */
export function applySettings(svc: Service, s: ServiceSettings, provisioned: boolean): void {
  if (s.autoconnect !== undefined) svc.autoconnect = s.autoconnect;
  if (s.modified) svc.modified = s.modified;
  if (provisioned) return;
  // connmand keeps no Favorite key for cables and VPNs: a saved one is a favourite by having been saved
  if (svc.type !== 'ethernet' && svc.type !== 'vpn') svc.favorite = s.favorite;
  if (svc.type === 'wifi' && !svc.name && s.name) svc.name = s.name;
  if (s.passphrase !== undefined) svc.passphrase = s.passphrase;
  svc.ipv4Config = ipv4From(s.ipv4);
  svc.lastDhcpAddress = s.ipv4?.dhcpLastAddress;
  svc.ipv6Config = ipv6From(s.ipv6);
  svc.dhcp6Duid = s.ipv6?.dhcpDuid;
  svc.dhcp6LastPrefixes = s.ipv6?.dhcpLastPrefixes;
  svc.nameserversConfig = s.nameservers ?? [];
  svc.timeserversConfig = s.timeservers ?? [];
  svc.domainsConfig = s.domains ?? [];
  svc.proxyConfig = { method: s.proxyMethod, servers: s.proxyServers, excludes: s.proxyExcludes, url: s.proxyUrl };
  svc.mdnsConfig = s.mdns;
  svc.hidden = s.hidden;
}

function ipv4To(c: IPv4Config, svc: Service): IpSettings {
  const out: IpSettings = { method: c.method };
  if (c.method === 'dhcp' && svc.lastDhcpAddress) out.dhcpLastAddress = svc.lastDhcpAddress;
  if (c.method === 'manual' || c.method === 'fixed') {
    if (c.prefixLength) out.prefixLength = c.prefixLength;
    if (c.address) out.localAddress = c.address;
    if (c.gateway) out.gateway = c.gateway;
  }
  return out;
}

function ipv6To(c: IPv6Config, svc: Service): Ipv6Settings {
  const out: Ipv6Settings = { method: c.method === '6to4' ? 'auto' : c.method, privacy: c.privacy };
  if (svc.dhcp6Duid) out.dhcpDuid = svc.dhcp6Duid;
  if (svc.dhcp6LastPrefixes?.length) out.dhcpLastPrefixes = [...svc.dhcp6LastPrefixes];
  if (c.method === 'manual' || c.method === 'fixed') {
    if (c.prefixLength) out.prefixLength = c.prefixLength;
    if (c.address) out.localAddress = c.address;
    if (c.gateway) out.gateway = c.gateway;
  }
  return out;
}

/** service_save: everything the file keeps, from scratch. */
export function toSettings(svc: Service): ServiceSettings {
  const s: ServiceSettings = {
    id: svc.id, favorite: svc.favorite, autoconnect: svc.autoconnect, modified: svc.modified,
    mdns: svc.mdnsConfig, hidden: svc.hidden,
    ipv4: ipv4To(svc.ipv4Config, svc), ipv6: ipv6To(svc.ipv6Config, svc),
  };
  if (svc.name) s.name = svc.name;
  if (svc.type === 'wifi' && svc.ssid !== undefined) s.ssid = svc.ssid;
  if (svc.passphrase) s.passphrase = svc.passphrase;
  if (svc.nameserversConfig.length) s.nameservers = [...svc.nameserversConfig];
  if (svc.timeserversConfig.length) s.timeservers = [...svc.timeserversConfig];
  if (svc.domainsConfig.length) s.domains = [...svc.domainsConfig];
  // connmand saves the server, exclude and URL lists whatever the method (a switch to direct keeps them)
  const p = svc.proxyConfig;
  if (p.method) s.proxyMethod = p.method;
  if (p.servers?.length) s.proxyServers = [...p.servers];
  if (p.excludes?.length) s.proxyExcludes = [...p.excludes];
  if (p.url) s.proxyUrl = p.url;
  if (svc.configFile) s.configFile = svc.configFile;
  if (svc.configIdent) s.configIdent = svc.configIdent;
  return s;
}
