// The server goes away: RENEWING, REBINDING, expiry, then an IPv4-LL (169.254/16) address on the link;
// the server comes back: a lease again and the link-local address gone. Real daemon, real dnsmasq
// (frozen with SIGSTOP so the link and its carrier stay up), dnsmasq's minimum lease of 2 minutes.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { Lab, isLeaseAddress } from '../harness';

const skip = process.getuid?.() !== 0 ? 'needs root for network namespaces' : false;

async function linkLocal(lab: Lab): Promise<string | undefined> {
  const out = await lab.ip('near', '-4', 'addr', 'show', 'dev', 'eth0');
  return /inet (169\.254\.\d+\.\d+)\/16/.exec(out)?.[1];
}

describe('DHCPv4 server gone -> expiry -> IPv4-LL -> server back (Switchyard vs dnsmasq)', { skip }, () => {
  let lab: Lab;
  let paused = false;

  before(async () => {
    lab = await Lab.create({
      dnsmasqArgs: ['--dhcp-host=*:*:*:*:*:*,2m', '--dhcp-option=58,20', '--dhcp-option=59,30'],
    });
    await lab.startDaemon('switchyard');
  });

  after(async () => {
    if (paused) lab?.pauseDnsmasq(false);
    await lab?.teardown();
  });

  it('holds a 2-minute lease from dnsmasq', async () => {
    await lab.waitForWiredReady();
    assert.equal(await linkLocal(lab), undefined);
  });

  it('with the server silent, the lease expires and a 169.254/16 address takes its place', async () => {
    const leased = await lab.nearAddress();
    lab.pauseDnsmasq(true);
    paused = true;
    const t0 = Date.now();
    // T1 20 s (unicast), T2 30 s (broadcast), expiry at 120 s, then ACD probing (RFC 3927: <= ~9 s).
    const ll = await lab.waitUntil(() => linkLocal(lab), { timeoutMs: 150_000, intervalMs: 500, what: 'a 169.254/16 address' });
    const s = (Date.now() - t0) / 1000;
    assert.equal(await lab.nearAddress(), undefined, `leased ${leased} still on the link after expiry`);
    assert.ok(s > 60, `link-local after ${s} s: before the lease could have expired`);
    assert.doesNotMatch(await lab.ipRoute('near'), /^default/m, 'no default route over link-local');
    const svc = (await lab.services()).find((x) => x.id === lab.serviceId);
    assert.ok(svc && (svc.state === 'ready' || svc.state === 'online'), `service ${svc?.state} with ${ll}`);
  });

  it('when the server answers again, a lease replaces the link-local address', async () => {
    lab.pauseDnsmasq(false);
    paused = false;
    const addr = await lab.waitUntil(async () => {
      const a = await lab.nearAddress();
      return a && !(await linkLocal(lab)) ? a : undefined;
    }, { timeoutMs: 40_000, intervalMs: 500, what: 'a lease and no 169.254 address' });
    assert.ok(isLeaseAddress(addr));
    assert.match(await lab.ipRoute('near'), /^default via 10\.233\.83\.1 dev eth0/m);
  });
});
