// Enable6to4 end to end in a guest, since the host kernel may lack the sit module: the assertions run
// inside (guest/sixtofour.guest.ts) with the namespace lab; each shows up here as a subtest.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { guestSkipReason, nodeTestScript, parseGuestTap, REPO_ROOT, runInGuest } from './guest';

const skip = guestSkipReason();
const GUEST_FILE = join(REPO_ROOT, 'dist', 'test', 'vm', 'guest', 'sixtofour.guest.js');

test('6to4 tunnel in a guest', { skip }, async (t) => {
  const t0 = Date.now();
  const r = await runInGuest(nodeTestScript('set -e\nmodprobe sit\n', GUEST_FILE), { timeoutS: 200 });
  process.stdout.write(`# guest: boot ${r.bootS?.toFixed(2)} s, total ${r.totalS?.toFixed(2)} s ` +
    `(wall ${((Date.now() - t0) / 1000).toFixed(2)} s), status ${r.status}\n`);
  // what the guest printed about the tunnel (ip -6 addr / route, the sit parameters)
  for (const line of r.output.split('\n')) {
    if (/^# /.test(line) && !/^# (tests|suites|pass|fail|cancelled|skipped|todo|duration_ms|Subtest)\b/.test(line)) process.stdout.write(`${line}\n`);
  }
  const cases = parseGuestTap(r.output);
  for (const c of cases) {
    await t.test(c.name, { skip: c.skipped ? 'skipped inside the guest' : false }, () => assert.ok(c.ok, c.detail));
  }
  assert.ok(cases.length > 0, `no test results from the guest:\n${r.output}\n${r.runnerLog}`);
  assert.equal(r.status, 0, cases.some((c) => !c.ok) ? `guest tests failed:\n${r.output}` : `${r.output}\n${r.runnerLog}`);
});
