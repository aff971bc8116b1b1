import { test } from 'node:test';
import assert from 'node:assert/strict';
import { hostname } from 'node:os';
import { ConnmanError } from '../../ts/core/errors';
import { MemoryStore } from '../../ts/config/storage';
import { lease } from '../fakes/fake-platform';
import { MAC, SERVICE_ID, SERVICE_PATH, settle, startRig, tick } from './daemon-rig';

test('a plugged cable becomes a favourite Wired service that autoconnects through DHCP to ready', async () => {
  const rig = await startRig();
  const m = rig.daemon.manager;
  assert.deepEqual(m.technologies.map((t) => [t.type, t.powered]), [['ethernet', true]]);
  assert.deepEqual(rig.platform.netlink.requests.filter((r) => r.op === 'setLinkUp' && r.index === 2), [{ op: 'setLinkUp', index: 2, up: true }]);
  const svc = m.service(SERVICE_ID)!;
  assert.ok(svc, 'service created on carrier');
  assert.equal(svc.name, 'Wired');
  assert.ok(svc.favorite && svc.autoconnect);
  await tick(rig);
  assert.equal(svc.state, 'configuration');
  const dhcp = rig.platform.dhcp;
  // Option 12 carries the system's hostname unless it is unset or a placeholder, as in ConnMan.
  const name = hostname();
  const sent = name === '' || name === '(none)' || name === 'localhost' ? {} : { hostname: name };
  assert.deepEqual(dhcp.opts, { ifindex: 2, ifname: 'eth0', mac: MAC, vendorClass: undefined, requestedAddress: undefined, ...sent });
  rig.platform.netlink.requests.length = 0;
  dhcp.emit({ type: 'bound', lease: lease() });
  await settle();
  assert.equal(svc.state, 'ready');
  assert.equal(m.state, 'ready');
  assert.equal(m.technology('ethernet')!.connected, true);
  assert.deepEqual(rig.platform.netlink.requests, [
    { op: 'addAddress', spec: { index: 2, family: 4, address: '10.233.83.66', prefixLength: 24, broadcast: '10.233.83.255' } },
    { op: 'addRoute', route: { family: 4, dst: '10.233.83.1', prefixLength: 32, oif: 2, scope: 253 } },
    { op: 'addRoute', route: { family: 4, dst: '0.0.0.0', prefixLength: 0, gateway: '10.233.83.1', oif: 2 } },
  ]);
  assert.deepEqual(rig.resolv.writes.at(-1), { ns: ['10.233.83.1'], domains: ['lab.test'] });
  // saved like connmand: no Favorite for ethernet, LastAddress for dhcp
  const saved = rig.store.services.get(SERVICE_ID)!;
  assert.match(saved, /^\[ethernet_02dbf5c870e2_cable\]\nName=Wired\nAutoConnect=true\nModified=\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ\nIPv4\.method=dhcp\nIPv4\.DHCP\.LastAddress=10\.233\.83\.66\nIPv6\.method=auto\nIPv6\.privacy=disabled\n$/);
  assert.equal(rig.store.global, '[global]\nOfflineMode=false\n\n[Wired]\nEnable=true\nTethering=false\nTethering.Freq=2412\n');
});

test('signal order from start to ready follows connmand 1.41', async () => {
  const rig = await startRig();
  await tick(rig, 100);
  rig.platform.dhcp.emit({ type: 'bound', lease: lease() });
  await settle();
  const names = rig.bus.signals.filter((s) => s.path !== '/' || s.name !== 'InterfacesAdded').map((s) =>
    s.name === 'PropertyChanged' ? `${s.iface.split('.').pop()}.${s.body[0]}` : s.name);
  assert.deepEqual(names, [
    'TechnologyAdded', 'Technology.Powered', 'ServicesChanged',
    'Service.Domains', 'Service.State', 'Service.Timeservers', 'Service.Domains', 'Service.Proxy',
    'Technology.Connected', 'Manager.State', 'Service.IPv4', 'Service.Timeservers', 'Service.IPv4', 'Service.Nameservers',
  ]);
});

test('Powered false disconnects, removes address and routes, takes the link down and drops the service', async () => {
  const rig = await startRig();
  await tick(rig, 100);
  rig.platform.dhcp.emit({ type: 'bound', lease: lease() });
  await settle();
  rig.platform.netlink.requests.length = 0;
  const m = rig.daemon.manager;
  await m.setTechnologyPowered('ethernet', false);
  await settle();
  assert.deepEqual(rig.platform.dhcp.stops, [true], 'DHCP stopped with RELEASE, as gdhcp does');
  assert.deepEqual(rig.platform.netlink.requests.map((r) => r.op), ['delRoute', 'delRoute', 'delAddress', 'setLinkUp']);
  assert.equal(m.service(SERVICE_ID), undefined, 'no carrier once the link is down');
  assert.equal(m.state, 'idle');
  assert.equal(m.technology('ethernet')!.powered, false);
  assert.match(rig.store.global, /\[Wired\]\nEnable=false\n/);
  await assert.rejects(m.setTechnologyPowered('ethernet', false), (e: unknown) => e instanceof ConnmanError && e.errorName === 'AlreadyDisabled');
  // and back on: link up, service again, autoconnect
  await m.setTechnologyPowered('ethernet', true);
  await tick(rig);
  assert.equal(m.service(SERVICE_ID)?.state, 'configuration');
  rig.platform.dhcp.emit({ type: 'bound', lease: lease() });
  await settle();
  assert.equal(m.service(SERVICE_ID)?.state, 'ready');
  await assert.rejects(m.setTechnologyPowered('ethernet', true), (e: unknown) => e instanceof ConnmanError && e.errorName === 'AlreadyEnabled');
});

test('carrier loss stops DHCP, removes the address and the service', async () => {
  const rig = await startRig();
  await tick(rig);
  rig.platform.dhcp.emit({ type: 'bound', lease: lease() });
  await settle();
  rig.platform.netlink.setCarrier(2, false);
  await settle();
  assert.equal(rig.daemon.manager.services.length, 0);
  assert.deepEqual(rig.platform.netlink.addresses.filter((a) => a.index === 2), []);
  await tick(rig, 100);
  const sc = rig.bus.signals.filter((s) => s.name === 'ServicesChanged').at(-1)!;
  assert.deepEqual(sc.body, [[], [SERVICE_PATH]]);
});

test('user Disconnect leaves the service idle and blocks autoconnect until Connect, which replies at ready', async () => {
  const rig = await startRig();
  await tick(rig);
  const m = rig.daemon.manager;
  const svc = m.service(SERVICE_ID)!;
  rig.platform.dhcp.emit({ type: 'bound', lease: lease() });
  await settle();
  await m.disconnectService(svc, true);
  await tick(rig, 1000);
  assert.equal(svc.state, 'idle');
  assert.equal(rig.platform.dhcpClients.length, 1, 'no autoconnect after a user disconnect');
  await assert.rejects(m.disconnectService(svc, true), (e: unknown) => e instanceof ConnmanError && e.errorName === 'NotConnected');
  let done = false;
  const p = m.connectService(svc, 'user').then(() => { done = true; });
  await settle();
  assert.equal(done, false);
  await assert.rejects(m.connectService(svc, 'user'), (e: unknown) => e instanceof ConnmanError && e.errorName === 'InProgress');
  assert.equal(rig.platform.dhcp.opts.requestedAddress, undefined, 'the released lease is not asked back with INIT-REBOOT');
  rig.platform.dhcp.emit({ type: 'bound', lease: lease() });
  await p;
  assert.equal(done, true);
  await assert.rejects(m.connectService(svc, 'user'), (e: unknown) => e instanceof ConnmanError && e.errorName === 'AlreadyConnected');
});

test('Connect times out after 120 s with OperationTimeout and the service in failure', async () => {
  const rig = await startRig({ conf: '[General]\nDefaultAutoConnectTechnologies=wifi\n' });
  const m = rig.daemon.manager;
  const svc = m.service(SERVICE_ID)!;
  await tick(rig);
  assert.equal(svc.state, 'idle', 'ethernet not in DefaultAutoConnectTechnologies');
  const p = m.connectService(svc, 'user');
  rig.clock.advance(120_000);
  await assert.rejects(p, (e: unknown) => e instanceof ConnmanError && e.errorName === 'OperationTimeout');
  await settle();
  assert.equal(svc.state, 'failure');
  assert.equal(svc.error, 'connect-failed');
  m.clearError(svc);
  assert.equal(svc.state, 'idle');
});

test('stored settings are honoured: AutoConnect=false stops autoconnect, Enable=false keeps the link down', async () => {
  const store = new MemoryStore();
  store.services.set(SERVICE_ID, `[${SERVICE_ID}]\nName=Wired\nAutoConnect=false\n`);
  const rig = await startRig({ store });
  await tick(rig, 1000);
  assert.equal(rig.daemon.manager.service(SERVICE_ID)!.state, 'idle');
  const store2 = new MemoryStore();
  store2.global = '[global]\nOfflineMode=false\n[Wired]\nEnable=false\n';
  const rig2 = await startRig({ store: store2 });
  assert.equal(rig2.daemon.manager.technology('ethernet')!.powered, false);
  assert.deepEqual(rig2.platform.netlink.requests.filter((r) => r.op === 'setLinkUp' && r.index === 2), []);
  assert.equal(rig2.daemon.manager.services.length, 0);
});

test('-i/-I and the interface blacklist decide which links become devices', async () => {
  const a = await startRig({ nodevice: ['eth*'] });
  assert.equal(a.daemon.manager.devices.size, 0);
  const b = await startRig({ device: ['usb0'] });
  assert.equal(b.daemon.manager.devices.size, 0);
  const c = await startRig({ conf: '[General]\nNetworkInterfaceBlacklist=et\n' });
  assert.equal(c.daemon.manager.devices.size, 0);
  const d = await startRig({ device: ['eth0'] });
  assert.equal(d.daemon.manager.devices.size, 1);
});

test('loopback is brought up with 127.0.0.1/8', async () => {
  const rig = await startRig({ withEth: false });
  assert.deepEqual(rig.platform.netlink.requests.slice(0, 2), [
    { op: 'addAddress', spec: { index: 1, family: 4, address: '127.0.0.1', prefixLength: 8 } },
    { op: 'setLinkUp', index: 1, up: true },
  ]);
  assert.equal(rig.daemon.manager.technologies.length, 0, 'no technology without a device');
});

test('stopping the daemon keeps the lease for INIT-REBOOT (no RELEASE) and removes what it installed', async () => {
  const rig = await startRig();
  await tick(rig);
  rig.platform.dhcp.emit({ type: 'bound', lease: lease() });
  await settle();
  await rig.daemon.stop();
  assert.deepEqual(rig.platform.dhcp.stops, [false]);
  assert.deepEqual(rig.platform.netlink.addresses.filter((a) => a.index === 2), []);
  assert.equal(rig.platform.netlink.started, false);
});

test('a Powered change that does not complete in 10 s answers OperationTimeout; a second one meanwhile is busy', async () => {
  const rig = await startRig();
  const nl = rig.platform.netlink;
  const orig = nl.setLinkUp.bind(nl);
  let release!: () => void;
  nl.setLinkUp = (i, up) => new Promise<void>((r) => { release = () => { void orig(i, up).then(r); }; });
  const m = rig.daemon.manager;
  const p = m.setTechnologyPowered('ethernet', false);
  await settle();
  await assert.rejects(m.setTechnologyPowered('ethernet', true), (e: unknown) => e instanceof ConnmanError && e.message === 'Device or resource busy');
  rig.clock.advance(10_000);
  await assert.rejects(p, (e: unknown) => e instanceof ConnmanError && e.errorName === 'OperationTimeout');
  release();
  await settle();
  assert.equal(m.technology('ethernet')!.powered, false, 'the change still lands when the device finally answers');
});
