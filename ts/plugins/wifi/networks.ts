// How scan results become ConnMan services, whatever the backend (wpa_supplicant or iwd): one service per
// SSID and security class, named the way connmand names them so saved settings carry over.
import type { Security } from './bss';

export interface ScannedBss {
  /** raw SSID; empty (or all zero bytes) for a beacon that hides it */
  ssid: Buffer;
  security: Security;
  /** dBm */
  signal: number;
  bssid: string;
  /** the BSS offers SAE (WPA3) */
  sae: boolean;
  /** the BSS offers plain WPA-PSK (so a WPA2-only supplicant setup works too) */
  wpaPsk: boolean;
  /** WPS-capable, and running a registration now (absent: the backend does not say) */
  wps?: boolean;
  wpsAdvertising?: boolean;
}

export interface NetworkGroup {
  /** service identifier */
  id: string;
  ssid: Buffer;
  hidden: boolean;
  security: Security;
  /** 0..100 */
  strength: number;
  sae: boolean;
  saeOnly: boolean;
  /** any access point of the network advertises WPS / runs its registrar */
  wps: boolean;
  wpsAdvertising: boolean;
  bsss: ScannedBss[];
}

/** A hidden network's beacon carries no SSID, or one of NUL bytes (hostapd's ignore_broadcast_ssid=2). */
export function isHiddenSsid(ssid: Buffer): boolean {
  return ssid.length === 0 || ssid.every((b) => b === 0);
}

/** `wifi_<mac>_<ssid hex>_managed_<security>`, or `..._hidden_managed_...` when the SSID is not broadcast. */
export function wifiServiceId(mac: string, ssid: Buffer, security: Security): string {
  const m = mac.replace(/:/g, '').toLowerCase();
  return `wifi_${m}_${isHiddenSsid(ssid) ? 'hidden' : ssid.toString('hex')}_managed_${security}`;
}

/** connmand's calculate_strength for nl80211: 120 + dBm, capped at 100 (and never below 0). */
export function strengthOf(dbm: number): number {
  return Math.max(0, Math.min(100, 120 + dbm));
}

/** The service groups a set of BSSs makes; the strongest BSS decides a group's strength. */
export function groupNetworks(mac: string, bsss: Iterable<ScannedBss>): Map<string, NetworkGroup> {
  const out = new Map<string, NetworkGroup>();
  for (const b of bsss) {
    const id = wifiServiceId(mac, b.ssid, b.security);
    let g = out.get(id);
    if (!g) {
      g = { id, ssid: isHiddenSsid(b.ssid) ? Buffer.alloc(0) : b.ssid, hidden: isHiddenSsid(b.ssid), security: b.security,
        strength: 0, sae: false, saeOnly: true, wps: false, wpsAdvertising: false, bsss: [] };
      out.set(id, g);
    }
    g.bsss.push(b);
    g.strength = Math.max(g.strength, strengthOf(b.signal));
    g.sae ||= b.sae;
    g.saeOnly &&= b.sae && !b.wpaPsk;
    g.wps ||= b.wps === true;
    g.wpsAdvertising ||= b.wpsAdvertising === true;
  }
  return out;
}

/** The name a user sees: the SSID as UTF-8 (invalid sequences become U+FFFD), NUL bytes dropped. */
export function ssidName(ssid: Buffer): string {
  return new TextDecoder('utf-8', { fatal: false }).decode(ssid).replace(/\0/g, '');
}
