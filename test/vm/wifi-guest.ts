// Host side of the Wi-Fi guest tests: one guest boot builds the world of guest/daemon-world.ts and runs
// some of the guest files in order, each of their tests showing up as a subtest. The Wi-Fi scenarios are
// split over two test files (wifi-daemon-guest.test.ts, wifi-iwd-guest.test.ts), each booting its own
// guest, so the vm tier can run them side by side: a guest mostly waits (timers, scans, handshakes), so
// two at once on two cores take little longer than one.
import type { TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { parseGuestTap, REPO_ROOT, runInGuest } from './guest';
import { staSupplicant, worldScript } from './guest/daemon-world';

export const guestFile = (name: string) => join(REPO_ROOT, 'dist', 'test', 'vm', 'guest', `${name}.guest.js`);

export interface WifiGuestPlan {
  /** guest files run before the station's wpa_supplicant starts (the client tests use their own radio) */
  before: string[];
  /** guest files run with wpa_supplicant in the station namespace (wifi-iwd stops it and starts iwd) */
  station: string[];
  /** $VM_RESULTS logs printed (their tail) when the guest fails */
  logs: string[];
}

export async function runWifiGuest(t: TestContext, plan: WifiGuestPlan): Promise<void> {
  const t0 = Date.now();
  // SY_WIFI_ONLY=<regexp> runs only the guest tests whose names match (while working on one scenario)
  const only = process.env.SY_WIFI_ONLY ? ` --test-name-pattern='${process.env.SY_WIFI_ONLY}'` : '';
  // SY_WIFI_FILES=<name>,... narrows the guest files (supplicant, wifi-daemon, wifi-compare, wifi-iwd)
  const pick = (f: string) => !process.env.SY_WIFI_FILES || process.env.SY_WIFI_FILES.split(',').some((x) => f.includes(x));
  const run = (f: string) => `node --test --test-reporter=tap${only} ${guestFile(f)} || rc=1\n`;
  const script = `${worldScript()}\ncd ${REPO_ROOT}\nexport SY_WIFI_RUNS=1 SY_WIFI_KINDS=connmand\nrc=0\n` +
    plan.before.filter(pick).map(run).join('') + `set +e\n${staSupplicant()}\necho "station wpa_supplicant at $(cut -d' ' -f1 /proc/uptime) s"\n` +
    plan.station.filter(pick).map(run).join('') + 'exit $rc\n';
  // SY_VM_KEEP=1 keeps $VM_RESULTS (every log, whole) and prints where
  const keep = process.env.SY_VM_KEEP === '1';
  const r = await runInGuest(script, { timeoutS: 900, verbose: process.env.SY_VM_VERBOSE === '1', keep });
  process.stdout.write(`# guest: boot ${r.bootS?.toFixed(2)} s, total ${r.totalS?.toFixed(2)} s ` +
    `(wall ${((Date.now() - t0) / 1000).toFixed(2)} s), status ${r.status}${keep ? `, results in ${r.resultsDir}` : ''}\n`);
  for (const l of r.output.split('\n').filter((x) => /^(world|station wpa_supplicant)|AP gone/.test(x))) process.stdout.write(`# ${l}\n`);
  const cases = parseGuestTap(r.output);
  for (const c of cases) {
    const ms = /duration_ms: ([\d.]+)/.exec(c.detail)?.[1];
    process.stdout.write(`# in guest ${ms ? (Number(ms) / 1000).toFixed(1).padStart(5) : '    ?'} s  ${c.name}\n`);
  }
  for (const c of cases) {
    await t.test(c.name, { skip: c.skipped ? `skipped inside the guest${c.skipReason ? `: ${c.skipReason}` : ''}` : false }, () => assert.ok(c.ok, c.detail));
  }
  if (r.files['wifi-connect.json']) process.stdout.write(`# time to ready (ms): ${r.files['wifi-connect.json']}\n`);
  for (const log of plan.logs) {
    if (r.status !== 0 && r.files[log]) process.stdout.write(`# ${log} tail:\n${r.files[log].split('\n').slice(-60).map((l) => `#   ${l}`).join('\n')}\n`);
  }
  assert.ok(cases.length > 0, `no test results from the guest:\n${r.output}\n${r.runnerLog}`);
  assert.equal(r.status, 0, cases.some((c) => !c.ok) ? 'guest tests failed' : `${r.output}\n${r.runnerLog}`);
}
