// Ipv6Auto without the kernel: RDNSS / DNSSL lifetimes (withdraw at 0, expiry on the clock), the RA
// M / O flags choosing DHCPv6 stateful or stateless, and use_tempaddr from Privacy.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Ipv6Auto } from '../../ts/core/ipv6-auto';
import { silentLogger } from '../../ts/core/log';
import { FakeClock } from '../fakes/fake-clock';
import type { Dhcp6Event, Dhcp6Options, Platform, RaEvent } from '../../ts/platform/types';

function rig() {
  const clock = new FakeClock();
  let raListener: (ev: RaEvent) => void = () => {};
  const dhcp: { opts: Dhcp6Options; stopped?: boolean; released?: boolean; emit?: (ev: Dhcp6Event) => void }[] = [];
  const sysctl: string[] = [];
  const addrs: string[] = [];
  const platform = {
    createRaWatcher: () => ({ start() {}, stop() {}, requestFlags() {}, onEvent: (l: (ev: RaEvent) => void) => { raListener = l; } }),
    createDhcp6Client: (opts: Dhcp6Options) => {
      const rec: (typeof dhcp)[number] = { opts };
      dhcp.push(rec);
      return { start() {}, stop(release: boolean) { rec.stopped = true; rec.released = release; }, linkChanged() {},
        onEvent(l: (ev: Dhcp6Event) => void) { rec.emit = l; }, state: 'x', duid: '' };
    },
    setIPv6Privacy: (ifname: string, v: number) => { sysctl.push(`${ifname}=${v}`); },
    netlink: {
      addAddress: async (a: { address: string }) => { addrs.push(`+${a.address}`); },
      delAddress: async (a: { address: string }) => { addrs.push(`-${a.address}`); },
    },
  } as unknown as Platform;
  const changes: number[] = [];
  const m = new Ipv6Auto({ platform, clock, log: silentLogger, onChange: (i) => changes.push(i) });
  m.start();
  return { m, clock, ra: (ev: RaEvent) => raListener(ev), dhcp, sysctl, addrs, changes };
}

describe('Ipv6Auto', () => {
  it('RDNSS / DNSSL: lifetimes expire, 0 withdraws, forever stays', () => {
    const r = rig();
    r.m.begin({ ifindex: 2, ifname: 'eth0', mac: '02:00:00:00:00:01', privacy: 'disabled' });
    r.ra({ type: 'rdnss', ifindex: 2, router: 'fe80::1', lifetime: 30, servers: ['fd00::53', 'fd00::54'] });
    r.ra({ type: 'rdnss', ifindex: 2, router: 'fe80::1', lifetime: 0xffffffff, servers: ['fd00::55'] });
    r.ra({ type: 'dnssl', ifindex: 2, router: 'fe80::1', lifetime: 60, domains: ['a.test'] });
    r.ra({ type: 'rdnss', ifindex: 3, router: 'fe80::1', lifetime: 60, servers: ['fd00::99'] }); // no session
    assert.deepEqual(r.m.extras(2), { nameservers: ['fd00::53', 'fd00::54', 'fd00::55'], domains: ['a.test'], timeservers: [] });
    r.ra({ type: 'rdnss', ifindex: 2, router: 'fe80::1', lifetime: 0, servers: ['fd00::54'] });
    assert.deepEqual(r.m.extras(2).nameservers, ['fd00::53', 'fd00::55']);
    r.clock.advance(30_001);
    assert.deepEqual(r.m.extras(2).nameservers, ['fd00::55']);
    assert.deepEqual(r.m.extras(2).domains, ['a.test']);
    r.clock.advance(30_000);
    assert.deepEqual(r.m.extras(2).domains, []);
    assert.ok(r.changes.length >= 4);
    assert.deepEqual(r.m.extras(3).nameservers, []);
  });

  it('M starts stateful, O only stateless; lease lists and addresses; end releases', async () => {
    const r = rig();
    r.ra({ type: 'raflags', ifindex: 2, managed: false, other: true, flags: 0x40 });
    r.m.begin({ ifindex: 2, ifname: 'eth0', mac: '02:00:00:00:00:01', privacy: 'prefered' });
    assert.deepEqual(r.sysctl, ['eth0=2']);
    assert.equal(r.dhcp[0].opts.mode, 'stateless');
    r.ra({ type: 'raflags', ifindex: 2, managed: true, other: true, flags: 0xc0 });
    assert.equal(r.dhcp[0].stopped, true);
    assert.equal(r.dhcp[1].opts.mode, 'stateful');
    const lease = { serverId: 'aa', addresses: [{ address: 'fd00::100', prefixLength: 128, preferredLifetime: 1800, validLifetime: 3600 }],
      prefixes: [{ prefix: 'fd00:1::', prefixLength: 56, preferredLifetime: 1800, validLifetime: 3600 }],
      dns: ['fd00::53'], domains: ['b.test'], ntp: ['fd00::123'], sntp: [], t1: 1800, t2: 2880 };
    r.dhcp[1].emit!({ type: 'bound', lease });
    await new Promise((res) => setImmediate(res));
    assert.deepEqual(r.m.extras(2), { nameservers: ['fd00::53'], domains: ['b.test'], timeservers: ['fd00::123'] });
    assert.deepEqual(r.m.delegatedPrefixes(2).map((p) => `${p.prefix}/${p.prefixLength}`), ['fd00:1::/56']);
    assert.deepEqual(r.addrs, ['+fd00::100']);
    r.dhcp[1].emit!({ type: 'renewed', lease: { ...lease, addresses: [{ ...lease.addresses[0], address: 'fd00::101' }] } });
    await new Promise((res) => setImmediate(res));
    assert.deepEqual(r.addrs, ['+fd00::100', '-fd00::100', '+fd00::101']);
    r.m.end(2, true);
    await new Promise((res) => setImmediate(res));
    assert.equal(r.dhcp[1].released, true);
    assert.deepEqual(r.addrs.at(-1), '-fd00::101');
    assert.deepEqual(r.m.delegatedPrefixes(2), []);
  });
});
