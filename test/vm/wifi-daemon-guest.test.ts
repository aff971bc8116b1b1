// Switchyard's Wi-Fi against real radios: one guest boot builds the world (hwsim radios, hostapd
// access points for open, WPA2, WPA3-SAE, transition, WEP, hidden, 802.1X and a roaming pair, dnsmasq behind
// each) and runs, in order: guest/supplicant.guest.ts (the wpa_supplicant client on a radio of its own),
// then with wpa_supplicant in the station namespace guest/wifi-daemon.guest.ts (the daemon in its own
// network and mount namespace, driven with connmanctl and a test agent), guest/wifi-compare.guest.ts
// (the same connect with connmand 1.41) and guest/wifi-iwd.guest.ts. Each guest test shows up here as a
// subtest.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { guestSkipReason, parseGuestTap, REPO_ROOT, runInGuest } from './guest';
import { staSupplicant, worldScript } from './guest/daemon-world';

const skip = guestSkipReason();
const CLIENT_FILE = join(REPO_ROOT, 'dist', 'test', 'vm', 'guest', 'supplicant.guest.js');
const GUEST_FILE = join(REPO_ROOT, 'dist', 'test', 'vm', 'guest', 'wifi-daemon.guest.js');
const COMPARE_FILE = join(REPO_ROOT, 'dist', 'test', 'vm', 'guest', 'wifi-compare.guest.js');
const IWD_FILE = join(REPO_ROOT, 'dist', 'test', 'vm', 'guest', 'wifi-iwd.guest.js');

test('Switchyard Wi-Fi in a guest (connmanctl, agent, hostapd, wpa_supplicant)', { skip }, async (t) => {
  const t0 = Date.now();
  // SY_WIFI_ONLY=<regexp> runs only the guest tests whose names match (while working on one scenario)
  const only = process.env.SY_WIFI_ONLY ? ` --test-name-pattern='${process.env.SY_WIFI_ONLY}'` : '';
  // one boot for four files: the wpa_supplicant client, then with the station's wpa_supplicant the
  // daemon's scenarios, the same connect against connmand 1.41 (a functional check; bench/wifi-connect.ts
  // times both daemons), then iwd
  const pick = (f: string) => !process.env.SY_WIFI_FILES || process.env.SY_WIFI_FILES.split(',').some((x) => f.includes(x));
  const run = (f: string) => `node --test --test-reporter=tap${only} ${f} || rc=1\n`;
  const script = `${worldScript()}\ncd ${REPO_ROOT}\nexport SY_WIFI_RUNS=1 SY_WIFI_KINDS=connmand\nrc=0\n` +
    [CLIENT_FILE].filter(pick).map(run).join('') + `set +e\n${staSupplicant()}\necho "station wpa_supplicant at $(cut -d' ' -f1 /proc/uptime) s"\n` +
    [GUEST_FILE, COMPARE_FILE, IWD_FILE].filter(pick).map(run).join('') + 'exit $rc\n';
  // SY_VM_KEEP=1 keeps $VM_RESULTS (every log, whole) and prints where
  const r = await runInGuest(script, { timeoutS: 900, verbose: process.env.SY_VM_VERBOSE === '1', keep: process.env.SY_VM_KEEP === '1' });
  process.stdout.write(`# guest: boot ${r.bootS?.toFixed(2)} s, total ${r.totalS?.toFixed(2)} s ` +
    `(wall ${((Date.now() - t0) / 1000).toFixed(2)} s), status ${r.status}${process.env.SY_VM_KEEP === '1' ? `, results in ${r.resultsDir}` : ''}\n`);
  for (const l of r.output.split('\n').filter((x) => /^(world|station wpa_supplicant)/.test(x))) process.stdout.write(`# ${l}\n`);
  const cases = parseGuestTap(r.output);
  for (const c of cases) {
    const ms = /duration_ms: ([\d.]+)/.exec(c.detail)?.[1];
    process.stdout.write(`# in guest ${ms ? (Number(ms) / 1000).toFixed(1).padStart(5) : '    ?'} s  ${c.name}\n`);
  }
  for (const c of cases) {
    await t.test(c.name, { skip: c.skipped ? 'skipped inside the guest' : false }, () => assert.ok(c.ok, c.detail));
  }
  if (r.files['wifi-connect.json']) process.stdout.write(`# time to ready (ms): ${r.files['wifi-connect.json']}\n`);
  for (const log of ['compare-connmand.err', 'compare-switchyard.err', 'switchyard-iwd.err', 'iwd.log']) {
    if (r.status !== 0 && r.files[log]) process.stdout.write(`# ${log} tail:\n${r.files[log].split('\n').slice(-40).map((l) => `#   ${l}`).join('\n')}\n`);
  }
  if (r.status !== 0 && r.files['switchyard.err']) process.stdout.write(`# switchyard.err tail:\n${r.files['switchyard.err'].split('\n').slice(-60).map((l) => `#   ${l}`).join('\n')}\n`);
  assert.ok(cases.length > 0, `no test results from the guest:\n${r.output}\n${r.runnerLog}`);
  assert.equal(r.status, 0, cases.some((c) => !c.ok) ? 'guest tests failed' : `${r.output}\n${r.runnerLog}`);
});
