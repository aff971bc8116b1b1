// Fault drill: the DHCP server dies in the middle of a renewal and comes back later. The client must keep
// its address while the lease is valid (no flush, no drop to link-local), move on to rebinding, and
// renew with the restarted server, which still holds the lease in its lease file.
import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import { Lab, sleep } from '../harness';

const skip = process.getuid?.() !== 0 ? 'needs root for network namespaces' : false;

function count(lab: Lab, what: string, addr: string): number {
  return lab.dnsmasqLog().split('\n').filter((l) => l.includes(what) && l.includes(addr)).length;
}

describe('drill: dnsmasq killed during a renewal', { skip }, () => {
  let lab: Lab;
  after(async () => {
    await lab?.teardown();
  });

  it('keeps the address and the service, then renews with the restarted server', { timeout: 5 * 60_000 }, async () => {
    // A 2-minute lease for this client (dnsmasq's minimum) with T1 4 s and T2 7 s: a renewal at once,
    // rebinding soon after, and expiry far enough away for the server to come back first.
    lab = await Lab.create();
    await lab.killDnsmasq();
    const args = ['--no-ping', `--dhcp-host=${lab.mac},2m`, '--dhcp-option=58,4', '--dhcp-option=59,7'];
    await lab.restartDnsmasq(args);
    await lab.startDaemon('switchyard');
    await lab.waitForWiredReady();
    const addr = (await lab.nearAddress())!;
    assert.ok(addr, 'no lease');

    // Kill the server right after it answered a renewal: the client is bound again with T1 4 s ahead, so it
    // goes through RENEWING (unicast, refused by ICMP) and REBINDING (broadcast) with the server dead.
    const answered = count(lab, 'DHCPACK', addr);
    const expiry = () => lab.leases().find((l) => l.ip === addr)?.expiry ?? 0;
    const stored = expiry();
    await lab.waitUntil(() => count(lab, 'DHCPACK', addr) > answered, { timeoutMs: 20_000, intervalMs: 20,
      what: 'a renewal ACK' });
    // dnsmasq rewrites its lease file in place after logging the ACK: a kill in between leaves it empty
    // and the restarted server, not authoritative, would ignore the rebinding client for good.
    await lab.waitUntil(() => expiry() > stored, { timeoutMs: 5000, intervalMs: 10, what: 'the renewal in the lease file' });
    await lab.killDnsmasq();

    // Server gone for 12 s: past T2, so the client is rebinding by broadcast; the lease (2 min) holds.
    await sleep(12_000);
    assert.equal(await lab.nearAddress(), addr, 'the address was dropped while the lease was still valid');
    assert.match(await lab.ipRoute('near'), /^default via 10\.233\.83\.1 dev eth0/m);
    assert.match(await lab.ctl('services'), new RegExp(`^\\*AR Wired\\s+${lab.serviceId}$`, 'm'));

    const acks = count(lab, 'DHCPACK', addr);
    await lab.restartDnsmasq(args);
    // RFC 2131 4.4.5: retransmissions in REBINDING wait half the remaining lease, at least 60 s.
    await lab.waitUntil(() => count(lab, 'DHCPACK', addr) > acks, { timeoutMs: 100_000, intervalMs: 500,
      what: 'the restarted server to renew the same address' }).catch((err) => {
      throw new Error(`${err.message}\ndnsmasq log (tail):\n${lab.dnsmasqLog().slice(-3000)}`);
    });
    assert.equal(await lab.nearAddress(), addr);
    assert.match(await lab.ctl('services'), new RegExp(`^\\*AR Wired\\s+${lab.serviceId}$`, 'm'));
  });
});
