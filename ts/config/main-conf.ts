// main.conf: one declarative table of every [General] key ConnMan knows, with its parser and default.
// Parsing quirks copied on purpose (they are observable): booleans are true only for "true" or "1"
// (BackgroundScanning alone uses the strict GKeyFile boolean and keeps its default on a bad value);
// strings are right-trimmed; list items are trimmed; lists are ','-separated.
// Missing-vs-empty: when the file does not exist at all, connmand skips parsing entirely, so the online
// check settings are never derived (OnlineCheckMode stays "unknown" = disabled, and 1.41 leaves the check
// URLs unset). An existing file, even an empty one, gives the documented defaults.
import * as fs from 'node:fs';
import { isIP } from 'node:net';
import { KeyFile, KeyFileError } from './keyfile';

export type OnlineCheckMode = 'unknown' | 'none' | 'one-shot' | 'continuous';

export interface MainConfig {
  InputRequestTimeout: number;
  BrowserLaunchTimeout: number;
  BackgroundScanning: boolean;
  UseGatewaysAsTimeservers: boolean;
  FallbackTimeservers: string[];
  FallbackNameservers: string[];
  DefaultAutoConnectTechnologies: string[];
  DefaultFavoriteTechnologies: string[];
  AlwaysConnectedTechnologies: string[];
  PreferredTechnologies: string[];
  NetworkInterfaceBlacklist: string[];
  AllowHostnameUpdates: boolean;
  AllowDomainnameUpdates: boolean;
  SingleConnectedTechnology: boolean;
  TetheringTechnologies: string[];
  PersistentTetheringMode: boolean;
  Enable6to4: boolean;
  VendorClassID?: string;
  EnableOnlineCheck: boolean;
  EnableOnlineToReadyTransition: boolean;
  OnlineCheckMode: OnlineCheckMode;
  OnlineCheckIPv4URL?: string;
  OnlineCheckIPv6URL?: string;
  OnlineCheckConnectTimeout: number;
  OnlineCheckInitialInterval: number;
  OnlineCheckMaxInterval: number;
  OnlineCheckFailuresThreshold: number;
  OnlineCheckSuccessesThreshold: number;
  OnlineCheckIntervalStyle: 'geometric' | 'fibonacci';
  AutoConnectRoamingServices: boolean;
  AddressConflictDetection: boolean;
  Localtime: string;
  RegdomFollowsTimezone: boolean;
  ResolvConf?: string;
  /** Switchyard extension (docs/main-conf-extensions.md): interface globs whose addresses and routes
   * present at start are kept instead of flushed */
  KeepExistingConfiguration: string[];
  /** Switchyard extension: who resolves names, our proxy ("internal") or systemd-resolved (ConnMan
   * makes this choice when it is built, with --with-dns-backend) */
  DnsBackend: 'internal' | 'systemd-resolved';
}

const SERVICE_TYPES = new Set(['system', 'ethernet', 'wifi', 'bluetooth', 'cellular', 'gps', 'vpn', 'gadget', 'p2p']);

type Parser = (kf: KeyFile, key: string) => unknown | undefined;
const G = 'General';
const connmanBool: Parser = (kf, k) => { const s = kf.getString(G, k); return s === undefined ? undefined : ['true', '1'].includes(s.trim()); };
const strictBool: Parser = (kf, k) => { try { return kf.getBoolean(G, k); } catch { return undefined; } };
const int: Parser = (kf, k) => { try { return kf.getInteger(G, k); } catch { return undefined; } };
const double: Parser = (kf, k) => { const s = kf.getString(G, k); const v = s === undefined ? NaN : Number(s.trim()); return Number.isFinite(v) ? v : undefined; };
const str: Parser = (kf, k) => kf.getString(G, k)?.trimEnd();
const list: Parser = (kf, k) => kf.getStringList(G, k)?.map((s) => s.trim()).filter((s) => s !== '');
const types: Parser = (kf, k) => (list(kf, k) as string[] | undefined)?.filter((t) => SERVICE_TYPES.has(t));
const ipList: Parser = (kf, k) => (list(kf, k) as string[] | undefined)?.filter((a) => isIP(a) !== 0);

interface KeySpec { key: keyof MainConfig; parse: Parser; def: unknown }

export const MAIN_CONF_KEYS: readonly KeySpec[] = [
  { key: 'InputRequestTimeout', parse: int, def: 120 },
  { key: 'BrowserLaunchTimeout', parse: int, def: 300 },
  { key: 'BackgroundScanning', parse: strictBool, def: true },
  { key: 'UseGatewaysAsTimeservers', parse: connmanBool, def: false },
  { key: 'FallbackTimeservers', parse: list, def: [] },
  { key: 'FallbackNameservers', parse: ipList, def: [] },
  { key: 'DefaultAutoConnectTechnologies', parse: types, def: ['wifi', 'ethernet', 'cellular'] },
  { key: 'DefaultFavoriteTechnologies', parse: types, def: ['ethernet'] },
  { key: 'AlwaysConnectedTechnologies', parse: types, def: [] },
  { key: 'PreferredTechnologies', parse: types, def: [] },
  // connmand 1.41's list; 1.43 adds "ham".
  { key: 'NetworkInterfaceBlacklist', parse: list, def: ['vmnet', 'vboxnet', 'virbr', 'ifb', 've-', 'vb-'] },
  { key: 'AllowHostnameUpdates', parse: connmanBool, def: true },
  { key: 'AllowDomainnameUpdates', parse: connmanBool, def: true },
  { key: 'SingleConnectedTechnology', parse: connmanBool, def: false },
  { key: 'TetheringTechnologies', parse: list, def: ['wifi', 'bluetooth', 'gadget'] },
  { key: 'PersistentTetheringMode', parse: connmanBool, def: false },
  { key: 'Enable6to4', parse: connmanBool, def: false },
  { key: 'VendorClassID', parse: str, def: undefined },
  { key: 'EnableOnlineCheck', parse: connmanBool, def: true },
  { key: 'EnableOnlineToReadyTransition', parse: connmanBool, def: false },
  { key: 'OnlineCheckMode', parse: str, def: 'one-shot' },
  { key: 'OnlineCheckIPv4URL', parse: str, def: 'http://ipv4.connman.net/online/status.html' },
  { key: 'OnlineCheckIPv6URL', parse: str, def: 'http://ipv6.connman.net/online/status.html' },
  { key: 'OnlineCheckConnectTimeout', parse: double, def: 0 },
  { key: 'OnlineCheckInitialInterval', parse: int, def: 1 },
  { key: 'OnlineCheckMaxInterval', parse: int, def: 12 },
  { key: 'OnlineCheckFailuresThreshold', parse: int, def: 6 },
  { key: 'OnlineCheckSuccessesThreshold', parse: int, def: 6 },
  { key: 'OnlineCheckIntervalStyle', parse: str, def: 'geometric' },
  { key: 'AutoConnectRoamingServices', parse: connmanBool, def: false },
  { key: 'AddressConflictDetection', parse: connmanBool, def: false },
  { key: 'Localtime', parse: str, def: '/etc/localtime' },
  { key: 'RegdomFollowsTimezone', parse: connmanBool, def: false },
  { key: 'ResolvConf', parse: str, def: undefined },
  { key: 'KeepExistingConfiguration', parse: list, def: [] },
  { key: 'DnsBackend', parse: str, def: 'internal' },
];

export interface LoadResult { config: MainConfig; warnings: string[]; exists: boolean }

function defaults(): MainConfig {
  const c: Record<string, unknown> = {};
  for (const s of MAIN_CONF_KEYS) c[s.key] = Array.isArray(s.def) ? [...s.def] : s.def;
  return c as unknown as MainConfig;
}

/** What applies when the file is absent: defaults, minus the online-check derivation (see header). */
export function missingFileConfig(): MainConfig {
  const c = defaults();
  c.OnlineCheckMode = 'unknown';
  c.OnlineCheckIPv4URL = undefined;
  c.OnlineCheckIPv6URL = undefined;
  return c;
}

export function parseMainConf(text: string, file = 'main.conf'): LoadResult {
  const warnings: string[] = [];
  let kf: KeyFile;
  try {
    kf = KeyFile.parse(text, ',');
  } catch (e) {
    const where = e instanceof KeyFileError ? `${file}:${e.line}: ${e.detail}` : `${file}: ${(e as Error).message}`;
    warnings.push(`Parsing ${file} failed: ${where}; using defaults`);
    return { config: defaults(), warnings, exists: true };
  }
  const c = defaults() as unknown as Record<string, unknown>;
  const known = new Set<string>(MAIN_CONF_KEYS.map((s) => s.key));
  for (const g of kf.groupNames()) {
    if (g !== G) { warnings.push(`Unknown group ${g} in ${file}`); continue; }
    for (const k of kf.keys(G)) if (!known.has(k)) warnings.push(`Unknown key ${k} in ${file}`);
  }
  for (const s of MAIN_CONF_KEYS) {
    if (!kf.hasKey(G, s.key)) continue;
    const v = s.parse(kf, s.key);
    if (v !== undefined) c[s.key] = v;
  }
  const cfg = c as unknown as MainConfig;
  normalise(cfg, kf);
  return { config: cfg, warnings, exists: true };
}

function normalise(c: MainConfig, kf: KeyFile): void {
  if (c.InputRequestTimeout < 0) c.InputRequestTimeout = 120;
  if (c.BrowserLaunchTimeout < 0) c.BrowserLaunchTimeout = 300;
  if (!['none', 'one-shot', 'continuous'].includes(c.OnlineCheckMode) || !kf.hasKey(G, 'OnlineCheckMode')) {
    c.OnlineCheckMode = !c.EnableOnlineCheck ? 'none' : c.EnableOnlineToReadyTransition ? 'continuous' : 'one-shot';
  }
  if (c.OnlineCheckConnectTimeout < 0) c.OnlineCheckConnectTimeout = 0;
  if (c.OnlineCheckInitialInterval < 1 || c.OnlineCheckInitialInterval > c.OnlineCheckMaxInterval) {
    c.OnlineCheckInitialInterval = 1;
    c.OnlineCheckMaxInterval = 12;
  }
  if (c.OnlineCheckFailuresThreshold < 1) c.OnlineCheckFailuresThreshold = 6;
  if (c.OnlineCheckSuccessesThreshold < 1) c.OnlineCheckSuccessesThreshold = 6;
  if (c.OnlineCheckIntervalStyle !== 'fibonacci') c.OnlineCheckIntervalStyle = 'geometric';
  if (c.DnsBackend !== 'systemd-resolved') c.DnsBackend = 'internal';
}

/** Reads `file`; never throws. Problems come back as warnings naming the file (and line). */
export function loadMainConf(file: string): LoadResult {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    if (err.code === 'ENOENT') return { config: missingFileConfig(), warnings: [], exists: false };
    return { config: defaults(), warnings: [`Parsing ${file} failed: ${err.message}; using defaults`], exists: true };
  }
  return parseMainConf(text, file);
}
