// One saved service, `<statedir>/<id>/settings`, as connmand 1.41 reads and writes it. The 36 keys, their
// order and the rules for when each is written follow service_save / __connman_ipconfig_save; reading
// follows service_load / __connman_ipconfig_load, including what a provisioned service ignores.
import { KeyFile } from './keyfile';
import { gStrcompress, gStrescape } from './gstrescape';

export type ServiceKind = 'ethernet' | 'wifi' | 'gadget' | 'bluetooth' | 'cellular' | 'vpn' | 'p2p' | 'system' | 'gps' | 'unknown';
export type IpMethod = 'off' | 'fixed' | 'manual' | 'dhcp' | 'auto';
export type Ipv6Privacy = 'disabled' | 'enabled' | 'prefered';
export type ProxyMethod = 'direct' | 'auto' | 'manual';

export interface IpSettings {
  method: IpMethod;
  /** IPv4: kept for methods dhcp (and auto, loaded as dhcp); IPv6: whenever set */
  dhcpLastAddress?: string;
  /** fixed/manual only; 0 means "not stored" */
  prefixLength?: number;
  localAddress?: string;
  peerAddress?: string;
  broadcastAddress?: string;
  gateway?: string;
}

export interface Ipv6Settings extends IpSettings {
  privacy: Ipv6Privacy;
  dhcpLastPrefixes?: string[];
  /** written by connmand's DHCPv6 code directly; a service save drops it, as connmand's does */
  dhcpDuid?: string;
}

export interface ServiceSettings {
  id: string;
  name?: string;
  /** Wi-Fi SSID bytes as lowercase hex */
  ssid?: string;
  frequency?: number;
  favorite: boolean;
  autoconnect?: boolean;
  splitRouting?: boolean;
  modified?: Date;
  passphrase?: string;
  ipv4?: IpSettings;
  ipv6?: Ipv6Settings;
  nameservers?: string[];
  timeservers?: string[];
  domains?: string[];
  proxyMethod?: ProxyMethod;
  proxyServers?: string[];
  proxyExcludes?: string[];
  proxyUrl?: string;
  mdns: boolean;
  hidden: boolean;
  configFile?: string;
  configIdent?: string;
}

/** Every key a settings file can hold, in the order service_save writes them. */
export const SERVICE_KEYS = [
  'Name', 'SSID', 'Frequency', 'Favorite', 'AutoConnect', 'SplitRouting', 'Modified', 'Passphrase',
  'IPv4.method', 'IPv4.DHCP.LastAddress', 'IPv4.netmask_prefixlen', 'IPv4.local_address', 'IPv4.peer_address',
  'IPv4.broadcast_address', 'IPv4.gateway',
  'IPv6.method', 'IPv6.privacy', 'IPv6.DHCP.LastAddress', 'IPv6.DHCP.LastPrefixes', 'IPv6.netmask_prefixlen',
  'IPv6.local_address', 'IPv6.peer_address', 'IPv6.broadcast_address', 'IPv6.gateway', 'IPv6.DHCP.DUID',
  'Nameservers', 'Timeservers', 'Domains', 'Proxy.Method', 'Proxy.Servers', 'Proxy.Excludes', 'Proxy.URL',
  'mDNS', 'Hidden', 'Config.file', 'Config.ident',
] as const;

const KINDS: ServiceKind[] = ['ethernet', 'wifi', 'gadget', 'bluetooth', 'cellular', 'vpn', 'p2p', 'system', 'gps'];

/** The type is the identifier's first component (`ethernet_<mac>_cable`, `wifi_<mac>_<ssid>_managed_psk`). */
export function serviceKindOf(id: string): ServiceKind {
  const t = id.split('_', 1)[0] as ServiceKind;
  return KINDS.includes(t) ? t : 'unknown';
}

function hasFavoriteKey(k: ServiceKind): boolean {
  return k === 'wifi' || k === 'gadget' || k === 'bluetooth' || k === 'cellular';
}

/** Which ipconfigs a service has: connmand gives every network-backed service both; a VPN gets IPv4/IPv6 too. */
function hasIpconfig(k: ServiceKind): boolean {
  return k !== 'unknown' && k !== 'system' && k !== 'gps' && k !== 'p2p';
}

/** `Modified`: local wall-clock time printed with a literal Z (util_timeval_to_iso8601). */
export function formatModified(d: Date): string {
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}T${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}Z`;
}

/** The inverse, as mktime reads it: local time; `Z` or a legacy `.fffZ` suffix; anything else is ignored. */
export function parseModified(s: string): Date | undefined {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(Z|\..*Z)$/.exec(s);
  if (!m) return undefined;
  const d = new Date(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +m[6]);
  return Number.isNaN(d.getTime()) || d.getTime() < 0 ? undefined : d;
}

const METHODS: IpMethod[] = ['off', 'fixed', 'manual', 'dhcp', 'auto'];

function writeIp(kf: KeyFile, g: string, prefix: 'IPv4.' | 'IPv6.', ip: IpSettings | Ipv6Settings): void {
  const str = (k: string, v: string | undefined) => { if (v) kf.setString(g, prefix + k, v); };
  kf.setString(g, prefix + 'method', ip.method);
  if (prefix === 'IPv6.') {
    const v6 = ip as Ipv6Settings;
    kf.setString(g, 'IPv6.privacy', v6.privacy);
    str('DHCP.LastAddress', v6.dhcpLastAddress);
    if (v6.dhcpLastPrefixes?.length) kf.setStringList(g, 'IPv6.DHCP.LastPrefixes', v6.dhcpLastPrefixes);
    // connmand's service_save drops this key (dhcpv6.c writes it beside the file's other keys and a
    // later save rebuilds the file), so its DUID changes at the next DHCPv6 start; kept here so the
    // server sees one client across restarts (RFC 8415 11: "the DUID ... SHOULD NOT change").
    str('DHCP.DUID', v6.dhcpDuid);
  }
  if (ip.method === 'dhcp') str('DHCP.LastAddress', ip.dhcpLastAddress);
  if (ip.method !== 'fixed' && ip.method !== 'manual') return;
  if (ip.prefixLength) kf.setInteger(g, prefix + 'netmask_prefixlen', ip.prefixLength);
  str('local_address', ip.localAddress);
  str('peer_address', ip.peerAddress);
  str('broadcast_address', ip.broadcastAddress);
  str('gateway', ip.gateway);
}

/** The file service_save would write: rebuilt from scratch, so nothing else survives. */
export function encodeServiceSettings(s: ServiceSettings): KeyFile {
  const kf = new KeyFile();
  const g = s.id;
  const kind = serviceKindOf(s.id);
  if (s.name) kf.setString(g, 'Name', s.name);
  if (kind === 'vpn') {
    kf.setBoolean(g, 'SplitRouting', s.splitRouting ?? false);
  } else if (kind === 'wifi' && s.ssid !== undefined) {
    if (s.ssid !== '' && !s.ssid.startsWith('00')) kf.setString(g, 'SSID', s.ssid.toLowerCase());
    kf.setInteger(g, 'Frequency', s.frequency ?? 0);
  }
  if (hasFavoriteKey(kind)) kf.setBoolean(g, 'Favorite', s.favorite);
  if (kind !== 'unknown' && kind !== 'system' && kind !== 'gps' && kind !== 'p2p' && s.favorite) {
    kf.setBoolean(g, 'AutoConnect', s.autoconnect ?? false);
  }
  if (s.modified) kf.setString(g, 'Modified', formatModified(s.modified));
  if (s.passphrase) kf.setString(g, 'Passphrase', gStrescape(s.passphrase));
  if (s.ipv4) writeIp(kf, g, 'IPv4.', s.ipv4);
  if (s.ipv6) writeIp(kf, g, 'IPv6.', s.ipv6);
  // connmand holds an empty list as NULL, so an empty list is simply not written.
  const list = (k: string, v: string[] | undefined) => { if (v?.length) kf.setStringList(g, k, v); };
  list('Nameservers', s.nameservers);
  list('Timeservers', s.timeservers);
  list('Domains', s.domains);
  if (s.proxyMethod) kf.setString(g, 'Proxy.Method', s.proxyMethod);
  list('Proxy.Servers', s.proxyServers);
  list('Proxy.Excludes', s.proxyExcludes);
  if (s.proxyUrl) kf.setString(g, 'Proxy.URL', s.proxyUrl);
  if (s.mdns) kf.setBoolean(g, 'mDNS', true);
  if (s.hidden) kf.setBoolean(g, 'Hidden', true);
  if (s.configFile) kf.setString(g, 'Config.file', s.configFile);
  if (s.configIdent) kf.setString(g, 'Config.ident', s.configIdent);
  return kf;
}

export interface DecodeOptions {
  /** a provisioned service loads AutoConnect and Modified only (the *.config file supplies the rest) */
  provisioned?: boolean;
}

/** GKeyFile-style getters that treat a malformed value as absent, as connmand's NULL error pointers do. */
class Reader {
  constructor(private readonly kf: KeyFile, private readonly g: string) {}
  str(k: string): string | undefined { return this.kf.getString(this.g, k); }
  bool(k: string): boolean | undefined { try { return this.kf.getBoolean(this.g, k); } catch { return undefined; } }
  int(k: string): number | undefined { try { return this.kf.getInteger(this.g, k); } catch { return undefined; } }
  list(k: string): string[] | undefined {
    const v = this.kf.getStringList(this.g, k);
    return v && v.length ? v : undefined;
  }
}

function readIp(r: Reader, prefix: 'IPv4.' | 'IPv6.'): IpSettings {
  const stored = r.str(prefix + 'method');
  let method: IpMethod = stored === undefined ? (prefix === 'IPv4.' ? 'dhcp' : 'auto')
    : (METHODS.includes(stored as IpMethod) ? stored as IpMethod : 'off');
  // A stored IPv4 "auto" is retried as DHCP with its last address.
  if (prefix === 'IPv4.' && method === 'auto') method = 'dhcp';
  const ip: IpSettings = { method };
  if (method === 'fixed' || method === 'manual') {
    const pl = r.int(prefix + 'netmask_prefixlen');
    if (pl) ip.prefixLength = pl;
    ip.localAddress = r.str(prefix + 'local_address');
    ip.peerAddress = r.str(prefix + 'peer_address');
    ip.broadcastAddress = r.str(prefix + 'broadcast_address');
    ip.gateway = r.str(prefix + 'gateway');
  } else if (method === 'dhcp') {
    ip.dhcpLastAddress = r.str(prefix + 'DHCP.LastAddress');
  }
  return dropUndefined(ip);
}

function dropUndefined<T extends object>(o: T): T {
  for (const k of Object.keys(o) as (keyof T)[]) if (o[k] === undefined) delete o[k];
  return o;
}

/**
 * What connmand takes from a settings file. Returns undefined when the file has no group named after the
 * service (connmand then treats the service as new).
 */
export function decodeServiceSettings(kf: KeyFile, id: string, opts: DecodeOptions = {}): ServiceSettings | undefined {
  if (!kf.hasGroup(id)) return undefined;
  const r = new Reader(kf, id);
  const kind = serviceKindOf(id);
  const s: ServiceSettings = { id, favorite: false, mdns: false, hidden: false };
  if (kind !== 'unknown' && kind !== 'system' && kind !== 'gps' && kind !== 'p2p') s.autoconnect = r.bool('AutoConnect');
  const modified = r.str('Modified');
  if (modified !== undefined) s.modified = parseModified(modified);
  if (opts.provisioned) return dropUndefined(s);

  s.name = r.str('Name');
  if (kind === 'vpn') s.splitRouting = r.bool('SplitRouting') ?? false;
  if (kind === 'wifi') {
    s.ssid = r.str('SSID')?.toLowerCase();
    s.frequency = r.int('Frequency');
  }
  if (hasFavoriteKey(kind)) s.favorite = r.bool('Favorite') ?? false;
  const pass = r.str('Passphrase');
  if (pass !== undefined) s.passphrase = gStrcompress(pass);
  if (hasIpconfig(kind)) {
    s.ipv4 = readIp(r, 'IPv4.');
    const v6 = readIp(r, 'IPv6.') as Ipv6Settings;
    const priv = r.str('IPv6.privacy');
    // connmand reads privacy only for auto/manual; string2privacy maps anything unknown to disabled.
    v6.privacy = (v6.method === 'auto' || v6.method === 'manual') && (priv === 'enabled' || priv === 'prefered' || priv === 'preferred')
      ? (priv === 'enabled' ? 'enabled' : 'prefered') : 'disabled';
    const prefixes = r.list('IPv6.DHCP.LastPrefixes');
    if (prefixes) v6.dhcpLastPrefixes = prefixes;
    const duid = r.str('IPv6.DHCP.DUID');
    if (duid) v6.dhcpDuid = duid;
    s.ipv6 = v6;
  }
  s.nameservers = r.list('Nameservers');
  s.timeservers = r.list('Timeservers');
  s.domains = r.list('Domains');
  const pm = r.str('Proxy.Method');
  if (pm === 'direct' || pm === 'auto' || pm === 'manual') s.proxyMethod = pm;
  s.proxyServers = r.list('Proxy.Servers');
  s.proxyExcludes = r.list('Proxy.Excludes');
  s.proxyUrl = r.str('Proxy.URL');
  s.mdns = r.bool('mDNS') ?? false;
  s.hidden = r.bool('Hidden') ?? false;
  s.configFile = r.str('Config.file');
  s.configIdent = r.str('Config.ident');
  return dropUndefined(s);
}
