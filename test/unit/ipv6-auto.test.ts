// Ipv6Auto without the kernel: RDNSS / DNSSL lifetimes (withdraw at 0, expiry on the clock), the RA
// M / O flags choosing DHCPv6 stateful or stateless, and use_tempaddr from Privacy; DUID and
// delegated prefixes handed out for persisting, prefix delegation on request, CONFIRM after a carrier loss.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Ipv6Auto, makeDuidLlt } from '../../ts/core/ipv6-auto';
import { silentLogger } from '../../ts/core/log';
import { FakeClock } from '../fakes/fake-clock';
import type { Dhcp6Event, Dhcp6Options, Platform, RaEvent } from '../../ts/platform/types';

function rig() {
  const clock = new FakeClock();
  let raListener: (ev: RaEvent) => void = () => {};
  const dhcp: { opts: Dhcp6Options; stopped?: boolean; released?: boolean; confirms: number; emit?: (ev: Dhcp6Event) => void }[] = [];
  const sysctl: string[] = [];
  const addrs: string[] = [];
  const platform = {
    createRaWatcher: () => ({ start() {}, stop() {}, requestFlags() {}, onEvent: (l: (ev: RaEvent) => void) => { raListener = l; } }),
    createDhcp6Client: (opts: Dhcp6Options) => {
      const rec: (typeof dhcp)[number] = { opts, confirms: 0 };
      dhcp.push(rec);
      return { start() {}, stop(release: boolean) { rec.stopped = true; rec.released = release; }, linkChanged() { rec.confirms++; },
        onEvent(l: (ev: Dhcp6Event) => void) { rec.emit = l; }, state: 'x', duid: opts.duid ?? '' };
    },
    setIPv6Privacy: (ifname: string, v: number) => { sysctl.push(`${ifname}=${v}`); },
    netlink: {
      addAddress: async (a: { address: string }) => { addrs.push(`+${a.address}`); },
      delAddress: async (a: { address: string }) => { addrs.push(`-${a.address}`); },
    },
  } as unknown as Platform;
  const changes: number[] = [];
  const persisted: { ifindex: number; duid?: string; prefixes?: string[] }[] = [];
  const m = new Ipv6Auto({ platform, clock, log: silentLogger, onChange: (i) => changes.push(i), persist: (ifindex, d) => persisted.push({ ifindex, ...d }) });
  m.start();
  return { m, clock, ra: (ev: RaEvent) => raListener(ev), dhcp, sysctl, addrs, changes, persisted };
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

  const LEASE = { serverId: 'aa', addresses: [{ address: 'fd00::100', prefixLength: 128, preferredLifetime: 1800, validLifetime: 3600 }],
    prefixes: [], dns: [], domains: [], ntp: [], sntp: [], t1: 1800, t2: 2880 };
  const tick = () => new Promise((res) => setImmediate(res));

  it('a stateful client gets the saved DUID, or a new DUID-LLT that is handed out to be saved', () => {
    assert.equal(makeDuidLlt('02:00:00:00:00:AB', Date.UTC(2000, 0, 1) + 0x1234 * 1000), '00010001000012340200000000ab');
    const r = rig();
    r.ra({ type: 'raflags', ifindex: 2, managed: true, other: false, flags: 0x40 });
    r.m.begin({ ifindex: 2, ifname: 'eth0', mac: '02:00:00:00:00:01', privacy: 'disabled', duid: '0003000102000000beef' });
    assert.equal(r.dhcp[0].opts.duid, '0003000102000000beef');
    assert.deepEqual(r.persisted, []);
    r.m.begin({ ifindex: 3, ifname: 'eth1', mac: '02:00:00:00:00:02', privacy: 'disabled' });
    r.ra({ type: 'raflags', ifindex: 3, managed: true, other: false, flags: 0x40 });
    assert.match(r.dhcp[1].opts.duid ?? '', /^00010001[0-9a-f]{8}020000000002$/);
    assert.deepEqual(r.persisted, [{ ifindex: 3, duid: r.dhcp[1].opts.duid }]);
    assert.equal(r.m.duid(3), r.dhcp[1].opts.duid);
  });

  it('prefix delegation on request, on that link only: IA_PD beside IA_NA with M, IA_PD alone without; prefixes persisted', async () => {
    const r = rig();
    r.m.begin({ ifindex: 2, ifname: 'eth0', mac: '02:00:00:00:00:01', privacy: 'disabled', duid: '00030001020000000001' });
    r.m.begin({ ifindex: 3, ifname: 'eth1', mac: '02:00:00:00:00:02', privacy: 'disabled', duid: '00030001020000000002' });
    assert.equal(r.dhcp.length, 0); // no RA flags, no tethering: no DHCPv6
    r.m.setPrefixDelegation(2);
    assert.equal(r.dhcp.length, 1);
    assert.equal(r.dhcp[0].opts.ifindex, 2);
    assert.deepEqual([r.dhcp[0].opts.mode, r.dhcp[0].opts.requestAddress, r.dhcp[0].opts.requestPrefix], ['stateful', false, true]);
    r.ra({ type: 'raflags', ifindex: 2, managed: true, other: false, flags: 0x40 });
    assert.equal(r.dhcp[0].stopped, true);
    assert.deepEqual([r.dhcp[1].opts.requestAddress, r.dhcp[1].opts.requestPrefix], [true, true]);
    const pd = [{ prefix: 'fd00:1::', prefixLength: 56, preferredLifetime: 1800, validLifetime: 3600 }];
    r.dhcp[1].emit!({ type: 'bound', lease: { ...LEASE, prefixes: pd } });
    await tick();
    r.dhcp[1].emit!({ type: 'renewed', lease: { ...LEASE, prefixes: pd } });
    await tick();
    assert.deepEqual(r.persisted, [{ ifindex: 2, prefixes: ['fd00:1::/56'] }]); // once: the renewal changed nothing
    r.m.setPrefixDelegation(undefined);
    assert.deepEqual([r.dhcp[2].opts.requestAddress, r.dhcp[2].opts.requestPrefix], [true, false]);
  });

  it('a lost carrier parks the lease; the returning link CONFIRMs it and gets its address back', async () => {
    const r = rig();
    r.ra({ type: 'raflags', ifindex: 2, managed: true, other: false, flags: 0x40 });
    const t = { ifindex: 2, ifname: 'eth0', mac: '02:00:00:00:00:01', privacy: 'disabled' as const, duid: '00030001020000000001' };
    r.m.begin(t);
    r.dhcp[0].emit!({ type: 'bound', lease: LEASE });
    await tick();
    r.m.park(2);
    await tick();
    assert.equal(r.dhcp[0].stopped, undefined, 'the client lives on while parked');
    assert.deepEqual(r.addrs, ['+fd00::100', '-fd00::100']);
    r.clock.advance(600_000);
    r.m.begin(t);
    await tick();
    assert.equal(r.dhcp.length, 1, 'no new client: the parked one CONFIRMs');
    assert.equal(r.dhcp[0].confirms, 1);
    assert.deepEqual(r.addrs, ['+fd00::100', '-fd00::100', '+fd00::100']);
    assert.deepEqual(r.m.dhcpAddresses(2), ['fd00::100']);
    // NotOnLink: the engine expires the lease (and solicits); the address goes
    r.dhcp[0].emit!({ type: 'expired' });
    await tick();
    assert.deepEqual(r.m.dhcpAddresses(2), []);
    assert.equal(r.addrs.at(-1), '-fd00::100');
  });

  it('a parked lease that ran out, or another MAC on the link, is not resumed', async () => {
    const r = rig();
    r.ra({ type: 'raflags', ifindex: 2, managed: true, other: false, flags: 0x40 });
    const t = { ifindex: 2, ifname: 'eth0', mac: '02:00:00:00:00:01', privacy: 'disabled' as const, duid: '00030001020000000001' };
    r.m.begin(t);
    r.dhcp[0].emit!({ type: 'bound', lease: LEASE });
    await tick();
    r.m.park(2);
    r.clock.advance(3_600_000);
    r.m.begin(t);
    assert.equal(r.dhcp[0].stopped, true);
    assert.equal(r.dhcp.length, 2);
    assert.equal(r.dhcp[1].confirms, 0);
    r.dhcp[1].emit!({ type: 'bound', lease: LEASE });
    await tick();
    r.m.park(2);
    r.m.begin({ ...t, mac: '02:00:00:00:00:09' });
    assert.equal(r.dhcp[1].stopped, true);
    assert.equal(r.dhcp[2].confirms, 0);
  });
});
