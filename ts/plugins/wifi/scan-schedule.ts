// When to scan next while no network is connected. The base is connmand's exponential:3:300 back-off.
// A connected network that disappears is usually back soon (an access point rebooting, a short walk out
// of range), and with the back-off alone the favourite would wait for a scan up to 30 s apart: so for a
// short while after a loss the radio rescans at a fixed short interval, then backs off again, no slower
// than SCAN_MAX_AFTER_LOSS_S for some minutes, then as usual.

import type { Manager } from '../../core/manager';
import type { Service } from '../../core/service';

/** connmand's exponential:3:300 */
export const SCAN_MIN_S = 3;
export const SCAN_MAX_S = 300;
/** After a connected network was lost: one scan every FAST_RESCAN_S for FAST_RESCAN_MS ... */
export const FAST_RESCAN_S = 3;
export const FAST_RESCAN_MS = 30_000;
/** ... then the back-off, but no slower than this until AFTER_LOSS_MS have passed since the loss. */
export const SCAN_MAX_AFTER_LOSS_S = 30;
export const AFTER_LOSS_MS = 5 * 60_000;

export class ScanSchedule {
  private delayS = SCAN_MIN_S;
  private lostAt?: number;

  /** Powered on or attached: the back-off starts over. */
  reset(): void { this.delayS = SCAN_MIN_S; }

  /** The connected network was lost at `now` (ms): the fast rescan phase starts. */
  lost(now: number): void {
    this.lostAt = now;
    this.delayS = SCAN_MIN_S;
  }

  /** Within the fast rescan phase of a loss. */
  fast(now: number): boolean { return this.lostAt !== undefined && now - this.lostAt < FAST_RESCAN_MS; }

  /** Seconds until the next scan; each call outside the fast phase advances the back-off. */
  next(now: number): number {
    if (this.fast(now)) return FAST_RESCAN_S;
    const cap = this.lostAt !== undefined && now - this.lostAt < AFTER_LOSS_MS ? SCAN_MAX_AFTER_LOSS_S : SCAN_MAX_S;
    const delay = Math.min(this.delayS, cap);
    this.delayS = Math.min(this.delayS * 2, SCAN_MAX_S);
    return delay;
  }
}

/**
 * After a scan: a favourite whose last (auto)connect failed with connect-failed, seen again, gets another
 * go. Right after a loss, autoconnect tries the network while the scan results still list it; that try
 * fails, and without this the favourite would wait in "failure" even once its access point is back.
 */
export function retryFailedFavourites(m: Manager, services: Iterable<Service>, seen: (id: string) => boolean): void {
  for (const svc of services) {
    if (svc.state === 'failure' && svc.error === 'connect-failed' && svc.favorite && svc.autoconnect && seen(svc.id)) m.clearError(svc);
  }
}
