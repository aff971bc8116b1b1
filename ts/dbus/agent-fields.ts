// The RequestInput dictionaries connmand builds (agent-connman.c) and the checks it applies to the
// agent's answer. Core picks the fields for a service; these helpers keep names, types and rules exact.
import type { InputField } from './agent';

export interface InputRequestSpec {
  security: 'none' | 'wep' | 'psk' | 'ieee8021x';
  /** hidden Wi-Fi: ask for Name (SSID as alternate) */
  hidden?: boolean;
  wps?: boolean;
  /** 802.1X phase 2, to tell "response" (GTC/OTP) from "passphrase" */
  phase2?: string;
  /** a stored passphrase or WPS PIN to show as PreviousPassphrase */
  previousPassphrase?: string;
  previousIsWpsPin?: boolean;
}

export function inputFields(spec: InputRequestSpec): Record<string, InputField> {
  const f: Record<string, InputField> = {};
  if (spec.hidden) {
    f.Name = { Type: 'string', Requirement: 'mandatory', Alternates: ['SSID'] };
    f.SSID = { Type: 'ssid', Requirement: 'alternate' };
  }
  if (spec.security === 'ieee8021x') f.Identity = { Type: 'string', Requirement: 'mandatory' };
  if (spec.security !== 'none') {
    let type: string = spec.security;
    if (spec.security === 'ieee8021x') type = /(GTC|OTP)$/i.test(spec.phase2 ?? '') ? 'response' : 'passphrase';
    f.Passphrase = { Type: type, Requirement: 'mandatory', ...(spec.wps ? { Alternates: ['WPS'] } : {}) };
    if (spec.previousPassphrase) {
      f.PreviousPassphrase = { Type: spec.previousIsWpsPin ? 'wpspin' : spec.security === 'wep' ? 'wep' : 'psk', Requirement: 'informational', Value: spec.previousPassphrase };
    }
    if (spec.wps) f.WPS = { Type: 'wpspin', Requirement: 'alternate' };
  }
  return f;
}

/** WISPr login fields. */
export function wisprFields(): Record<string, InputField> {
  return { Username: { Type: 'string', Requirement: 'mandatory' }, Password: { Type: 'passphrase', Requirement: 'mandatory' } };
}

export interface InputAnswer { name?: string; ssid?: Buffer; identity?: string; passphrase?: string; wps?: string; username?: string; password?: string }

/** The reply dict, type-checked the way connmand does; a wrong value type is InvalidArguments. */
export function parseInputReply(values: Record<string, unknown>): InputAnswer | 'invalid-arguments' {
  const out: InputAnswer = {};
  const str = (k: string): string | undefined | null => {
    const v = values[k];
    if (v === undefined) return undefined;
    return typeof v === 'string' ? v : null;
  };
  for (const [key, field] of [['Name', 'name'], ['Identity', 'identity'], ['Passphrase', 'passphrase'], ['WPS', 'wps'], ['Username', 'username'], ['Password', 'password']] as const) {
    const v = str(key);
    if (v === null) return 'invalid-arguments';
    if (v !== undefined) out[field] = v;
  }
  if (values.SSID !== undefined) {
    const v = values.SSID;
    const b = Buffer.isBuffer(v) ? v : Array.isArray(v) ? Buffer.from(v as number[]) : null;
    if (!b) return 'invalid-arguments';
    out.ssid = b;
  }
  return out;
}

/** connmand's passphrase checks; false means the service gets Error invalid-key. */
export function passphraseValid(security: 'wep' | 'psk' | string, p: string): boolean {
  const hex = (n: number) => p.length === n && /^[0-9a-fA-F]+$/.test(p);
  if (security === 'psk') return (p.length >= 8 && p.length <= 63) || hex(64);
  if (security === 'wep') return p.length === 5 || p.length === 13 || hex(10) || hex(26);
  return true;
}

/** "" asks for push-button; otherwise exactly 8 digits. */
export function wpsPinValid(pin: string): boolean {
  return pin === '' || /^\d{8}$/.test(pin);
}

export function ssidValid(ssid: Buffer): boolean {
  return ssid.length >= 1 && ssid.length <= 32;
}
