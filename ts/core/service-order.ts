// ConnMan's service ordering (service_compare), the subset that applies without VPNs and the online
// check: connected first (online before ready, then by PreferredTechnologies), then connected before
// connecting before the rest, favourites first, then type rank, strength, and name (absent name first).
// Array.prototype.sort is stable, like GLib's g_list_sort, so equal services keep their relative order.
import { Service, ServiceType, isConnected, isConnecting } from './service';

const TYPE_RANK: Partial<Record<ServiceType, number>> = { ethernet: 0, wifi: 1, cellular: 2, bluetooth: 3, vpn: 4, gadget: 5 };

function preferredIndex(prefs: readonly string[], t: ServiceType): number {
  const i = prefs.indexOf(t);
  return i < 0 ? Infinity : i;
}

export function compareServices(a: Service, b: Service, preferred: readonly string[] = []): number {
  const ca = isConnected(a.state), cb = isConnected(b.state);
  if (ca && cb) {
    // service_compare_preferred answers "a first" as soon as a's type is listed, even when b has the
    // same type; in GLib's stable merge sort that keeps the pair as it was, which 0 does here.
    if (a.type === b.type && preferred.includes(a.type)) return 0;
    const p = preferredIndex(preferred, a.type) - preferredIndex(preferred, b.type);
    if (p !== 0 && Number.isFinite(p)) return p < 0 ? -1 : 1;
    if (preferredIndex(preferred, a.type) !== preferredIndex(preferred, b.type)) {
      return Number.isFinite(preferredIndex(preferred, a.type)) ? -1 : 1;
    }
  }
  if (a.state !== b.state) {
    if (ca && cb) {
      if (a.state === 'online') return -1;
      if (b.state === 'online') return 1;
    }
    if (ca) return -1;
    if (cb) return 1;
    if (isConnecting(a.state)) return -1;
    if (isConnecting(b.state)) return 1;
  }
  if (a.favorite !== b.favorite) return a.favorite ? -1 : 1;
  if (a.type !== b.type) {
    const pa = preferredIndex(preferred, a.type), pb = preferredIndex(preferred, b.type);
    if (pa !== pb) return pa < pb ? -1 : 1;
    const ra = TYPE_RANK[a.type] ?? 99, rb = TYPE_RANK[b.type] ?? 99;
    if (ra !== rb) return ra - rb;
  }
  if (a.strength !== b.strength) return b.strength - a.strength;
  if (a.name === undefined) return b.name === undefined ? 0 : -1;
  if (b.name === undefined) return 1;
  return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
}

export function sortServices(list: Service[], preferred: readonly string[] = []): Service[] {
  return list.sort((a, b) => compareServices(a, b, preferred));
}
