// A BSS as wpa_supplicant reports it (fi.w1.wpa_supplicant1.BSS), reduced to what ConnMan's services need,
// and the security class a service is keyed by: none, wep, psk or ieee8021x.
import { unwrap } from './dbus-client';

export type Security = 'none' | 'wep' | 'psk' | 'ieee8021x';

export interface Bss {
  path: string;
  /** Raw SSID bytes; empty for a hidden network's beacon. */
  ssid: Buffer;
  /** aa:bb:cc:dd:ee:ff */
  bssid: string;
  /** dBm */
  signal: number;
  /** MHz */
  frequency: number;
  mode: string;
  privacy: boolean;
  /** Key management suites from the RSN and WPA elements, as wpa_supplicant names them (wpa-psk, sae, ...). */
  rsnKeyMgmt: string[];
  wpaKeyMgmt: string[];
  /** The beacon or probe response carries a WPS element (version 1.0, a WPS state set), as gsupplicant counts it. */
  wps: boolean;
  /** ... and its Selected Registrar attribute: the access point runs a WPS registration right now. */
  wpsAdvertising: boolean;
  /** WPS registrar mode the AP advertises right now: "pbc", "pin" or "". */
  wpsType: string;
  security: Security;
}

function keyMgmtOf(ie: unknown): string[] {
  const km = unwrap(ie).KeyMgmt;
  return Array.isArray(km) ? km.filter((k): k is string => typeof k === 'string') : [];
}

/**
 * Which service a BSS belongs to. Any EAP suite makes it an 802.1X network; otherwise any PSK-style suite
 * (WPA/WPA2-PSK, SAE, FT and SHA256 variants) makes it psk, so WPA3-SAE and WPA2/WPA3 transition networks
 * share one psk service as in ConnMan; otherwise the privacy bit means WEP.
 */
export function securityOf(keyMgmt: string[], privacy: boolean): Security {
  if (keyMgmt.some((k) => k.includes('eap') || k === 'ieee8021x')) return 'ieee8021x';
  if (keyMgmt.some((k) => k.includes('psk') || k.includes('sae'))) return 'psk';
  if (keyMgmt.includes('owe')) return 'none';
  return privacy ? 'wep' : 'none';
}

export function formatBssid(b: Buffer): string {
  return [...b].map((x) => x.toString(16).padStart(2, '0')).join(':');
}

/**
 * The WPS vendor elements (221, OUI 00:50:f2 type 4) among the information elements, walked with bounds
 * checks. A BSS counts as WPS-capable when an element has Version 0x10 and a non-zero WPS State (hostapd's
 * wps_state=1 or 2); a Selected Registrar attribute means it is enrolling right now.
 */
export function wpsOf(ies: Buffer): { wps: boolean; advertising: boolean } {
  const out = { wps: false, advertising: false };
  for (let i = 0; i + 2 <= ies.length;) {
    const id = ies[i];
    const len = ies[i + 1];
    if (i + 2 + len > ies.length) break;
    if (id === 221 && len >= 4 && ies[i + 2] === 0x00 && ies[i + 3] === 0x50 && ies[i + 4] === 0xf2 && ies[i + 5] === 0x04) {
      const attrs = wpsAttributes(ies.subarray(i + 6, i + 2 + len));
      if (attrs.get(0x104a)?.[0] === 0x10 && (attrs.get(0x1044)?.[0] ?? 0) !== 0) out.wps = true;
      if ((attrs.get(0x1041)?.[0] ?? 0) !== 0) out.advertising = true;
    }
    i += 2 + len;
  }
  return out;
}

/** WPS attributes: 16-bit type, 16-bit length, big endian; a truncated one ends the list. */
function wpsAttributes(b: Buffer): Map<number, Buffer> {
  const m = new Map<number, Buffer>();
  for (let i = 0; i + 4 <= b.length;) {
    const type = b.readUInt16BE(i);
    const len = b.readUInt16BE(i + 2);
    if (i + 4 + len > b.length) break;
    m.set(type, b.subarray(i + 4, i + 4 + len));
    i += 4 + len;
  }
  return m;
}

/** Builds a Bss from GetAll / BSSAdded properties; `prev` supplies fields a PropertiesChanged left out. */
export function parseBss(path: string, props: unknown, prev?: Bss): Bss {
  const p = unwrap(props);
  const num = (v: unknown, d: number) => (typeof v === 'number' ? v : d);
  const ssid = Buffer.isBuffer(p.SSID) ? p.SSID : prev?.ssid ?? Buffer.alloc(0);
  const bssid = Buffer.isBuffer(p.BSSID) ? formatBssid(p.BSSID) : prev?.bssid ?? '';
  const privacy = typeof p.Privacy === 'boolean' ? p.Privacy : prev?.privacy ?? false;
  const rsnKeyMgmt = 'RSN' in p ? keyMgmtOf(p.RSN) : prev?.rsnKeyMgmt ?? [];
  const wpaKeyMgmt = 'WPA' in p ? keyMgmtOf(p.WPA) : prev?.wpaKeyMgmt ?? [];
  const wpsType = 'WPS' in p ? String(unwrap(p.WPS).Type ?? '') : prev?.wpsType ?? '';
  const ie = Buffer.isBuffer(p.IEs) ? wpsOf(p.IEs) : undefined;
  const wps = ie ? ie.wps : prev?.wps ?? false;
  const wpsAdvertising = ie ? ie.advertising : prev?.wpsAdvertising ?? false;
  return {
    path,
    ssid,
    bssid,
    signal: num(p.Signal, prev?.signal ?? 0),
    frequency: num(p.Frequency, prev?.frequency ?? 0),
    mode: typeof p.Mode === 'string' ? p.Mode : prev?.mode ?? 'infrastructure',
    privacy,
    rsnKeyMgmt,
    wpaKeyMgmt,
    wps,
    wpsAdvertising,
    wpsType,
    security: securityOf([...rsnKeyMgmt, ...wpaKeyMgmt], privacy),
  };
}
