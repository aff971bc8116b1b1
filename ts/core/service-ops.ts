// The rules behind the user's service operations (Remove, MoveBefore/MoveAfter, the *.Configuration
// lists, Proxy.Configuration), kept apart from the manager so each reads as ConnMan's own checks do.
import { isIP } from 'node:net';
import { ConnmanError } from './errors';
import type { VariantDict } from './ipconfig';
import type { IPv4Method, IPv6Method, ProxyConfig, Service, ServiceProperty, ServiceState } from './service';

type ListField = 'nameserversConfig' | 'timeserversConfig' | 'domainsConfig';
export const LIST_FIELDS: Record<'nameservers' | 'timeservers' | 'domains', [ListField, ServiceProperty, ServiceProperty]> = {
  nameservers: ['nameserversConfig', 'Nameservers.Configuration', 'Nameservers'],
  timeservers: ['timeserversConfig', 'Timeservers.Configuration', 'Timeservers'],
  domains: ['domainsConfig', 'Domains.Configuration', 'Domains'],
};

/**
 * connmand joins the strings with spaces and splits them again, so "a b" is two entries and empty ones
 * vanish; nameservers that are not numeric addresses are dropped without an error.
 */
export function cleanList(which: 'nameservers' | 'timeservers' | 'domains', values: string[]): string[] {
  const parts = values.filter((v) => v !== '').join(' ').split(' ').filter((v) => v !== '');
  return which === 'nameservers' ? parts.filter((v) => isIP(v.split('%')[0]) !== 0) : parts;
}

/** What the Nameservers property shows: configured, else provisioned + DHCP, else FallbackNameservers. */
export function effectiveNameservers(s: Service, fallback: readonly string[]): string[] {
  if (s.nameserversConfig.length) return [...s.nameserversConfig];
  const dynamic = [...s.provisionedNameservers, ...s.nameservers];
  return dynamic.length ? dynamic : [...fallback];
}

/** The global time sources a service's Timeservers list draws on after its own. */
export interface GlobalTimeSources {
  manual: boolean;
  /** Clock.Timeservers, as saved in settings */
  timeservers: readonly string[];
  fallback: readonly string[];
  useGateways: boolean;
}

/**
 * The NTP servers tried for a service, best first (connmand's __connman_timeserver_get_all): its
 * Timeservers.Configuration, the DHCP/provisioned ones, its gateway when gateways count as time
 * servers, then the Clock's and the fallback list, each name once; none while time is set by hand.
 */
export function timeserversFor(s: Service, g: GlobalTimeSources): string[] {
  if (g.manual) return [];
  const gateway = g.useGateways ? s.ipv4?.gateway ?? s.ipv6?.gateway : undefined;
  const all = [...s.timeserversConfig, ...s.provisionedTimeservers, ...s.timeservers,
    ...(gateway ? [gateway] : []), ...g.timeservers, ...g.fallback];
  return all.filter((t, i) => all.indexOf(t) === i);
}

/**
 * Service.Remove() (__connman_service_remove): cables and gadgets, provisioned and hidden services
 * cannot be forgotten, nor a non-favourite that is busy.
 */
export function checkRemovable(svc: Service): void {
  if (svc.type === 'ethernet' || svc.type === 'gadget') throw new ConnmanError('NotSupported');
  // the placeholder of hidden access points (no name yet) stays; a hidden network connected by name
  // is a network like any other (connmand's hidden vs hidden_service)
  if (svc.immutable || (svc.hidden && !svc.ssid)) throw new ConnmanError('NotSupported');
  if (!svc.favorite && svc.state !== 'idle' && svc.state !== 'failure' && svc.state !== 'disconnect') {
    throw new ConnmanError('NotSupported');
  }
}

/** check_suitable_state: equal states, or ready against online */
function suitable(a: ServiceState, b: ServiceState): boolean {
  if ((a === 'online' && b === 'ready') || (a === 'ready' && b === 'online')) return true;
  return a === b;
}

/**
 * __connman_service_move's checks: the service must be a favourite (NotSupported), the target a
 * different favourite (InvalidService). Per-family states are compared only where one side has a
 * family switched off, exactly as connmand does; otherwise any two favourites may swap.
 */
export function checkMove(svc: Service, target: Service): void {
  if (!svc.favorite) throw new ConnmanError('NotSupported');
  if (!target.favorite || target === svc) throw new ConnmanError('InvalidService');
  const off = (m: IPv4Method | IPv6Method) => m === 'off';
  const t4 = target.ipv4Config.method, t6 = target.ipv6Config.method;
  const s4 = svc.ipv4Config.method, s6 = svc.ipv6Config.method;
  const v6ok = () => suitable(target.stateIPv6, svc.stateIPv6);
  const v4ok = () => suitable(target.stateIPv4, svc.stateIPv4);
  if (off(t4) && !off(s6) && !v6ok()) throw new ConnmanError('InvalidService');
  if (off(t6) && !off(s4) && !v4ok()) throw new ConnmanError('InvalidService');
  if (off(s4) && !off(t6) && !v6ok()) throw new ConnmanError('InvalidService');
  if (off(s6) && !off(t4) && !v4ok()) throw new ConnmanError('InvalidService');
}

/** switch_service_order: `promoted` is moved to just before `demoted` (nothing if it is already there). */
export function switchOrder(list: readonly Service[], demoted: Service, promoted: Service): Service[] {
  const src = list.indexOf(promoted), dst = list.indexOf(demoted);
  if (src < 0 || dst < 0 || src === dst || src + 1 === dst) return [...list];
  const out = list.filter((s) => s !== promoted);
  out.splice(out.indexOf(demoted), 0, promoted);
  return out;
}

/**
 * Proxy.Configuration from D-Bus (update_proxy_configuration): Method is required and must be direct,
 * auto or manual; manual needs servers (given now or kept from before), and an empty server list turns
 * it into direct. Servers/Excludes given as other types are InvalidArguments, as is a non-string URL.
 */
export function proxyConfigFromDbus(d: VariantDict, current: ProxyConfig): ProxyConfig {
  let method: string | undefined;
  let url: string | undefined;
  let servers: string[] | undefined;
  let excludes: string[] | undefined;
  const strings = (v: { signature: string; value: unknown }): string[] => {
    if (!v.signature.startsWith('a')) throw new ConnmanError('InvalidArguments');
    if (v.signature !== 'as') return [];
    return (v.value as string[]).join(' ').split(' ').filter((x) => x !== '');
  };
  for (const [k, v] of Object.entries(d)) {
    if (k === 'Method') {
      if (v.signature !== 's') throw new ConnmanError('InvalidArguments');
      method = v.value as string;
    } else if (k === 'URL') {
      if (v.signature !== 's') throw new ConnmanError('InvalidArguments');
      url = v.value as string;
    } else if (k === 'Servers') servers = strings(v);
    else if (k === 'Excludes') excludes = strings(v);
  }
  const next: ProxyConfig = { ...current };
  switch (method) {
    case 'direct':
      next.method = 'direct';
      return next;
    case 'manual':
      if (servers === undefined && !current.servers?.length) throw new ConnmanError('InvalidArguments');
      if (servers !== undefined) next.servers = servers.length ? servers : undefined;
      if (excludes !== undefined) next.excludes = excludes.length ? excludes : undefined;
      next.method = next.servers?.length ? 'manual' : 'direct';
      return next;
    case 'auto':
      next.method = 'auto';
      next.url = url || undefined;
      return next;
    default:
      throw new ConnmanError('InvalidArguments');
  }
}
