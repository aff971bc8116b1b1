// Routing policy and IP configuration parsing, without a kernel.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { desiredLinks, isValidHostname, serviceLinkConfig } from '../../ts/core/routing';
import { ipv4ConfigFromDbus, ipv6ConfigFromDbus, netmaskToPrefix } from '../../ts/core/ipconfig';
import { ConnmanError } from '../../ts/core/errors';

const v = (value: unknown, signature = 's') => ({ signature, value });

test('only the first routable service gets the default route; every gateway gets a host route', () => {
  const a = { ifindex: 2, routable: true, v4: { address: '10.0.0.5', prefixLength: 24, gateway: '10.0.0.1' } };
  const b = { ifindex: 3, routable: true, v4: { address: '10.1.0.5', prefixLength: 24, gateway: '10.1.0.1' } };
  const m = desiredLinks([a, b]);
  assert.deepEqual([...m.keys()], [2, 3], 'default link first');
  assert.ok(m.get(2)!.routes.some((r) => r.prefixLength === 0 && r.gateway === '10.0.0.1'));
  assert.ok(!m.get(3)!.routes.some((r) => r.prefixLength === 0));
  assert.ok(m.get(3)!.routes.some((r) => r.dst === '10.1.0.1' && r.prefixLength === 32 && r.scope === 253));
  // A service on its way down (not routable) hands the default route on but keeps its address.
  const m2 = desiredLinks([{ ...a, routable: false }, b]);
  assert.ok(m2.get(3)!.routes.some((r) => r.prefixLength === 0));
  assert.equal(m2.get(2)!.addresses.length, 1);
});

test('option 121 replaces the router option; on-link classless routes get link scope', () => {
  const c = serviceLinkConfig({ ifindex: 2, v4: { address: '10.0.0.5', prefixLength: 24, gateway: '10.0.0.1', classless: true,
    routes: [{ dst: '0.0.0.0', prefixLength: 0, gateway: '10.0.0.254' }, { dst: '192.168.7.0', prefixLength: 24, gateway: '0.0.0.0' }] } }, true);
  assert.ok(c.routes.some((r) => r.prefixLength === 0 && r.gateway === '10.0.0.254'));
  assert.ok(!c.routes.some((r) => r.gateway === '10.0.0.1'));
  assert.ok(c.routes.some((r) => r.dst === '192.168.7.0' && r.scope === 253 && !r.gateway));
});

test('hostnames from the network: shell metacharacters and over-long labels refused (CVE-2012-2321)', () => {
  for (const ok of ['host', 'a-b.example.com', 'x1.lab.test.']) assert.ok(isValidHostname(ok), ok);
  for (const bad of ['', 'a;reboot', '$(id)', 'a b', 'x`y`', '-lead', 'trail-', 'a..b', 'a'.repeat(64), `${'a'.repeat(63)}.`.repeat(5)]) {
    assert.ok(!isValidHostname(bad), JSON.stringify(bad));
  }
});

test('IPv4.Configuration from D-Bus: ConnMan errors', () => {
  const err = (f: () => unknown, name: string) => assert.throws(f, (e) => e instanceof ConnmanError && e.errorName === name);
  assert.deepEqual(ipv4ConfigFromDbus({ Method: v('manual'), Address: v('10.0.0.2'), Netmask: v('255.255.0.0'), Gateway: v('10.0.0.1') }),
    { method: 'manual', address: '10.0.0.2', prefixLength: 16, gateway: '10.0.0.1' });
  assert.deepEqual(ipv4ConfigFromDbus({ Method: v('dhcp') }), { method: 'dhcp' });
  err(() => ipv4ConfigFromDbus({ Method: v('auto') }), 'NotSupported');
  err(() => ipv4ConfigFromDbus({ Method: v('fixed') }), 'InvalidArguments');
  err(() => ipv4ConfigFromDbus({}), 'InvalidArguments');
  err(() => ipv4ConfigFromDbus({ Method: v('manual'), Address: v('fe80::1') }), 'InvalidArguments');
  err(() => ipv4ConfigFromDbus({ Method: v(1, 'u') }), 'InvalidArguments');
  err(() => ipv6ConfigFromDbus({ Method: v('dhcp') }, { method: 'auto', privacy: 'disabled' }), 'NotSupported');
  err(() => ipv6ConfigFromDbus({ Method: v('manual'), PrefixLength: v(64, 'u') }, { method: 'auto', privacy: 'disabled' }), 'InvalidArguments');
  assert.deepEqual(ipv6ConfigFromDbus({ Method: v('auto'), Privacy: v('preferred') }, { method: 'off', privacy: 'disabled' }),
    { method: 'auto', privacy: 'prefered' });
  assert.equal(netmaskToPrefix('255.255.255.0'), 24);
  assert.equal(netmaskToPrefix('255.0.255.0'), undefined);
  assert.equal(netmaskToPrefix('0.0.0.0'), 0);
});

test('nameservers beyond the local subnet get a host route through the gateway, on every connected link', () => {
  const s = { ifindex: 2, v4: { address: '10.0.0.5', prefixLength: 24, gateway: '10.0.0.1' }, nameservers: ['10.0.0.1', '10.0.0.53', '192.0.2.53', '192.0.2.53', '2001:db8::53'] };
  for (const isDefault of [true, false]) {
    const ns = serviceLinkConfig(s, isDefault).routes.filter((r) => r.prefixLength === 32 && r.gateway);
    assert.deepEqual(ns, [{ family: 4, dst: '192.0.2.53', prefixLength: 32, gateway: '10.0.0.1', oif: 2 }], 'only the off-subnet one, once');
  }
  // No gateway, no nameserver routes (connmand adds them when it adds the gateway).
  assert.equal(serviceLinkConfig({ ...s, v4: { address: '10.0.0.5', prefixLength: 24 } }, true).routes.length, 0);
  // IPv6: every IPv6 nameserver goes through the IPv6 gateway (no subnet exception, as connmand).
  const v6 = serviceLinkConfig({ ifindex: 3, v6: { address: 'fd00::5', prefixLength: 64, gateway: 'fd00::1' }, nameservers: ['fd00::53', '10.0.0.53'] }, false);
  assert.deepEqual(v6.routes.filter((r) => r.dst === 'fd00::53'), [{ family: 6, dst: 'fd00::53', prefixLength: 128, gateway: 'fd00::1', oif: 3 }]);
});
