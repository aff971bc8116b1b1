// Service provisioning: `<statedir>/*.config` files (connmand's src/config.c). One declarative key table
// per section; a file is parsed into typed entries, problems are reported with file and line, and
// entries are matched against services by type, MAC / DeviceName and SSID + security.
import { isIP } from 'node:net';
import { KeyFile, KeyFileError } from './keyfile';

export type ProvSecurity = 'none' | 'wep' | 'psk' | 'ieee8021x';

export interface ProvisionedIp { method: 'off' | 'dhcp' | 'fixed' | 'auto'; address?: string; prefixLength?: number; netmask?: string; gateway?: string }

export interface ProvisionedService {
  /** `service_<x>` */
  ident: string;
  /** file name without `.config` */
  file: string;
  type: 'ethernet' | 'wifi' | 'gadget';
  ipv4?: ProvisionedIp;
  ipv6?: ProvisionedIp;
  ipv6Privacy?: 'disabled' | 'enabled' | 'prefered';
  mac?: string;
  deviceName?: string;
  nameservers?: string[];
  searchDomains?: string[];
  timeservers?: string[];
  domain?: string;
  mdns?: boolean;
  name?: string;
  /** SSID bytes as lowercase hex (from SSID, else from Name) */
  ssid?: string;
  eap?: string;
  caCertFile?: string;
  clientCertFile?: string;
  privateKeyFile?: string;
  privateKeyPassphrase?: string;
  privateKeyPassphraseType?: string;
  identity?: string;
  anonymousIdentity?: string;
  subjectMatch?: string;
  altSubjectMatch?: string;
  domainSuffixMatch?: string;
  domainMatch?: string;
  phase2?: string;
  passphrase?: string;
  security: ProvSecurity;
  hidden?: boolean;
}

export interface ProvisioningFile { name: string; description?: string; services: ProvisionedService[] }
export interface ProvisioningProblem { file: string; line?: number; message: string; fatal: boolean }

type Field = keyof ProvisionedService;
type Parse = (raw: string, kf: KeyFile, group: string, key: string) => unknown;
interface KeySpec { key: string; field?: Field; parse: Parse; generic: boolean }

const str: Parse = (_r, kf, g, k) => kf.getString(g, k)?.trimEnd();
const rawStr: Parse = (_r, kf, g, k) => kf.getString(g, k);
const list: Parse = (_r, kf, g, k) => kf.getStringList(g, k)?.map((s) => s.trim()).filter((s) => s !== '');
const bool: Parse = (_r, kf, g, k) => kf.getBoolean(g, k);

function parseIp4(v: string): ProvisionedIp {
  const s = v.trim().toLowerCase();
  if (s === 'off') return { method: 'off' };
  if (s === 'dhcp' || s === 'auto') return { method: 'dhcp' };
  const [addr, mask, gw] = v.trim().split('/');
  if (isIP(addr) !== 4 || mask === undefined) throw new Error(`invalid IPv4 setting "${v}" (off, dhcp or address/netmask[/gateway])`);
  let prefixLength: number;
  if (/^\d+$/.test(mask)) prefixLength = +mask;
  else if (isIP(mask) === 4) prefixLength = mask.split('.').reduce((n, o) => n + (+o).toString(2).split('1').length - 1, 0);
  else throw new Error(`invalid IPv4 netmask "${mask}"`);
  if (prefixLength > 32) throw new Error(`invalid IPv4 prefix length ${prefixLength}`);
  if (gw !== undefined && gw !== '' && isIP(gw) !== 4) throw new Error(`invalid IPv4 gateway "${gw}"`);
  return { method: 'fixed', address: addr, prefixLength, ...(gw ? { gateway: gw } : {}) };
}

function parseIp6(v: string): ProvisionedIp {
  const s = v.trim().toLowerCase();
  if (s === 'off') return { method: 'off' };
  if (s === 'auto' || s === 'dhcp') return { method: 'auto' };
  const [addr, prefix, gw] = v.trim().split('/');
  if (isIP(addr) !== 6) throw new Error(`invalid IPv6 setting "${v}" (off, auto or address/prefix[/gateway])`);
  // connmand falls back to 128 for a prefix it cannot read
  const p = /^\d+$/.test(prefix ?? '') && +prefix <= 128 ? +prefix : 128;
  if (gw !== undefined && gw !== '' && isIP(gw) !== 6) throw new Error(`invalid IPv6 gateway "${gw}"`);
  return { method: 'fixed', address: addr, prefixLength: p, ...(gw ? { gateway: gw } : {}) };
}

const TYPES = ['ethernet', 'wifi', 'gadget'];
const SECURITY: Record<string, ProvSecurity> = { none: 'none', open: 'none', wep: 'wep', psk: 'psk', ieee8021x: 'ieee8021x', '8021x': 'ieee8021x' };

/** The [service_*] keys; `generic` ones are all an ethernet section reads. */
export const SERVICE_SECTION_KEYS: readonly KeySpec[] = [
  { key: 'Type', field: 'type', generic: true, parse: (_r, kf, g, k) => {
    const t = kf.getString(g, k)?.trim();
    if (!t || !TYPES.includes(t)) throw new Error(`unsupported Type "${t ?? ''}" (ethernet, wifi or gadget)`);
    return t;
  } },
  { key: 'IPv4', field: 'ipv4', generic: true, parse: (r) => parseIp4(r) },
  { key: 'IPv6', field: 'ipv6', generic: true, parse: (r) => parseIp6(r) },
  { key: 'IPv6.Privacy', field: 'ipv6Privacy', generic: true, parse: (r) => {
    const v = r.trim().toLowerCase();
    if (v === 'disabled' || v === 'enabled') return v;
    if (v === 'preferred' || v === 'prefered') return 'prefered';
    throw new Error(`invalid IPv6.Privacy "${r}" (disabled, enabled, preferred)`);
  } },
  { key: 'MAC', field: 'mac', generic: true, parse: (r) => {
    const v = r.trim().toLowerCase();
    if (!/^([0-9a-f]{2}:){5}[0-9a-f]{2}$/.test(v)) throw new Error(`invalid MAC "${r}"`);
    return v;
  } },
  { key: 'DeviceName', field: 'deviceName', generic: true, parse: str },
  { key: 'Nameservers', field: 'nameservers', generic: true, parse: list },
  { key: 'SearchDomains', field: 'searchDomains', generic: true, parse: list },
  { key: 'Timeservers', field: 'timeservers', generic: true, parse: list },
  { key: 'Domain', field: 'domain', generic: true, parse: str },
  { key: 'mDNS', field: 'mdns', generic: true, parse: bool },
  { key: 'Name', field: 'name', generic: false, parse: str },
  { key: 'SSID', field: 'ssid', generic: false, parse: (r) => {
    const v = r.trim().toLowerCase();
    if (!/^([0-9a-f]{2}){1,32}$/.test(v)) throw new Error(`invalid SSID "${r}" (1 to 32 bytes in hex)`);
    return v;
  } },
  { key: 'EAP', field: 'eap', generic: false, parse: str },
  { key: 'CACertFile', field: 'caCertFile', generic: false, parse: str },
  { key: 'ClientCertFile', field: 'clientCertFile', generic: false, parse: str },
  { key: 'PrivateKeyFile', field: 'privateKeyFile', generic: false, parse: str },
  { key: 'PrivateKeyPassphrase', field: 'privateKeyPassphrase', generic: false, parse: rawStr },
  { key: 'PrivateKeyPassphraseType', field: 'privateKeyPassphraseType', generic: false, parse: (r) => {
    if (r.trim() !== 'fsid') throw new Error(`invalid PrivateKeyPassphraseType "${r}" (only fsid)`);
    return 'fsid';
  } },
  { key: 'Identity', field: 'identity', generic: false, parse: str },
  { key: 'AnonymousIdentity', field: 'anonymousIdentity', generic: false, parse: str },
  { key: 'SubjectMatch', field: 'subjectMatch', generic: false, parse: str },
  { key: 'AltSubjectMatch', field: 'altSubjectMatch', generic: false, parse: str },
  { key: 'DomainSuffixMatch', field: 'domainSuffixMatch', generic: false, parse: str },
  { key: 'DomainMatch', field: 'domainMatch', generic: false, parse: str },
  { key: 'Phase2', field: 'phase2', generic: false, parse: str },
  { key: 'Passphrase', field: 'passphrase', generic: false, parse: rawStr },
  { key: 'Security', generic: false, parse: (r) => {
    const v = SECURITY[r.trim().toLowerCase()];
    if (!v) throw new Error(`invalid Security "${r}" (none, wep, psk, ieee8021x)`);
    return v;
  } },
  { key: 'Hidden', field: 'hidden', generic: false, parse: bool },
];

export const GLOBAL_SECTION_KEYS = ['Name', 'Description'] as const;

/** Line of `key` inside `[group]` in the raw text, for error messages. */
function lineOf(text: string, group: string, key?: string): number | undefined {
  const lines = text.split('\n');
  let inGroup = false;
  for (let i = 0; i < lines.length; i++) {
    const t = lines[i].trim();
    if (t.startsWith('[')) { inGroup = t === `[${group}]`; if (inGroup && key === undefined) return i + 1; continue; }
    if (inGroup && key !== undefined && t.split('=')[0].trim() === key) return i + 1;
  }
  return undefined;
}

/** Parses one file. Never throws: bad sections are dropped and every problem is reported. */
export function parseProvisioningFile(text: string, fileName: string): { config: ProvisioningFile; problems: ProvisioningProblem[] } {
  const name = fileName.replace(/\.config$/, '');
  const problems: ProvisioningProblem[] = [];
  const config: ProvisioningFile = { name, services: [] };
  let kf: KeyFile;
  try { kf = KeyFile.parse(text, ','); } catch (e) {
    const ke = e as KeyFileError;
    problems.push({ file: fileName, line: ke.line, message: ke.detail ?? ke.message, fatal: true });
    return { config, problems };
  }
  const warn = (group: string, key: string | undefined, message: string, fatal = false) =>
    problems.push({ file: fileName, line: lineOf(text, group, key), message: `[${group}]${key ? ` ${key}` : ''}: ${message}`, fatal });

  for (const g of kf.groupNames()) {
    if (g === 'global') {
      for (const k of kf.keys(g)) if (!(GLOBAL_SECTION_KEYS as readonly string[]).includes(k)) warn(g, k, 'unknown key, ignored');
      config.name = kf.getString(g, 'Name')?.trimEnd() ?? config.name;
      const d = kf.getString(g, 'Description')?.trimEnd();
      if (d !== undefined) config.description = d;
      continue;
    }
    if (!g.startsWith('service_') || g.length === 'service_'.length) { warn(g, undefined, 'unknown group, ignored'); continue; }
    const svc = parseServiceSection(kf, g, fileName, name, warn);
    if (svc) config.services.push(svc);
  }
  return { config, problems };
}

function parseServiceSection(kf: KeyFile, g: string, _fileName: string, file: string,
  warn: (g: string, k: string | undefined, m: string, fatal?: boolean) => void): ProvisionedService | undefined {
  const known = new Set(SERVICE_SECTION_KEYS.map((s) => s.key));
  for (const k of kf.keys(g)) if (!known.has(k)) warn(g, k, 'unknown key, ignored');
  const out: Record<string, unknown> = { ident: g, file };
  let security: ProvSecurity | undefined;
  let type: string | undefined;
  for (const spec of SERVICE_SECTION_KEYS) {
    if (!kf.hasKey(g, spec.key)) {
      if (spec.key === 'Type') { warn(g, undefined, 'missing Type, section ignored', true); return undefined; }
      continue;
    }
    // an ethernet section reads only the generic keys
    if (type === 'ethernet' && !spec.generic) { warn(g, spec.key, 'not used for Type=ethernet, ignored'); continue; }
    try {
      const v = spec.parse(kf.getRaw(g, spec.key) ?? '', kf, g, spec.key);
      if (spec.key === 'Type') type = v as string;
      if (spec.key === 'Security') security = v as ProvSecurity;
      else if (v !== undefined && spec.field) out[spec.field] = v;
    } catch (e) {
      if (spec.key === 'Type') { warn(g, spec.key, `${(e as Error).message}, section ignored`, true); return undefined; }
      warn(g, spec.key, `${(e as Error).message}, ignored`);
    }
  }
  const svc = out as unknown as ProvisionedService;
  if (svc.type === 'wifi' || svc.type === 'gadget') {
    if (!svc.ssid && svc.name) svc.ssid = Buffer.from(svc.name, 'utf8').toString('hex');
    if (svc.type === 'wifi' && !svc.ssid) { warn(g, undefined, 'Wi-Fi section needs SSID or Name, section ignored', true); return undefined; }
  }
  // Security is inferred; a stated value that disagrees is reported and the inferred one wins.
  const inferred: ProvSecurity = svc.eap ? 'ieee8021x' : svc.passphrase ? (security === 'wep' ? 'wep' : 'psk') : 'none';
  if (security !== undefined && security !== inferred) warn(g, 'Security', `"${security}" does not match the other keys, using ${inferred}`);
  svc.security = svc.type === 'ethernet' ? 'none' : inferred;
  return svc;
}

/** What a service offers for matching. */
export interface MatchCandidate { type: string; mac?: string; ifname?: string; ssid?: string; security?: ProvSecurity }

/**
 * connmand's matching: the type must agree; Wi-Fi also needs the same SSID bytes and security; then
 * MAC (which takes precedence) or DeviceName, when the section names one.
 */
export function matches(p: ProvisionedService, c: MatchCandidate): boolean {
  if (p.type !== c.type) return false;
  if (p.type === 'wifi' && (p.ssid !== c.ssid?.toLowerCase() || p.security !== c.security)) return false;
  if (p.mac) return p.mac === c.mac?.toLowerCase();
  if (p.deviceName) return p.deviceName === c.ifname;
  return true;
}
