// A network block for wpa_supplicant's AddNetwork, from what a service knows: SSID, security, secret.
import type { DbusClient, VariantLike } from './dbus-client';
import type { Security } from './bss';

export interface NetworkConfig {
  /** Raw SSID bytes (or text, taken as UTF-8). */
  ssid: Buffer | string;
  security: Security;
  /** WPA/WPA2 passphrase (8..63 characters) or 64 hex digits; also the SAE password. WEP: the key. */
  passphrase?: string;
  /** Probe for the SSID explicitly: the network does not broadcast it. */
  hidden?: boolean;
  /** Also offer SAE and optional management frame protection, so WPA3 and transition APs work. */
  sae?: boolean;
  /** Extra wpa_supplicant network fields for 802.1X (eap, identity, ca_cert, ...), passed as strings. */
  eap?: Record<string, string>;
  /** Restrict to these frequencies (MHz), e.g. for a fast reconnect. */
  frequencies?: number[];
  /** wpa_supplicant's background scan module while connected, e.g. "simple:30:-65:300" (roaming). */
  bgscan?: string;
}

/** What wpa_supplicant rejects early instead of failing the 4-way handshake later. */
export function validatePassphrase(security: Security, pass: string | undefined): string | undefined {
  if (security === 'psk') {
    if (pass === undefined) return 'passphrase required';
    if (pass.length === 64) return /^[0-9a-fA-F]{64}$/.test(pass) ? undefined : 'a 64-character key must be hex';
    if (pass.length < 8 || pass.length > 63) return 'passphrase must be 8..63 characters';
  }
  if (security === 'wep') {
    if (pass === undefined) return 'key required';
    if (![5, 13, 10, 26].includes(pass.length)) return 'WEP key must be 5 or 13 characters, or 10 or 26 hex digits';
    if ((pass.length === 10 || pass.length === 26) && !/^[0-9a-fA-F]+$/.test(pass)) return 'WEP hex key must be hex';
  }
  return undefined;
}

/** The a{sv} dictionary for fi.w1.wpa_supplicant1.Interface.AddNetwork. */
export function networkArgs(bus: Pick<DbusClient, 'variant'>, cfg: NetworkConfig): Record<string, VariantLike> {
  const problem = validatePassphrase(cfg.security, cfg.passphrase);
  if (problem) throw new Error(problem);
  const s = (v: string) => bus.variant('s', v);
  const out: Record<string, VariantLike> = {
    // Bytes, so an SSID that is not valid UTF-8 (or holds quotes) reaches the driver unchanged.
    ssid: bus.variant('ay', Buffer.isBuffer(cfg.ssid) ? cfg.ssid : Buffer.from(cfg.ssid, 'utf8')),
  };
  if (cfg.hidden) out.scan_ssid = bus.variant('i', 1);
  if (cfg.frequencies?.length) out.freq_list = s(cfg.frequencies.join(' '));
  if (cfg.bgscan) out.bgscan = s(cfg.bgscan);
  switch (cfg.security) {
    case 'none':
      out.key_mgmt = s('NONE');
      break;
    case 'wep': {
      const key = cfg.passphrase!;
      out.key_mgmt = s('NONE');
      out.auth_alg = s('OPEN SHARED');
      out.wep_tx_keyidx = bus.variant('i', 0);
      // wpa_supplicant quotes a string value (ASCII key); hex keys go in as bytes.
      out.wep_key0 = key.length === 10 || key.length === 26 ? bus.variant('ay', Buffer.from(key, 'hex')) : s(key);
      break;
    }
    case 'psk': {
      const pass = cfg.passphrase!;
      out.key_mgmt = s(cfg.sae ? 'WPA-PSK WPA-PSK-SHA256 SAE' : 'WPA-PSK WPA-PSK-SHA256');
      if (cfg.sae) out.ieee80211w = bus.variant('u', 1);
      // wpa_supplicant quotes a string (a passphrase) and hex-encodes bytes unquoted (a raw PSK).
      out.psk = pass.length === 64 ? bus.variant('ay', Buffer.from(pass, 'hex')) : s(pass);
      if (cfg.sae && pass.length !== 64) out.sae_password = s(pass);
      break;
    }
    case 'ieee8021x':
      out.key_mgmt = s('WPA-EAP WPA-EAP-SHA256');
      out.ieee80211w = bus.variant('u', 1);
      for (const [k, v] of Object.entries(cfg.eap ?? {})) out[k] = s(v);
      break;
  }
  return out;
}
