import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Variant } from '../../ts/dbus/bus';
import { propertyDict, setProperty } from '../../ts/dbus/table';
import { ConnmanError } from '../../ts/core/errors';
import { Service } from '../../ts/core/service';
import { compareServices, sortServices } from '../../ts/core/service-order';
import { ethernetServiceId } from '../../ts/core/service';
import { ServicesChangedScheduler } from '../../ts/dbus/services-changed';
import { FakeClock } from '../fakes/fake-clock';
import { lease } from '../fakes/fake-platform';
import { SERVICE_ID, SERVICE_PATH, settle, startRig, tick } from './daemon-rig';

/** {name: "sig value"} flattening of a dict, for compact assertions */
function shape(d: Record<string, Variant>): [string, string, unknown][] {
  return Object.entries(d).map(([k, v]) => [k, v.signature, v.value instanceof Object && !Array.isArray(v.value) ? shape(v.value as Record<string, Variant>) : v.value]);
}

test('service ids and ordering', () => {
  assert.equal(ethernetServiceId('02:DB:F5:C8:70:E2'), 'ethernet_02dbf5c870e2_cable');
  const mk = (id: string, type: Service['type'], state: Service['state'], fav: boolean, name?: string) => {
    const s = new Service(id, type); s.state = state; s.favorite = fav; s.name = name; return s;
  };
  const wifiReady = mk('w1', 'wifi', 'ready', true, 'b');
  const ethIdle = mk('e1', 'ethernet', 'idle', true, 'Wired');
  const wifiIdleFav = mk('w2', 'wifi', 'idle', true, 'a');
  const wifiIdle = mk('w3', 'wifi', 'idle', false, 'z');
  const wifiConf = mk('w4', 'wifi', 'configuration', false, 'c');
  const hidden = mk('w5', 'wifi', 'idle', false, undefined);
  const list = sortServices([wifiIdle, hidden, ethIdle, wifiIdleFav, wifiConf, wifiReady]);
  assert.deepEqual(list.map((s) => s.id), ['w1', 'w4', 'e1', 'w2', 'w5', 'w3']);
  const ethReady = mk('e2', 'ethernet', 'ready', true, 'Wired');
  assert.ok(compareServices(ethReady, wifiReady) < 0, 'ethernet before wifi when both ready');
  assert.ok(compareServices(ethReady, wifiReady, ['wifi']) > 0, 'PreferredTechnologies wins when both connected');
});

test('service dict: keys, order, presence and wire types as connmand 1.41 (fixtures/dbus-service-GetProperties)', async () => {
  const rig = await startRig();
  await tick(rig, 100);
  rig.platform.dhcp.emit({ type: 'bound', lease: lease() });
  await settle();
  const svc = rig.daemon.manager.service(SERVICE_ID)!;
  const d = propertyDict(rig.daemon.api.serviceTable, svc);
  assert.deepEqual(shape(d), [
    ['Type', 's', 'ethernet'], ['Security', 'as', []], ['State', 's', 'ready'], ['Favorite', 'b', true],
    ['Immutable', 'b', false], ['AutoConnect', 'b', true], ['Name', 's', 'Wired'],
    ['Ethernet', 'a{sv}', [['Method', 's', 'auto'], ['Interface', 's', 'eth0'], ['Address', 's', '02:DB:F5:C8:70:E2'], ['MTU', 'q', 1500]]],
    ['IPv4', 'a{sv}', [['Method', 's', 'dhcp'], ['Address', 's', '10.233.83.66'], ['Netmask', 's', '255.255.255.0'], ['Gateway', 's', '10.233.83.1']]],
    ['IPv4.Configuration', 'a{sv}', [['Method', 's', 'dhcp']]],
    ['IPv6', 'a{sv}', []],
    ['IPv6.Configuration', 'a{sv}', [['Method', 's', 'auto'], ['Privacy', 's', 'disabled']]],
    ['Nameservers', 'as', ['10.233.83.1']], ['Nameservers.Configuration', 'as', []],
    ['Timeservers', 'as', []], ['Timeservers.Configuration', 'as', []],
    ['Domains', 'as', ['lab.test']], ['Domains.Configuration', 'as', []],
    ['Proxy', 'a{sv}', []], ['Proxy.Configuration', 'a{sv}', []],
    ['mDNS', 'b', false], ['mDNS.Configuration', 'b', false], ['Provider', 'a{sv}', []],
  ]);
  const tech = propertyDict(rig.daemon.api.technologyTable, rig.daemon.manager.technology('ethernet')!);
  assert.deepEqual(shape(tech), [['Name', 's', 'Wired'], ['Type', 's', 'ethernet'], ['Powered', 'b', true],
    ['Connected', 'b', true], ['Tethering', 'b', false], ['TetheringFreq', 'i', 0]]);
  const mgr = propertyDict(rig.daemon.api.managerTable, rig.daemon.manager);
  assert.deepEqual(shape(mgr), [['State', 's', 'ready'], ['OfflineMode', 'b', false], ['SessionMode', 'b', false]]);
});

test('SetProperty: wrong variant type -> InvalidArguments, unknown or read-only -> InvalidProperty, nothing changes', async () => {
  const rig = await startRig();
  const svc = rig.daemon.manager.service(SERVICE_ID)!;
  const t = rig.daemon.api.serviceTable;
  const ctx = { sender: ':1.5' };
  const is = (n: string) => (e: unknown) => e instanceof ConnmanError && e.errorName === n;
  await assert.rejects(setProperty(t, svc, 'AutoConnect', new Variant('s', 'no'), ctx), is('InvalidArguments'));
  await assert.rejects(setProperty(t, svc, 'Bogus', new Variant('b', true), ctx), is('InvalidProperty'));
  await assert.rejects(setProperty(t, svc, 'Name', new Variant('s', 'x'), ctx), is('InvalidProperty'));
  assert.equal(svc.autoconnect, true);
  assert.equal(svc.name, 'Wired');
  await setProperty(t, svc, 'AutoConnect', new Variant('b', false), ctx);
  assert.equal(svc.autoconnect, false);
  await setProperty(t, svc, 'Nameservers.Configuration', new Variant('as', ['9.9.9.9', 'bogus', '']), ctx);
  assert.deepEqual(svc.nameserversConfig, ['9.9.9.9']);
  const tech = rig.daemon.manager.technology('ethernet')!;
  await assert.rejects(setProperty(rig.daemon.api.technologyTable, tech, 'Powered', new Variant('s', 'off'), ctx), is('InvalidArguments'));
  await assert.rejects(setProperty(rig.daemon.api.technologyTable, tech, 'Powered', new Variant('b', true), ctx), is('AlreadyEnabled'));
  await assert.rejects(setProperty(rig.daemon.api.managerTable, rig.daemon.manager, 'State', new Variant('s', 'idle'), ctx), is('InvalidProperty'));
});

test('Service methods through the bound interface: Remove is NotSupported for ethernet, ClearProperty only takes Error', async () => {
  const rig = await startRig();
  const is = (n: string) => (e: unknown) => e instanceof ConnmanError && e.errorName === n;
  await assert.rejects(rig.bus.call(SERVICE_PATH, 'net.connman.Service', 'Remove'), is('NotSupported'));
  await assert.rejects(rig.bus.call(SERVICE_PATH, 'net.connman.Service', 'ClearProperty', ['State']), is('InvalidProperty'));
  await rig.bus.call(SERVICE_PATH, 'net.connman.Service', 'ClearProperty', ['Error']);
  await assert.rejects(rig.bus.call(SERVICE_PATH, 'net.connman.Service', 'MoveBefore', ['/net/connman/service/nothing']), is('InvalidService'));
  const [services] = await rig.bus.call('/', 'net.connman.Manager', 'GetServices') as [[string, Record<string, Variant>][]];
  assert.deepEqual(services.map(([p]) => p), [SERVICE_PATH]);
  await rig.bus.call('/', 'net.connman.Manager', 'RegisterAgent', ['/agent']);
  await assert.rejects(rig.bus.call('/', 'net.connman.Manager', 'RegisterAgent', ['/agent']), is('AlreadyExists'));
  await rig.bus.call('/', 'net.connman.Manager', 'UnregisterAgent', ['/agent']);
  await assert.rejects(rig.bus.call('/', 'net.connman.Manager', 'UnregisterAgent', ['/agent']), is('NotRegistered'));
});

test('ServicesChanged is coalesced for 100 ms: all services in order, new ones with full dicts, removed paths', () => {
  const clock = new FakeClock();
  const a = new Service('ethernet_a_cable', 'ethernet');
  const b = new Service('ethernet_b_cable', 'ethernet');
  let list = [a];
  const sent: unknown[][] = [];
  const sc = new ServicesChangedScheduler(clock, () => list, (s) => ({ Name: new Variant('s', s.id) }), (c, r) => sent.push([c, r]));
  sc.serviceAdded(a);
  assert.equal(sc.mayAnnounce(a), false, 'no PropertyChanged before the service is announced');
  clock.advance(50);
  list = [b, a];
  sc.serviceAdded(b);
  clock.advance(49);
  assert.equal(sent.length, 0);
  clock.advance(1);
  assert.equal(sent.length, 1, 'one signal, 100 ms after the first change');
  assert.deepEqual(JSON.parse(JSON.stringify(sent[0])), [[['/net/connman/service/ethernet_b_cable', { Name: { signature: 's', value: 'ethernet_b_cable' } }],
    ['/net/connman/service/ethernet_a_cable', { Name: { signature: 's', value: 'ethernet_a_cable' } }]], []]);
  assert.ok(sc.mayAnnounce(a) && sc.mayAnnounce(b));
  sc.changed();
  list = [a];
  sc.serviceRemoved(b);
  clock.advance(100);
  assert.deepEqual(JSON.parse(JSON.stringify(sent[1])), [[['/net/connman/service/ethernet_a_cable', {}]], ['/net/connman/service/ethernet_b_cable']]);
  clock.advance(1000);
  assert.equal(sent.length, 2);
});
