// DHCPv6 prefix delegation (IA_PD) against a real delegating server. dnsmasq cannot delegate
// prefixes (see dhcp6-modes.test.ts), so this runs ISC dhcpd -6 (Debian isc-dhcp-server) with a
// prefix6 pool: the client asks for an IA_PD only, as Switchyard does for tethering when the RA has
// no M flag, gets a /56 from the pool, RENEWs it at T1 and keeps it, and RELEASEs it at the end.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { DNS6, Ipv6Lab, PREFIX, skipReason } from './dhcp6-lab';
import type { Dhcp6Lease } from '../../ts/platform/types';

const skip = skipReason || (!existsSync('/usr/sbin/dhcpd') ? 'needs ISC dhcpd (Debian package isc-dhcp-server)' : false);

// Lifetimes as short as dhcpd allows meaningfully: the client renews at T1 = preferred / 2 = 45 s,
// raised to its 60 s floor (client.cc kMinT1), so one renewal fits in the test.
const CONF = `
default-lease-time 120;
max-lease-time 120;
preferred-lifetime 90;
option dhcp6.name-servers ${DNS6};
subnet6 ${PREFIX}/64 {
  range6 ${PREFIX}100 ${PREFIX}1ff;
  prefix6 2001:db8:8400:: 2001:db8:84ff:: /56;
}
`;

describe('DHCPv6 IA_PD against ISC dhcpd', { skip }, () => {
  let lab: Ipv6Lab;
  before(async () => {
    lab = Ipv6Lab.create();
    await lab.startDhcpd(CONF);
  });
  after(() => lab?.teardown());

  it('a /56 is delegated, renewed at T1 and released', { timeout: 150_000 }, async () => {
    const r = await lab.runChild({
      mode: 'stateful', requestAddress: false, requestPrefix: true, until: ['bound'], untilRenewed: true,
      release: true, timeoutMs: 110_000,
    });
    const log = lab.dhcpdLog;
    assert.ok(r.met, `no bound + renewed: ${JSON.stringify(r.dhcp6)}\n${log.split('\n').slice(-30).join('\n')}`);
    const bound = (r.dhcp6.find((e) => e.type === 'bound') as { lease: Dhcp6Lease; atMs: number });
    const renewed = (r.dhcp6.find((e) => e.type === 'renewed') as { lease: Dhcp6Lease; atMs: number });
    assert.equal(bound.lease.addresses.length, 0);
    assert.equal(bound.lease.prefixes.length, 1);
    const p = bound.lease.prefixes[0];
    assert.match(p.prefix, /^2001:db8:84[0-9a-f]{2}::$/);
    assert.equal(p.prefixLength, 56);
    assert.equal(p.validLifetime, 120);
    assert.equal(p.preferredLifetime, 90);
    assert.deepEqual(bound.lease.dns, [DNS6]);
    process.stdout.write(`# delegated ${p.prefix}/${p.prefixLength} t1 ${bound.lease.t1}s, renewed after ${((renewed.atMs - bound.atMs) / 1000).toFixed(1)} s\n`);
    // the renewal keeps the same prefix, with fresh lifetimes
    assert.deepEqual(renewed.lease.prefixes.map((x) => `${x.prefix}/${x.prefixLength}`), [`${p.prefix}/56`]);
    assert.ok(renewed.atMs - bound.atMs >= 55_000, 'RENEW waited for T1');
    assert.match(log, /Solicit message from fe80::/);
    assert.match(log, /Renew message from fe80::/);
    await new Promise((res) => setTimeout(res, 500));
    assert.match(lab.dhcpdLog, /Release message from fe80::/);
  });
});
