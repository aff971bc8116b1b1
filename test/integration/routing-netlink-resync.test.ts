// Route and policy-rule events survive a netlink receive-buffer overrun: the monitor re-dumps both
// tables and reports what it missed, so a listener's view equals the kernel again (links and
// addresses have the same guarantee, tested in platform-native.test.ts). The work runs in a child
// inside a namespace this test creates and deletes.
import assert from 'node:assert/strict';
import { execFile, execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import * as path from 'node:path';
import { after, describe, it } from 'node:test';

const skip = process.getuid?.() !== 0 ? 'needs root for network namespaces' : false;
const CHILD = path.join(__dirname, 'routing-netlink-resync-child.js');

describe('netlink monitor: routes and rules after a receive-buffer overrun', { skip }, () => {
  const ns = `sy-rs-${process.pid}-${randomBytes(3).toString('hex')}`;
  after(() => { try { execFileSync('ip', ['netns', 'del', ns]); } catch { /* never created */ } });

  it('keeps the view of table 100 and the rule list equal to the kernel through 20000 routes and 1000 rules', async () => {
    execFileSync('ip', ['netns', 'add', ns]);
    const stdout = await new Promise<string>((resolve, reject) => {
      execFile('ip', ['netns', 'exec', ns, process.execPath, CHILD], { timeout: 90_000, maxBuffer: 8 << 20 },
        (err, out, stderr) => (out.trim() ? resolve(out) : reject(new Error(`${err?.message}\n${stderr}`))));
    });
    const res = JSON.parse(stdout.trim().split('\n').pop()!) as { ok: boolean; error?: string; result: Record<string, unknown> };
    assert.ok(res.ok, res.error);
    const r = res.result;
    assert.equal(r.initialSame, true);
    assert.equal(r.afterAdd, true, 'view after the adds differs from the kernel');
    assert.equal(r.routesAfterAdd, 20001, 'the 20000 routes and the one that made the table');
    assert.equal(r.rulesAfterAdd, 1000);
    assert.equal(r.afterDel, true, `view after the deletes differs: ${JSON.stringify(r.diff)}`);
    assert.equal(r.routesAfterDel, 10002, '10000 routes left, the first one and the default route');
    assert.equal(r.defaultGateway, '10.99.0.9', 'the replaced default route shows its new gateway');
    // Tens of thousands of messages with the loop blocked overflow even the 1 MiB buffer we ask for,
    // so the resync really ran; without it the checks above fail.
    assert.ok((r.overrunsAfterAdd as number) >= 1, `no overrun during the adds (${r.overrunsAfterAdd})`);
    assert.ok((r.overruns as number) >= 2, `no overrun during the deletes (${r.overruns})`);
  });
});
