// Ipv4Dhcp on the fake platform: stored lease -> INIT-REBOOT, RELEASE forgets it, IPv4-LL while no
// server answers and dropped for a lease, ACD holding a lease back and declining it on conflict.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { RecordingApplier } from '../../ts/core/applier';
import { FileLeaseStore, Ipv4Dhcp, Ipv4DhcpOptions, MemoryLeaseStore } from '../../ts/core/ipv4-dhcp';
import { FakePlatform, lease } from '../fakes/fake-platform';

const LINK = { ifindex: 2, ifname: 'eth0', mac: '02:db:f5:c8:70:e2' };
const settle = async () => { for (let i = 0; i < 5; i++) await new Promise((r) => setImmediate(r)); };

function rig(opts: Ipv4DhcpOptions = {}) {
  const platform = new FakePlatform();
  const applier = new RecordingApplier();
  const log: string[] = [];
  const dhcp = new Ipv4Dhcp(platform, applier, LINK, {
    bound: (l) => log.push(`bound ${l.address}`),
    lost: () => log.push('lost'),
    linkLocal: (a) => log.push(`ll ${a}`),
    conflict: (a, o) => log.push(`conflict ${a} ${o}`),
  }, { wallClock: () => 1_000_000, ...opts });
  const addresses = () => applier.calls.at(-1)?.desired.addresses.map((a) => `${a.address}/${a.prefixLength}`) ?? [];
  return { platform, applier, dhcp, log, addresses };
}

test('a lease is applied, stored, and asked for again by INIT-REBOOT on the next start', async () => {
  const store = new MemoryLeaseStore();
  const r = rig({ leaseStore: store });
  r.dhcp.start();
  assert.equal(r.platform.dhcp.opts.requestedAddress, undefined);
  r.platform.dhcp.emit({ type: 'bound', lease: lease() });
  await settle();
  assert.deepEqual(r.log, ['bound 10.233.83.66']);
  assert.deepEqual(r.addresses(), ['10.233.83.66/24']);
  assert.deepEqual(store.lease, { address: '10.233.83.66', serverId: '10.233.83.1', expires: 1_000_000 + 3600_000 });
  await r.dhcp.stop(false); // daemon shutdown: no RELEASE, lease kept
  assert.deepEqual(r.platform.dhcp.stops, [false]);
  assert.ok(store.lease);
  const r2 = rig({ leaseStore: store });
  r2.dhcp.start();
  assert.equal(r2.platform.dhcp.opts.requestedAddress, '10.233.83.66');
});

test('RELEASE on disconnect forgets the stored lease; an expired stored lease is not asked for', async () => {
  const store = new MemoryLeaseStore();
  const r = rig({ leaseStore: store });
  r.dhcp.start();
  r.platform.dhcp.emit({ type: 'bound', lease: lease() });
  await settle();
  await r.dhcp.stop(true);
  assert.deepEqual(r.platform.dhcp.stops, [true]);
  assert.equal(store.lease, undefined);
  store.save({ address: '10.0.0.9', serverId: '10.0.0.1', expires: 999_999 });
  const r2 = rig({ leaseStore: store });
  r2.dhcp.start();
  assert.equal(r2.platform.dhcp.opts.requestedAddress, undefined);
});

test('FileLeaseStore writes <service dir>/dhcp4.lease atomically and reads it back', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sy-lease-'));
  try {
    const s = new FileLeaseStore(path.join(dir, 'ethernet_x_cable'));
    assert.equal(s.load(), undefined);
    s.save({ address: '192.168.7.100', serverId: '192.168.7.1', expires: Date.UTC(2030, 0, 1) });
    const text = fs.readFileSync(path.join(dir, 'ethernet_x_cable', 'dhcp4.lease'), 'utf8');
    assert.match(text, /^\[dhcp4\]\nAddress=192\.168\.7\.100\n/);
    assert.deepEqual(s.load(), { address: '192.168.7.100', serverId: '192.168.7.1', expires: Date.UTC(2030, 0, 1) });
    fs.writeFileSync(path.join(dir, 'ethernet_x_cable', 'dhcp4.lease'), '[dhcp4]\nAddress=1.2.3.4; reboot\n');
    assert.equal(s.load(), undefined, 'a garbled file means DISCOVER, not a bad REQUEST');
    s.clear();
    assert.equal(fs.existsSync(path.join(dir, 'ethernet_x_cable', 'dhcp4.lease')), false);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('no server: IPv4-LL after no-lease; a lease replaces the link-local address', async () => {
  const r = rig();
  r.dhcp.start();
  r.platform.dhcp.emit({ type: 'no-lease' });
  assert.equal(r.platform.ipv4llClients.length, 1);
  const ll = r.platform.ipv4llClients[0];
  ll.emit({ type: 'bound', address: '169.254.9.9' });
  await settle();
  assert.deepEqual(r.log, ['ll 169.254.9.9']);
  assert.deepEqual(r.addresses(), ['169.254.9.9/16']);
  assert.deepEqual(r.applier.calls.at(-1)?.desired.routes, [], 'no default route over link-local');
  r.platform.dhcp.emit({ type: 'bound', lease: lease() });
  await settle();
  assert.equal(ll.stops, 1, 'IPv4-LL stopped when the lease arrives');
  assert.deepEqual(r.addresses(), ['10.233.83.66/24']);
  assert.deepEqual(r.log, ['ll 169.254.9.9', 'bound 10.233.83.66']);
});

test('expiry removes the address and starts IPv4-LL at once; a later lease drops it again', async () => {
  const r = rig();
  r.dhcp.start();
  r.platform.dhcp.emit({ type: 'bound', lease: lease() });
  await settle();
  r.platform.dhcp.emit({ type: 'expired' });
  await settle();
  assert.deepEqual(r.addresses(), []);
  assert.equal(r.platform.ipv4llClients.length, 1);
  r.platform.ipv4llClients[0].emit({ type: 'bound', address: '169.254.1.2' });
  await settle();
  assert.deepEqual(r.log, ['bound 10.233.83.66', 'lost', 'll 169.254.1.2']);
  r.platform.ipv4llClients[0].emit({ type: 'lost', address: '169.254.1.2' });
  await settle();
  assert.equal(r.log.at(-1), 'lost');
});

test('ACD: the lease waits for "available"; a conflict declines it and reports', async () => {
  const r = rig({ acd: true });
  r.dhcp.start();
  r.platform.dhcp.emit({ type: 'bound', lease: lease() });
  await settle();
  assert.deepEqual(r.applier.calls, [], 'nothing applied while probing');
  const acd = r.platform.acdClients[0];
  assert.deepEqual(acd.starts, ['10.233.83.66']);
  acd.emit({ type: 'conflict', address: '10.233.83.66', other: '02:11:22:33:44:55' });
  await settle();
  assert.equal(r.platform.dhcp.declines, 1);
  assert.deepEqual(r.log, ['conflict 10.233.83.66 02:11:22:33:44:55']);
  r.platform.dhcp.emit({ type: 'bound', lease: lease({ address: '10.233.83.67' }) });
  r.platform.acdClients[1].emit({ type: 'available', address: '10.233.83.67' });
  await settle();
  assert.deepEqual(r.addresses(), ['10.233.83.67/24']);
  // Renewal of the same address does not probe again; a lost defence later declines and removes it.
  r.platform.dhcp.emit({ type: 'renewed', lease: lease({ address: '10.233.83.67' }) });
  assert.equal(r.platform.acdClients.length, 2);
  r.platform.acdClients[1].emit({ type: 'conflict', address: '10.233.83.67', other: '02:11:22:33:44:55' });
  await settle();
  assert.equal(r.platform.dhcp.declines, 2);
  assert.deepEqual(r.addresses(), []);
  assert.equal(r.log.at(-1), 'lost');
});
