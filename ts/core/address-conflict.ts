// Service.LastAddressConflict bookkeeping, the same whether ACD guards a DHCP lease or a manual address.
// A conflict on a link-local address is IPv4-LL's own affair (it picks another address) and, as in
// connmand, never shows in the property.
import { isLinkLocal } from './ipv4-dhcp';
import { NO_ADDRESS_CONFLICT, Service } from './service';

/** ACD runs on the service's link: the property appears, holding no conflict yet. */
export function conflictWatchStarted(svc: Service): void {
  svc.addressConflict ??= NO_ADDRESS_CONFLICT;
}

/** `other` (a MAC) holds `address`. */
export function conflictSeen(svc: Service, address: string, other: string): void {
  if (isLinkLocal(address)) return;
  svc.addressConflict = { address, mac: other, timestampUs: BigInt(Date.now()) * 1000n, resolved: false };
  svc.notify(svc, 'LastAddressConflict');
}

/** A probe of `address` ended well: after a conflict, connmand reports it resolved. */
export function conflictProbeOk(svc: Service, address: string): void {
  if (isLinkLocal(address) || svc.addressConflict?.resolved !== false) return;
  svc.addressConflict = { ...svc.addressConflict, resolved: true };
  svc.notify(svc, 'LastAddressConflict');
}
