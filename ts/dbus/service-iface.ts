// net.connman.Service, as a table. Key order and presence follow ConnMan's append_properties.
import type { Manager } from '../core/manager';
import { ConnmanError } from '../core/errors';
import { Service, isConnected, isConnecting } from '../core/service';
import { prefixToNetmask } from '../core/applier';
import { VariantDict, ipv4ConfigFromDbus, ipv6ConfigFromDbus } from '../core/ipconfig';
import { effectiveNameservers, proxyConfigFromDbus } from '../core/service-ops';
import { InterfaceTable, PROPERTY_CHANGED, PropertyDef, PropertyDict, dict } from './table';

const connected = (s: Service) => isConnected(s.state);

/** append_proxyconfig / append_proxy: Servers, Excludes or URL first, Method last. */
function proxyDict(s: Service, effective: boolean): PropertyDict {
  const c = s.proxyConfig;
  if (!c.method) return {};
  if (c.method === 'manual') {
    return dict([
      ['Servers', 'as', effective ? [...(c.servers ?? [])] : c.servers && [...c.servers]],
      ['Excludes', 'as', effective ? [...(c.excludes ?? [])] : c.excludes && [...c.excludes]],
      ['Method', 's', 'manual']]);
  }
  if (c.method === 'auto') return dict([['URL', 's', c.url], ['Method', 's', c.url || !effective ? 'auto' : 'direct']]);
  return dict([['Method', 's', 'direct']]);
}

/** Only while ACD has run on the link, as connmand appends it only when its network has an ACD host. */
function conflictDict(s: Service): PropertyDict | undefined {
  const c = s.addressConflict;
  if (!c) return undefined;
  return dict([
    ['IPv4', 'a{sv}', dict([['Address', 's', c.address]])],
    ['Ethernet', 'a{sv}', dict([['Address', 's', c.mac]])],
    ['Timestamp', 'x', c.timestampUs],
    ['Resolved', 'b', c.resolved]]);
}

export function serviceTable(manager: Manager): InterfaceTable<Service> {
  const cfg = manager.deps.config;
  const listSetter = (which: 'nameservers' | 'timeservers' | 'domains'): PropertyDef<Service>['set'] =>
    (s, v) => manager.setListConfig(s, which, v as string[]);
  const properties: PropertyDef<Service>[] = [
    { name: 'Type', type: 's', access: 'read', get: (s) => s.type },
    // a cable has no security class at all, so the list is empty
    { name: 'Security', type: 'as', access: 'read', get: securityList },
    { name: 'State', type: 's', access: 'read', get: (s) => s.state },
    { name: 'Error', type: 's', access: 'read', get: (s) => s.error, cleared: '' },
    { name: 'Strength', type: 'y', access: 'read', get: (s) => (s.strength > 0 ? s.strength : undefined) },
    { name: 'Favorite', type: 'b', access: 'read', get: (s) => s.favorite },
    { name: 'Immutable', type: 'b', access: 'read', get: (s) => s.immutable },
    { name: 'AutoConnect', type: 'b', access: 'readwrite', get: (s) => (s.favorite ? s.autoconnect : false),
      set: (s, v) => manager.setAutoConnect(s, v as boolean) },
    { name: 'Name', type: 's', access: 'read', get: (s) => s.name },
    { name: 'Ethernet', type: 'a{sv}', access: 'read', get: (s) => dict([
      ['Method', 's', 'auto'], ['Interface', 's', s.ifname || undefined], ['Address', 's', s.mac ? s.mac.toUpperCase() : undefined],
      ['MTU', 'q', s.mtu > 0 ? s.mtu : undefined]]) },
    { name: 'IPv4', type: 'a{sv}', access: 'read', get: (s) => (connected(s) && s.ipv4 && s.ipv4Rebinding ? dict([['Method', 's', s.ipv4Method]])
      : connected(s) && s.ipv4 ? dict([
      ['Method', 's', s.ipv4Method], ['Address', 's', s.ipv4.address], ['Netmask', 's', prefixToNetmask(s.ipv4.prefixLength)],
      ['Gateway', 's', s.ipv4.gateway]]) : {}) },
    { name: 'IPv4.Configuration', type: 'a{sv}', access: 'readwrite', get: (s) => {
      const c = s.ipv4Config;
      const fixed = c.method === 'manual' || c.method === 'fixed';
      return dict([['Method', 's', c.method], ['Address', 's', fixed ? c.address : undefined],
        ['Netmask', 's', fixed && c.prefixLength !== undefined ? prefixToNetmask(c.prefixLength) : undefined],
        ['Gateway', 's', fixed ? c.gateway : undefined]]);
    }, set: (s, v) => manager.setIPv4Config(s, ipv4ConfigFromDbus(v as VariantDict)) },
    { name: 'IPv6', type: 'a{sv}', access: 'read', get: (s) => (connected(s) && s.ipv6 ? dict([
      ['Method', 's', s.ipv6Method], ['Address', 's', s.ipv6.address], ['PrefixLength', 'y', s.ipv6.prefixLength],
      ['Gateway', 's', s.ipv6.gateway], ['Privacy', 's', s.ipv6Privacy]]) : {}) },
    { name: 'IPv6.Configuration', type: 'a{sv}', access: 'readwrite', get: (s) => {
      const c = s.ipv6Config;
      const fixed = c.method === 'manual' || c.method === 'fixed';
      return dict([['Method', 's', c.method], ['Address', 's', fixed ? c.address : undefined],
        ['PrefixLength', 'y', fixed ? c.prefixLength : undefined], ['Gateway', 's', fixed ? c.gateway : undefined],
        ['Privacy', 's', c.method === 'off' ? undefined : c.privacy]]);
    }, set: (s, v) => manager.setIPv6Config(s, ipv6ConfigFromDbus(v as VariantDict, s.ipv6Config)) },
    { name: 'Nameservers', type: 'as', access: 'read', get: (s) => (connected(s) ? effectiveNameservers(s, cfg.FallbackNameservers) : []) },
    { name: 'Nameservers.Configuration', type: 'as', access: 'readwrite', get: (s) => [...s.nameserversConfig],
      set: listSetter('nameservers') },
    { name: 'Timeservers', type: 'as', access: 'read', get: (s) => (connected(s) ? manager.timeserversOf(s) : []) },
    { name: 'Timeservers.Configuration', type: 'as', access: 'readwrite', get: (s) => [...s.timeserversConfig],
      set: listSetter('timeservers') },
    { name: 'Domains', type: 'as', access: 'read', get: (s) => (connected(s) || isConnecting(s.state)
      ? [...(s.domainsConfig.length ? s.domainsConfig : [...(s.domainname ? [s.domainname] : []), ...s.domains])] : []) },
    { name: 'Domains.Configuration', type: 'as', access: 'readwrite', get: (s) => [...s.domainsConfig],
      set: listSetter('domains') },
    // Without a configured method the proxy stays unknown (an empty dict) until WPAD decides it; WPAD
    // does not run yet, and connmand with the online check off shows the same empty dict.
    { name: 'Proxy', type: 'a{sv}', access: 'read', get: (s) => (connected(s) ? proxyDict(s, true) : {}) },
    { name: 'Proxy.Configuration', type: 'a{sv}', access: 'readwrite', get: (s) => proxyDict(s, false),
      set: (s, v) => {
        if (s.immutable) throw new ConnmanError('NotSupported');
        manager.setProxyConfig(s, proxyConfigFromDbus(v as VariantDict, s.proxyConfig));
      } },
    { name: 'mDNS', type: 'b', access: 'read', get: (s) => s.mdns },
    { name: 'mDNS.Configuration', type: 'b', access: 'readwrite', get: (s) => s.mdnsConfig,
      set: (s, v) => manager.setMdnsConfig(s, v as boolean) },
    { name: 'Provider', type: 'a{sv}', access: 'read', get: () => ({}) },
    { name: 'LastAddressConflict', type: 'a{sv}', access: 'read', get: (s) => conflictDict(s) },
  ];
  const target = (v: unknown): Service => {
    const id = String(v).split('/').pop() ?? '';
    const t = manager.service(id);
    if (!t || !String(v).startsWith('/net/connman/service/')) throw new ConnmanError('InvalidService');
    return t;
  };
  return {
    name: 'net.connman.Service',
    legacyProperties: { getPropertiesDeprecated: true, setProperty: true },
    properties,
    methods: [
      { name: 'ClearProperty', in: [{ name: 'name', type: 's' }], out: [], handler: (s, [name]) => {
        if (name !== 'Error') throw new ConnmanError('InvalidProperty');
        manager.clearError(s);
        return [];
      } },
      { name: 'Connect', in: [], out: [], handler: async (s, _a, ctx) => {
        // the caller's own agent is asked for secrets first (connman_agent_get_info)
        manager.setCaller(s, ctx.sender);
        try { await manager.connectService(s, 'user'); } finally { manager.setCaller(s, undefined); }
        return [];
      } },
      { name: 'Disconnect', in: [], out: [], handler: async (s) => { await manager.disconnectService(s, true); return []; } },
      { name: 'Remove', in: [], out: [], handler: async (s) => { await manager.forgetService(s); return []; } },
      { name: 'MoveBefore', in: [{ name: 'service', type: 'o' }], out: [], handler: (s, [p]) => moveResult(() => manager.moveService(s, target(p), false)) },
      { name: 'MoveAfter', in: [{ name: 'service', type: 'o' }], out: [], handler: (s, [p]) => moveResult(() => manager.moveService(s, target(p), true)) },
      { name: 'ResetCounters', in: [], out: [], handler: () => [] },
    ],
    signals: [PROPERTY_CHANGED],
  };
}

/** ConnMan answers success for move errors other than EINVAL (InvalidService) and EOPNOTSUPP. */
function moveResult(fn: () => void): unknown[] {
  try { fn(); } catch (e) {
    if (e instanceof ConnmanError && (e.errorName === 'InvalidService' || e.errorName === 'NotSupported')) throw e;
  }
  return [];
}

/**
 * connmand's append_security: the class, then "wps" for a PSK network whose access point advertises
 * WPS (open and WEP ones that claim it are ignored), and "wps_advertising" while a registrar runs.
 */
export function securityList(s: Service): string[] {
  if (s.type === 'ethernet' || s.type === 'gadget') return [];
  const out: string[] = [s.security];
  if (s.wps && s.security === 'psk') out.push('wps');
  if (s.wps && s.wpsAdvertising) out.push('wps_advertising');
  return out;
}
