// The Wi-Fi plugin's wpa_supplicant client against the real thing: a guest with hwsim radios, hostapd
// access points (open, WPA2-PSK, WPA3-SAE, WPA2/WPA3 transition, hidden), Debian's system bus with
// D-Bus activation of wpa_supplicant. The assertions run inside the guest (guest/supplicant.guest.ts);
// each of its tests shows up here as a subtest.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { guestSkipReason, nodeTestScript, parseGuestTap, REPO_ROOT, runInGuest } from './guest';
import { setupScript } from './guest/wifi-world';

const skip = guestSkipReason();
const GUEST_FILE = join(REPO_ROOT, 'dist', 'test', 'vm', 'guest', 'supplicant.guest.js');

test('wpa_supplicant D-Bus client in a guest', { skip }, async (t) => {
  const t0 = Date.now();
  const r = await runInGuest(nodeTestScript(setupScript(), GUEST_FILE), { timeoutS: 240 });
  process.stdout.write(`# guest: boot ${r.bootS?.toFixed(2)} s, total ${r.totalS?.toFixed(2)} s ` +
    `(wall ${((Date.now() - t0) / 1000).toFixed(2)} s), status ${r.status}\n`);
  const cases = parseGuestTap(r.output);
  for (const c of cases) {
    const ms = /duration_ms: ([\d.]+)/.exec(c.detail)?.[1];
    process.stdout.write(`# in guest ${ms ? (Number(ms) / 1000).toFixed(1).padStart(5) : '    ?'} s  ${c.name}\n`);
  }
  for (const c of cases) {
    await t.test(c.name, { skip: c.skipped ? 'skipped inside the guest' : false }, () => assert.ok(c.ok, c.detail));
  }
  assert.ok(cases.length > 0, `no test results from the guest:\n${r.output}\n${r.runnerLog}`);
  assert.equal(r.status, 0, cases.some((c) => !c.ok) ? 'guest tests failed' : `${r.output}\n${r.runnerLog}`);
});
