// DHCPv4 through the real daemon against real dnsmasq: the lease a user sees, a renewal that dnsmasq
// logs, and a restart that asks for the stored lease by INIT-REBOOT (one REQUEST, no DISCOVER).
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { hostname } from 'node:os';
import { Lab, MAIN_CONF, isLeaseAddress } from '../harness';

const skip = process.getuid?.() !== 0 ? 'needs root for network namespaces' : false;

/** dnsmasq --log-dhcp lines of one message type for our MAC, e.g. "DHCPREQUEST(far0) 10.233.83.66 aa:..." */
function logged(lab: Lab, type: string, from = 0): string[] {
  return lab.dnsmasqLog().slice(from).split('\n').filter((l) => l.includes(`${type}(far0)`) && l.includes(lab.mac));
}

describe('DHCPv4 lease, renewal and INIT-REBOOT (Switchyard vs dnsmasq)', { skip }, () => {
  let lab: Lab;

  before(async () => {
    // T1 5 s and T2 8 s on a 1 h lease: a renewal within seconds, no expiry in sight.
    lab = await Lab.create({ dnsmasqArgs: ['--dhcp-option=58,5', '--dhcp-option=59,8'] });
    writeFileSync(lab.paths.mainConf, `${MAIN_CONF}VendorClassID=sy-lab-vendor\n`);
    await lab.startDaemon('switchyard');
  });

  after(async () => {
    await lab?.teardown();
  });

  it('leases an address from dnsmasq, with gateway, and stores the lease in the service dir', async () => {
    await lab.waitForWiredReady();
    const addr = await lab.nearAddress();
    assert.ok(addr && isLeaseAddress(addr), `eth0 address ${addr} is not from the DHCP range`);
    assert.match(await lab.ipRoute('near'), /^default via 10\.233\.83\.1 dev eth0/m);
    const file = join(lab.paths.stateDir, lab.serviceId, 'dhcp4.lease');
    await lab.waitUntil(() => existsSync(file), { timeoutMs: 5000, what: 'dhcp4.lease' });
    assert.match(readFileSync(file, 'utf8'), new RegExp(`^Address=${addr.replace(/\./g, '\\.')}$`, 'm'));
    assert.equal(logged(lab, 'DHCPDISCOVER').length >= 1, true);
    assert.match(lab.dnsmasqLog(), /vendor class: sy-lab-vendor/, 'main.conf VendorClassID as option 60');
    assert.match(lab.dnsmasqLog(), new RegExp(`client provides name: ${hostname()}`), 'the system hostname as option 12');
  });

  it('renews at T1: dnsmasq logs another REQUEST/ACK for the same address, which stays', async () => {
    const addr = await lab.nearAddress();
    const acks = logged(lab, 'DHCPACK').length;
    await lab.waitUntil(() => logged(lab, 'DHCPACK').length > acks,
      { timeoutMs: 15_000, what: 'a renewal ACK in dnsmasq.log' });
    const renewal = logged(lab, 'DHCPREQUEST').at(-1) ?? '';
    assert.ok(renewal.includes(addr ?? '?'), `renewal for another address: ${renewal}`);
    assert.equal(await lab.nearAddress(), addr);
    assert.equal(logged(lab, 'DHCPDISCOVER').length, 1, 'a renewal must not restart discovery');
  });

  it('after a daemon restart asks for the stored lease by INIT-REBOOT: one REQUEST, no DISCOVER', async () => {
    const addr = await lab.nearAddress();
    await lab.stopDaemon();
    assert.equal(logged(lab, 'DHCPRELEASE').length, 0, 'shutdown keeps the lease (no RELEASE)');
    const from = lab.dnsmasqLog().length;
    const t0 = Date.now();
    await lab.startDaemon('switchyard');
    await lab.waitUntil(async () => (await lab.nearAddress()) === addr && logged(lab, 'DHCPACK', from).length > 0,
      { timeoutMs: 15_000, what: 'the stored address again' });
    const ms = Date.now() - t0;
    assert.equal(logged(lab, 'DHCPDISCOVER', from).length, 0, 'INIT-REBOOT sends no DISCOVER');
    const requests = logged(lab, 'DHCPREQUEST', from);
    assert.ok(requests.length >= 1 && requests[0].includes(addr ?? '?'), requests.join('\n'));
    await lab.waitForWiredReady();
    assert.ok(ms < 10_000, `INIT-REBOOT took ${ms} ms`);
  });

  it('a disconnect sends DHCPRELEASE and forgets the stored lease', async () => {
    await lab.ctl('disconnect', lab.serviceId);
    await lab.waitUntil(() => logged(lab, 'DHCPRELEASE').length > 0, { timeoutMs: 10_000, what: 'DHCPRELEASE' });
    assert.equal(existsSync(join(lab.paths.stateDir, lab.serviceId, 'dhcp4.lease')), false);
    assert.equal(await lab.nearAddress(), undefined);
  });
});
