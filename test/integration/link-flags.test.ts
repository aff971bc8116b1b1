// The flags a daemon leaves on the link it manages, read with `ip link` as an integrator would: up and
// running while connected, down after the technology is disabled, and IFF_DYNAMIC in both cases, as
// connmand 1.41 sets it. Compared side by side in the same lab.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DaemonKind, Lab } from '../harness';

const skip = process.getuid?.() !== 0 ? 'needs root for network namespaces' : false;

async function flags(lab: Lab): Promise<string> {
  const out = await lab.ip('near', '-o', 'link', 'show', 'dev', 'eth0');
  return (/<([^>]*)>/.exec(out)?.[1] ?? '').split(',').sort().join(',');
}

async function observe(kind: DaemonKind): Promise<{ ready: string; disabled: string }> {
  const lab = await Lab.create();
  try {
    await lab.startDaemon(kind);
    await lab.waitForWiredReady();
    const ready = await flags(lab);
    await lab.ctl('disable', 'ethernet');
    await lab.waitUntil(async () => !(await flags(lab)).split(',').includes('UP'), { timeoutMs: 10_000, what: 'eth0 down' });
    return { ready, disabled: await flags(lab) };
  } finally {
    await lab.teardown();
  }
}

describe('link flags under the daemon', { skip }, () => {
  let reference: { ready: string; disabled: string } | undefined;
  it('connmand 1.41 (reference): UP and DYNAMIC while ready, DYNAMIC without UP when disabled', async () => {
    reference = await observe('connmand');
    assert.ok(reference.ready.split(',').includes('DYNAMIC'), reference.ready);
    assert.ok(reference.ready.split(',').includes('UP'), reference.ready);
    assert.ok(reference.disabled.split(',').includes('DYNAMIC'), reference.disabled);
  });
  it('Switchyard: the same flags as connmand at both points', async () => {
    const o = await observe('switchyard');
    assert.ok(reference, 'the connmand reference ran first');
    assert.deepEqual(o, reference);
  });
});
