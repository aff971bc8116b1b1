// A service's IP configuration as the user set it (IPv4.Configuration / IPv6.Configuration), how a
// D-Bus dict becomes one (with ConnMan's errors), and how it round-trips through the service keyfile.
// What is actually on the link (the lease, the kernel's SLAAC address) lives in the Service.
import { isIPv4, isIPv6 } from 'node:net';
import type { KeyFile } from '../config/keyfile';
import { ConnmanError } from './errors';
import type { IPv4Method, IPv6Method } from './service';

export interface IPv4Config { method: IPv4Method; address?: string; prefixLength?: number; gateway?: string }
export type IPv6Privacy = 'disabled' | 'enabled' | 'prefered';
export interface IPv6Config { method: IPv6Method; address?: string; prefixLength?: number; gateway?: string; privacy: IPv6Privacy }

/** A D-Bus a{sv} as dbus-next hands it over: key -> Variant-like {signature, value}. */
export type VariantDict = Record<string, { signature: string; value: unknown }>;

export function netmaskToPrefix(mask: string): number | undefined {
  if (!isIPv4(mask)) return undefined;
  const n = mask.split('.').reduce((acc, o) => ((acc << 8) | Number(o)) >>> 0, 0);
  const prefix = Math.clz32(~n >>> 0);
  // A netmask with holes (255.0.255.0) has no prefix length, so it is refused.
  const canonical = prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
  return canonical === n ? prefix : undefined;
}

function str(d: VariantDict, key: string): string | undefined {
  const v = d[key];
  if (v === undefined) return undefined;
  if (v.signature !== 's') throw new ConnmanError('InvalidArguments');
  return v.value as string;
}

/**
 * IPv4.Configuration from D-Bus, validated as ConnMan's __connman_ipconfig_set_config does: Method is
 * required; off, dhcp and manual are accepted; auto is NotSupported; fixed and unknown are
 * InvalidArguments; Address, Netmask and Gateway, when present, must be IPv4 literals.
 */
export function ipv4ConfigFromDbus(d: VariantDict): IPv4Config {
  const method = str(d, 'Method');
  const address = str(d, 'Address');
  const netmask = str(d, 'Netmask');
  const gateway = str(d, 'Gateway');
  if (d.PrefixLength && d.PrefixLength.signature !== 'y') throw new ConnmanError('InvalidArguments');
  if (d.Privacy) str(d, 'Privacy');
  switch (method) {
    case 'off': return { method: 'off' };
    case 'dhcp': return { method: 'dhcp' };
    case 'auto': throw new ConnmanError('NotSupported');
    case 'manual': {
      if ((address !== undefined && !isIPv4(address)) || (netmask !== undefined && !isIPv4(netmask))
        || (gateway !== undefined && !isIPv4(gateway))) throw new ConnmanError('InvalidArguments');
      const prefixLength = netmask !== undefined ? netmaskToPrefix(netmask) : undefined;
      if (netmask !== undefined && prefixLength === undefined) throw new ConnmanError('InvalidArguments');
      return { method: 'manual', address, prefixLength: prefixLength ?? (address ? 24 : undefined), gateway };
    }
    default: throw new ConnmanError('InvalidArguments');
  }
}

export function parsePrivacy(s: string | undefined): IPv6Privacy | undefined {
  if (s === 'disabled' || s === 'enabled') return s;
  if (s === 'prefered' || s === 'preferred') return 'prefered';
  return undefined;
}

/** IPv6.Configuration from D-Bus: off, auto (with Privacy) and manual; dhcp is NotSupported. */
export function ipv6ConfigFromDbus(d: VariantDict, current: IPv6Config): IPv6Config {
  const method = str(d, 'Method');
  const address = str(d, 'Address');
  const gateway = str(d, 'Gateway');
  const privacyText = str(d, 'Privacy');
  let prefixLength: number | undefined;
  if (d.PrefixLength) {
    if (d.PrefixLength.signature !== 'y') throw new ConnmanError('InvalidArguments');
    prefixLength = Number(d.PrefixLength.value);
    if (prefixLength > 128) throw new ConnmanError('InvalidArguments');
  }
  // ConnMan keeps the old privacy when the string is unknown.
  const privacy = parsePrivacy(privacyText) ?? current.privacy;
  switch (method) {
    case 'off': return { method: 'off', privacy: current.privacy };
    case 'auto': return { method: 'auto', privacy };
    case 'dhcp': throw new ConnmanError('NotSupported');
    case 'manual':
      if ((address !== undefined && !isIPv6(address)) || (gateway !== undefined && !isIPv6(gateway))) {
        throw new ConnmanError('InvalidArguments');
      }
      return { method: 'manual', address, prefixLength: prefixLength ?? (address ? 64 : undefined), gateway, privacy: current.privacy };
    default: throw new ConnmanError('InvalidArguments');
  }
}

/** Keys ConnMan's ipconfig_load reads for one family ("IPv4" or "IPv6"). */
export function loadIPv4Config(kf: KeyFile, group: string): IPv4Config {
  const m = kf.getString(group, 'IPv4.method');
  const method: IPv4Method = m === 'off' || m === 'manual' || m === 'fixed' ? m : 'dhcp';
  if (method !== 'manual' && method !== 'fixed') return { method };
  return {
    method,
    address: kf.getString(group, 'IPv4.local_address') || undefined,
    prefixLength: intOr(kf, group, 'IPv4.netmask_prefixlen'),
    gateway: kf.getString(group, 'IPv4.gateway') || undefined,
  };
}

export function loadIPv6Config(kf: KeyFile, group: string): IPv6Config {
  const m = kf.getString(group, 'IPv6.method');
  const method: IPv6Method = m === 'off' || m === 'manual' || m === 'fixed' ? m : 'auto';
  const privacy = parsePrivacy(kf.getString(group, 'IPv6.privacy')) ?? 'disabled';
  if (method !== 'manual' && method !== 'fixed') return { method, privacy };
  return {
    method, privacy,
    address: kf.getString(group, 'IPv6.local_address') || undefined,
    prefixLength: intOr(kf, group, 'IPv6.netmask_prefixlen'),
    gateway: kf.getString(group, 'IPv6.gateway') || undefined,
  };
}

function intOr(kf: KeyFile, g: string, k: string): number | undefined {
  try { return kf.getInteger(g, k) || undefined; } catch { return undefined; }
}

/** ConnMan's ipconfig_save: the method always, address keys only for manual/fixed, empty ones skipped. */
export function saveIPConfig(kf: KeyFile, group: string, family: 'IPv4' | 'IPv6', c: IPv4Config | IPv6Config, broadcast?: string): void {
  kf.setString(group, `${family}.method`, c.method);
  if (c.method !== 'manual' && c.method !== 'fixed') return;
  if (c.prefixLength) kf.setInteger(group, `${family}.netmask_prefixlen`, c.prefixLength);
  if (c.address) kf.setString(group, `${family}.local_address`, c.address);
  if (broadcast) kf.setString(group, `${family}.broadcast_address`, broadcast);
  if (c.gateway) kf.setString(group, `${family}.gateway`, c.gateway);
}
