// ConnMan's service rules as pure functions: ordering (service_compare), MoveBefore/MoveAfter checks and
// reordering (__connman_service_move, switch_service_order), Remove eligibility, the *.Configuration list
// clean-up and Proxy.Configuration validation.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Service, ServiceState, ServiceType } from '../../ts/core/service';
import { sortServices } from '../../ts/core/service-order';
import { checkMove, checkRemovable, cleanList, effectiveNameservers, proxyConfigFromDbus, switchOrder } from '../../ts/core/service-ops';
import { ConnmanError } from '../../ts/core/errors';

function svc(id: string, type: ServiceType, state: ServiceState = 'idle', extra: Partial<Service> = {}): Service {
  const s = new Service(id, type);
  s.state = state;
  s.stateIPv4 = state;
  s.stateIPv6 = state;
  Object.assign(s, extra);
  return s;
}
const ids = (l: Service[]) => l.map((s) => s.id);
const err = (name: string) => (e: unknown) => e instanceof ConnmanError && e.errorName === name;

test('ordering: connected first, online before ready, connecting before idle, favourites, type rank, strength, name', () => {
  const list = [
    svc('w-idle-b', 'wifi', 'idle', { favorite: true, strength: 40, name: 'b' }),
    svc('w-idle-a', 'wifi', 'idle', { favorite: true, strength: 40, name: 'a' }),
    svc('w-strong', 'wifi', 'idle', { favorite: true, strength: 80, name: 'z' }),
    svc('w-nofav', 'wifi', 'idle', { strength: 99, name: 'x' }),
    svc('e-ready', 'ethernet', 'ready', { favorite: true }),
    svc('w-online', 'wifi', 'online', { favorite: true }),
    svc('g-conf', 'gadget', 'configuration'),
    svc('e-idle', 'ethernet', 'idle', { favorite: true }),
    svc('w-noname', 'wifi', 'idle', { favorite: true, strength: 40 }),
  ];
  sortServices(list);
  assert.deepEqual(ids(list), ['w-online', 'e-ready', 'g-conf', 'e-idle', 'w-strong', 'w-noname', 'w-idle-a', 'w-idle-b', 'w-nofav']);
});

test('ordering: PreferredTechnologies beats the fixed rank among connected and among different types', () => {
  const list = [svc('e', 'ethernet', 'ready', { favorite: true }), svc('w', 'wifi', 'ready', { favorite: true })];
  sortServices(list, ['wifi']);
  assert.deepEqual(ids(list), ['w', 'e']);
  const idle = [svc('e', 'ethernet', 'idle', { favorite: true }), svc('c', 'cellular', 'idle', { favorite: true })];
  sortServices(idle, ['cellular']);
  assert.deepEqual(ids(idle), ['c', 'e']);
  // two connected services of a preferred type keep their order (service_compare_preferred stops there)
  const same = [svc('w1', 'wifi', 'ready', { favorite: true, strength: 10 }), svc('w2', 'wifi', 'online', { favorite: true, strength: 90 })];
  sortServices(same, ['wifi']);
  assert.deepEqual(ids(same), ['w1', 'w2']);
});

test('MoveBefore/MoveAfter: favourites only, other target, state match only where a family is off', () => {
  const a = svc('a', 'ethernet', 'ready', { favorite: true });
  const b = svc('b', 'wifi', 'idle', { favorite: true });
  const n = svc('n', 'wifi', 'idle');
  assert.throws(() => checkMove(n, a), err('NotSupported'));
  assert.throws(() => checkMove(a, n), err('InvalidService'));
  assert.throws(() => checkMove(a, a), err('InvalidService'));
  // both families on: connmand compares no states, ready may move next to idle
  checkMove(a, b);
  // IPv6 off on the target: IPv4 states must match (ready vs idle does not)
  b.ipv6Config = { method: 'off', privacy: 'disabled' };
  assert.throws(() => checkMove(a, b), err('InvalidService'));
  b.stateIPv4 = 'online';
  checkMove(a, b);
});

test('switch_service_order: MoveBefore puts the service right before the target, MoveAfter the target before it', () => {
  const [a, b, c, d] = ['a', 'b', 'c', 'd'].map((x) => svc(x, 'ethernet'));
  // MoveBefore(d -> b): demoted b, promoted d
  assert.deepEqual(ids(switchOrder([a, b, c, d], b, d)), ['a', 'd', 'b', 'c']);
  // MoveAfter(a -> c): demoted a, promoted c
  assert.deepEqual(ids(switchOrder([a, b, c, d], a, c)), ['c', 'a', 'b', 'd']);
  // already in place: nothing moves
  assert.deepEqual(ids(switchOrder([a, b, c, d], b, a)), ['a', 'b', 'c', 'd']);
});

test('Remove: cables, gadgets, provisioned and hidden services cannot be removed, nor a busy non-favourite', () => {
  assert.throws(() => checkRemovable(svc('e', 'ethernet', 'idle', { favorite: true })), err('NotSupported'));
  assert.throws(() => checkRemovable(svc('g', 'gadget')), err('NotSupported'));
  assert.throws(() => checkRemovable(svc('w', 'wifi', 'idle', { favorite: true, immutable: true })), err('NotSupported'));
  assert.throws(() => checkRemovable(svc('w', 'wifi', 'idle', { favorite: true, hidden: true })), err('NotSupported'));
  // a hidden network connected by name (it has its SSID) is removed like any other
  checkRemovable(svc('w', 'wifi', 'ready', { favorite: true, hidden: true, ssid: '73792d68696464656e' }));
  assert.throws(() => checkRemovable(svc('w', 'wifi', 'association')), err('NotSupported'));
  checkRemovable(svc('w', 'wifi', 'ready', { favorite: true }));
  checkRemovable(svc('w', 'wifi', 'failure'));
});

test('*.Configuration lists: joined and split on spaces, empties dropped, non-numeric nameservers dropped', () => {
  assert.deepEqual(cleanList('nameservers', ['10.0.0.1', '', 'bogus', '2001:db8::1 192.0.2.1', 'fe80::1%eth0']),
    ['10.0.0.1', '2001:db8::1', '192.0.2.1', 'fe80::1%eth0']);
  assert.deepEqual(cleanList('timeservers', ['ntp.example', '', 'a b']), ['ntp.example', 'a', 'b']);
  assert.deepEqual(cleanList('domains', []), []);
});

test('Nameservers: configured, else provisioned and DHCP, else FallbackNameservers', () => {
  const s = svc('e', 'ethernet', 'ready');
  assert.deepEqual(effectiveNameservers(s, ['9.9.9.9']), ['9.9.9.9']);
  s.nameservers = ['10.0.0.1'];
  s.provisionedNameservers = ['10.0.0.53'];
  assert.deepEqual(effectiveNameservers(s, ['9.9.9.9']), ['10.0.0.53', '10.0.0.1']);
  s.nameserversConfig = ['1.1.1.1'];
  assert.deepEqual(effectiveNameservers(s, ['9.9.9.9']), ['1.1.1.1']);
});

test('Proxy.Configuration: method required and known, manual needs servers, empty servers mean direct', () => {
  const v = (signature: string, value: unknown) => ({ signature, value });
  assert.throws(() => proxyConfigFromDbus({}, {}), err('InvalidArguments'));
  assert.throws(() => proxyConfigFromDbus({ Method: v('s', 'x') }, {}), err('InvalidArguments'));
  assert.throws(() => proxyConfigFromDbus({ Method: v('b', true) }, {}), err('InvalidArguments'));
  assert.throws(() => proxyConfigFromDbus({ Method: v('s', 'manual') }, {}), err('InvalidArguments'));
  assert.throws(() => proxyConfigFromDbus({ Method: v('s', 'auto'), URL: v('i', 1) }, {}), err('InvalidArguments'));
  const m = proxyConfigFromDbus({ Method: v('s', 'manual'), Servers: v('as', ['http://p:3128', '', 'http://q:8080']), Excludes: v('as', ['localhost']) }, {});
  assert.deepEqual(m, { method: 'manual', servers: ['http://p:3128', 'http://q:8080'], excludes: ['localhost'] });
  // manual again without Servers keeps the old list
  assert.deepEqual(proxyConfigFromDbus({ Method: v('s', 'manual') }, m).servers, ['http://p:3128', 'http://q:8080']);
  assert.equal(proxyConfigFromDbus({ Method: v('s', 'manual'), Servers: v('as', []) }, m).method, 'direct');
  assert.deepEqual(proxyConfigFromDbus({ Method: v('s', 'auto'), URL: v('s', 'http://wpad/wpad.dat') }, {}), { method: 'auto', url: 'http://wpad/wpad.dat' });
  assert.equal(proxyConfigFromDbus({ Method: v('s', 'direct') }, m).method, 'direct');
});
