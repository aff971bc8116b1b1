// The periodic scan while no network is connected (both Wi-Fi backends): connmand's exponential:3:300
// back-off, and after a connected network is lost a fast rescan phase, then the back-off capped at 30 s
// for five minutes; and which failed favourites a scan gives another go.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AFTER_LOSS_MS, FAST_RESCAN_MS, FAST_RESCAN_S, ScanSchedule, retryFailedFavourites } from '../../ts/plugins/wifi/scan-schedule';
import type { Manager } from '../../ts/core/manager';
import { Service } from '../../ts/core/service';

/** The delays `next` gives when each scan happens right when it was scheduled, from `start` (ms). */
function delays(s: ScanSchedule, start: number, n: number): number[] {
  const out: number[] = [];
  let now = start;
  for (let i = 0; i < n; i++) {
    const d = s.next(now);
    out.push(d);
    now += d * 1000;
  }
  return out;
}

test('without a loss: 3, 6, 12 ... up to 300 s, as connmand', () => {
  assert.deepEqual(delays(new ScanSchedule(), 1_000_000, 9), [3, 6, 12, 24, 48, 96, 192, 300, 300]);
});

test('reset starts the back-off over', () => {
  const s = new ScanSchedule();
  delays(s, 0, 5);
  s.reset();
  assert.deepEqual(delays(s, 10_000_000, 3), [3, 6, 12]);
});

test('after a loss: a scan every 3 s for 30 s, then the back-off from 3 s capped at 30 s', () => {
  const s = new ScanSchedule();
  delays(s, 0, 8); // the back-off had grown to 300 s while connected
  const lostAt = 5_000_000;
  s.lost(lostAt);
  assert.equal(s.fast(lostAt), true);
  const d = delays(s, lostAt, 18);
  const fast = FAST_RESCAN_MS / 1000 / FAST_RESCAN_S;
  assert.deepEqual(d.slice(0, fast), Array(fast).fill(FAST_RESCAN_S));
  assert.deepEqual(d.slice(fast), [3, 6, 12, 24, 30, 30, 30, 30]);
  assert.equal(s.fast(lostAt + FAST_RESCAN_MS), false);
});

test('the fast phase does not advance the back-off; it ends by time, however often next is asked', () => {
  const s = new ScanSchedule();
  s.lost(0);
  for (let i = 0; i < 50; i++) assert.equal(s.next(1000), FAST_RESCAN_S);
  assert.deepEqual(delays(s, FAST_RESCAN_MS, 2), [3, 6]);
});

test('five minutes after a loss the cap is 300 s again', () => {
  const s = new ScanSchedule();
  s.lost(0);
  assert.deepEqual(delays(s, AFTER_LOSS_MS, 9), [3, 6, 12, 24, 48, 96, 192, 300, 300]);
});

test('a second loss starts a new fast phase', () => {
  const s = new ScanSchedule();
  s.lost(0);
  delays(s, FAST_RESCAN_MS, 6);
  s.lost(200_000);
  assert.equal(s.next(200_000 + 1000), FAST_RESCAN_S);
});

test('after a scan: only a favourite with AutoConnect that failed with connect-failed and is seen again is retried', () => {
  const mk = (id: string, f: Partial<Pick<Service, 'state' | 'error' | 'favorite' | 'autoconnect'>>) => Object.assign(new Service(id, 'wifi'),
    { state: 'failure', error: 'connect-failed', favorite: true, autoconnect: true, ...f });
  const services = [mk('a', {}), mk('gone', {}), mk('b', { error: 'invalid-key' }), mk('c', { favorite: false }),
    mk('d', { autoconnect: false }), mk('e', { state: 'idle', error: undefined })];
  const cleared: string[] = [];
  const m = { clearError: (s: Service) => cleared.push(s.id) } as unknown as Manager;
  retryFailedFavourites(m, services, (id) => id !== 'gone');
  assert.deepEqual(cleared, ['a']);
});
