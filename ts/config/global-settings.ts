// `<statedir>/settings`: the [global] group (offline mode, clock settings) and one group per technology.
// connmand loads this file, changes its own keys and writes the whole file back, so groups and keys that
// belong to others (or to a newer connmand) survive; these helpers edit a KeyFile in place the same way.
import type { KeyFile } from './keyfile';
import { gStrcompress, gStrescape } from './gstrescape';

export interface GlobalSettings {
  offlineMode?: boolean;
  timeUpdates?: 'auto' | 'manual';
  timezoneUpdates?: 'auto' | 'manual';
  timeservers?: string[];
}

export interface TechnologySettings {
  enable: boolean;
  tethering: boolean;
  tetheringIdentifier?: string;
  tetheringPassphrase?: string;
  tetheringFreq: number;
}

const GROUPS: Record<string, string> = {
  ethernet: 'Wired', wifi: 'WiFi', bluetooth: 'Bluetooth', cellular: 'Cellular', gadget: 'Gadget', p2p: 'P2P',
};

/** connmand's group name for a technology type, or undefined for types it never saves. */
export function technologyGroup(type: string): string | undefined {
  return GROUPS[type];
}

function bool(kf: KeyFile, g: string, k: string): boolean | undefined {
  try { return kf.getBoolean(g, k); } catch { return undefined; }
}

export function readGlobalSettings(kf: KeyFile): GlobalSettings {
  const g = 'global';
  const out: GlobalSettings = {};
  const off = bool(kf, g, 'OfflineMode');
  if (off !== undefined) out.offlineMode = off;
  const tu = kf.getString(g, 'TimeUpdates');
  if (tu === 'auto' || tu === 'manual') out.timeUpdates = tu;
  const tz = kf.getString(g, 'TimezoneUpdates');
  if (tz === 'auto' || tz === 'manual') out.timezoneUpdates = tz;
  const ts = kf.getStringList(g, 'Timeservers');
  if (ts) out.timeservers = ts;
  return out;
}

/** Sets the given keys only; an explicitly undefined timeservers removes the key. */
export function writeGlobalSettings(kf: KeyFile, s: GlobalSettings): void {
  const g = 'global';
  if (s.offlineMode !== undefined) kf.setBoolean(g, 'OfflineMode', s.offlineMode);
  if (s.timeUpdates) kf.setString(g, 'TimeUpdates', s.timeUpdates);
  if (s.timezoneUpdates) kf.setString(g, 'TimezoneUpdates', s.timezoneUpdates);
  if ('timeservers' in s) {
    if (s.timeservers?.length) kf.setStringList(g, 'Timeservers', s.timeservers);
    else kf.removeKey(g, 'Timeservers');
  }
}

export interface TechnologyLoad {
  settings: TechnologySettings;
  /** Enable or Tethering was missing or malformed: connmand writes the group back at once */
  needsSave: boolean;
}

/**
 * technology_load: Enable defaults to true for Wired only (also when the whole file is missing),
 * Tethering to false; Tethering.Freq reads 0 when absent and is written back as 2412.
 */
export function readTechnologySettings(kf: KeyFile | undefined, type: string): TechnologyLoad {
  const g = technologyGroup(type);
  const def: TechnologySettings = { enable: type === 'ethernet', tethering: false, tetheringFreq: 0 };
  if (!kf || !g) return { settings: def, needsSave: false };
  let needsSave = false;
  const enable = bool(kf, g, 'Enable');
  if (enable === undefined) needsSave = true;
  const tethering = bool(kf, g, 'Tethering');
  if (tethering === undefined) needsSave = true;
  let freq = 0;
  try { freq = kf.getInteger(g, 'Tethering.Freq') ?? 0; } catch { freq = 0; }
  const pass = kf.getString(g, 'Tethering.Passphrase');
  const s: TechnologySettings = {
    enable: enable ?? def.enable,
    tethering: tethering ?? false,
    tetheringFreq: freq,
  };
  const ident = kf.getString(g, 'Tethering.Identifier');
  if (ident !== undefined) s.tetheringIdentifier = ident;
  if (pass !== undefined) s.tetheringPassphrase = gStrcompress(pass);
  return { settings: s, needsSave };
}

/** technology_save, key for key and in its order. */
export function writeTechnologySettings(kf: KeyFile, type: string, s: TechnologySettings): void {
  const g = technologyGroup(type);
  if (!g) return;
  kf.setBoolean(g, 'Enable', s.enable);
  kf.setBoolean(g, 'Tethering', s.tethering);
  if (s.tetheringIdentifier !== undefined) kf.setString(g, 'Tethering.Identifier', s.tetheringIdentifier);
  if (s.tetheringPassphrase !== undefined) kf.setString(g, 'Tethering.Passphrase', gStrescape(s.tetheringPassphrase));
  kf.setInteger(g, 'Tethering.Freq', s.tetheringFreq || 2412);
}
