// The manager's IPv6 extras on the fake platform: Enable6to4 follows the DHCP lease and the service's
// state (sixtofour.ts has the tunnel details), and prefix delegation asked for by tethering lands on
// the default service's link, with the DUID and the prefix in its settings file as ConnMan keeps them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { lease } from '../fakes/fake-platform';
import { RA_WAIT_MS } from '../../ts/core/sixtofour';
import type { Dhcp6Event, Dhcp6Options } from '../../ts/platform/types';
import { SERVICE_ID, settle, startRig, tick } from './daemon-rig';

const PUBLIC = { address: '203.0.113.66', serverId: '203.0.113.1', routers: ['203.0.113.1'], dns: ['203.0.113.1'], broadcast: '203.0.113.255' };

test('Enable6to4: a public lease makes the tunnel after the RA wait; disconnect removes it', async () => {
  const rig = await startRig({ conf: '[General]\nEnableOnlineCheck=false\nEnable6to4=true\n' });
  const m = rig.daemon.manager;
  const svc = m.service(SERVICE_ID)!;
  await tick(rig);
  rig.platform.dhcp.emit({ type: 'bound', lease: lease(PUBLIC) });
  await tick(rig, RA_WAIT_MS);
  const ops = () => rig.platform.netlink.requests.filter((r) => r.op === 'addSitTunnel' || r.op === 'delLink');
  assert.deepEqual(ops(), [{ op: 'addSitTunnel', spec: { name: 'tun6to4', local: '203.0.113.66', ttl: 64, mtu: 1472 }, index: 100 }]);
  assert.deepEqual(m.sixToFour.active(), { owner: SERVICE_ID, local: '203.0.113.66', index: 100 });
  await m.disconnectService(svc, true);
  await settle();
  assert.deepEqual(ops().at(-1), { op: 'delLink', index: 100 });
  assert.equal(m.sixToFour.active(), undefined);
});

test('Enable6to4 off, or a private lease: no tunnel', async () => {
  for (const [conf, l] of [['', PUBLIC], ['Enable6to4=true\n', {}]] as const) {
    const rig = await startRig({ conf: `[General]\nEnableOnlineCheck=false\n${conf}` });
    await tick(rig);
    rig.platform.dhcp.emit({ type: 'bound', lease: lease(l) });
    await tick(rig, RA_WAIT_MS);
    assert.ok(!rig.platform.netlink.requests.some((r) => r.op === 'addSitTunnel'), conf || 'off');
  }
});

test('prefix delegation on request: IA_PD on the default service link, DUID and LastPrefixes saved', async () => {
  const rig = await startRig();
  const clients: { opts: Dhcp6Options; emit?: (ev: Dhcp6Event) => void }[] = [];
  Object.assign(rig.platform, {
    createDhcp6Client: (opts: Dhcp6Options) => {
      const c: (typeof clients)[number] = { opts };
      clients.push(c);
      return { start() {}, stop() {}, linkChanged() {}, onEvent(l: (ev: Dhcp6Event) => void) { c.emit = l; }, state: 'x', duid: opts.duid ?? '' };
    },
  });
  const m = rig.daemon.manager;
  await tick(rig);
  rig.platform.dhcp.emit({ type: 'bound', lease: lease() });
  await settle();
  assert.equal(clients.length, 0);
  m.setPrefixDelegation(true);
  assert.equal(clients.length, 1);
  assert.deepEqual([clients[0].opts.ifindex, clients[0].opts.requestAddress, clients[0].opts.requestPrefix], [2, false, true]);
  clients[0].emit!({ type: 'bound', lease: { serverId: 'aa', addresses: [], dns: [], domains: [], ntp: [], sntp: [], t1: 1800, t2: 2880,
    prefixes: [{ prefix: '2001:db8:8400::', prefixLength: 56, preferredLifetime: 1800, validLifetime: 3600 }] } });
  await settle();
  assert.deepEqual(m.ipv6Auto.delegatedPrefixes(2).map((p) => `${p.prefix}/${p.prefixLength}`), ['2001:db8:8400::/56']);
  const saved = rig.store.services.get(SERVICE_ID)!;
  assert.match(saved, /^IPv6\.DHCP\.LastPrefixes=2001:db8:8400::\/56;$/m);
  assert.match(saved, new RegExp(`^IPv6\\.DHCP\\.DUID=${clients[0].opts.duid}$`, 'm'));
  assert.match(clients[0].opts.duid ?? '', /^00010001[0-9a-f]{8}02dbf5c870e2$/);
});
