// PreferredTechnologies, SingleConnectedTechnology and AlwaysConnectedTechnologies as connmand 1.41
// applies them: the autoconnect pick (pure), the default route following the preferred technology,
// and two cables on the fake platform where only the last one ready stays connected.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { pickAutoconnect, AutoconnectPolicy } from '../../ts/core/autoconnect';
import { desiredLinks } from '../../ts/core/routing';
import { Service, ServiceState, ServiceType } from '../../ts/core/service';
import { sortServices } from '../../ts/core/service-order';
import { ethernetLink } from '../fakes/fake-platform';
import { lease } from '../fakes/fake-platform';
import { settle, startRig, tick } from './daemon-rig';

function svc(id: string, type: ServiceType, state: ServiceState = 'idle', ifindex = -1): Service {
  const s = new Service(id, type);
  s.state = state;
  s.favorite = true;
  s.autoconnect = true;
  s.ifindex = ifindex;
  return s;
}

const policy = (over: Partial<AutoconnectPolicy> = {}): AutoconnectPolicy =>
  ({ PreferredTechnologies: [], AlwaysConnectedTechnologies: [], SingleConnectedTechnology: false, ...over });
const probe = (user: Service[] = []) => ({
  busy: (s: Service) => s.state !== 'idle' && s.state !== 'failure' && s.state !== 'disconnect',
  powered: () => true,
  userConnected: (s: Service) => user.includes(s),
});
const ids = (xs: Service[]) => xs.map((s) => s.id);

test('autoconnect: a connected service stops the pass; nothing else connects by default', () => {
  const list = sortServices([svc('eth', 'ethernet', 'ready'), svc('wifi', 'wifi'), svc('cell', 'cellular')]);
  assert.deepEqual(ids(pickAutoconnect(list, policy(), probe())), []);
  // With nothing connected, the first favourite in the order connects, and only that one.
  const idle = sortServices([svc('wifi', 'wifi'), svc('cell', 'cellular')]);
  assert.deepEqual(ids(pickAutoconnect(idle, policy(), probe())), ['wifi']);
});

test('autoconnect: PreferredTechnologies connects the preferred one although another is connected', () => {
  const list = sortServices([svc('eth', 'ethernet', 'ready'), svc('wifi', 'wifi')], ['wifi']);
  assert.deepEqual(ids(pickAutoconnect(list, policy({ PreferredTechnologies: ['wifi'] }), probe())), ['wifi']);
  // ... but not when the preferred technology is already the busy one
  const busy = sortServices([svc('wifi', 'wifi', 'ready'), svc('eth', 'ethernet')], ['wifi']);
  assert.deepEqual(ids(pickAutoconnect(busy, policy({ PreferredTechnologies: ['wifi'] }), probe())), []);
  // With SingleConnectedTechnology, a service the user connected is left alone by the preference pass.
  const eth = svc('eth', 'ethernet', 'ready');
  const list2 = sortServices([eth, svc('wifi', 'wifi')], ['wifi']);
  const single = policy({ PreferredTechnologies: ['wifi'], SingleConnectedTechnology: true });
  assert.deepEqual(ids(pickAutoconnect(list2, single, probe([eth]))), []);
  assert.deepEqual(ids(pickAutoconnect(list2, single, probe())), ['wifi']);
});

test('autoconnect: AlwaysConnectedTechnologies keeps connecting the listed technologies, one service each', () => {
  const always = policy({ AlwaysConnectedTechnologies: ['ethernet', 'wifi'] });
  const list = sortServices([svc('eth', 'ethernet', 'ready'), svc('wifi1', 'wifi'), svc('wifi2', 'wifi'), svc('cell', 'cellular')]);
  assert.deepEqual(ids(pickAutoconnect(list, always, probe())), ['wifi1'], 'cellular is not listed; one wifi at a time');
  // A busy technology outside the list stops the pass as before (connmand 1.41 returns there).
  const onlyWifi = policy({ AlwaysConnectedTechnologies: ['wifi'] });
  assert.deepEqual(ids(pickAutoconnect(list, onlyWifi, probe())), []);
  // Nothing busy: the listed technology connects and the pass goes on to the next listed one.
  const idle = sortServices([svc('wifi1', 'wifi'), svc('cell', 'cellular')]);
  assert.deepEqual(ids(pickAutoconnect(idle, policy({ AlwaysConnectedTechnologies: ['wifi', 'cellular'] }), probe())), ['wifi1', 'cell']);
});

test('autoconnect: ignored (user-disconnected), non-autoconnect and failed services are skipped; a non-favourite ends the pass', () => {
  const a = svc('a', 'wifi'); a.ignore = true;
  const b = svc('b', 'wifi'); b.autoconnect = false;
  const c = svc('c', 'wifi', 'failure');
  const d = svc('d', 'wifi'); d.favorite = false;
  const e = svc('e', 'wifi');
  assert.deepEqual(ids(pickAutoconnect([a, b, c, d, e], policy(), probe())), []);
  assert.deepEqual(ids(pickAutoconnect([a, b, c, e], policy(), probe())), ['e']);
});

test('PreferredTechnologies moves the default route to the preferred connected technology', () => {
  const eth = svc('eth', 'ethernet', 'ready', 2);
  const wifi = svc('wifi', 'wifi', 'ready', 3);
  const state = (s: Service, gw: string) => ({ ifindex: s.ifindex, routable: true, v4: { address: `${gw}5`, prefixLength: 24, gateway: `${gw}1` } });
  const plan = (order: Service[]) => desiredLinks(order.map((s) => state(s, s === eth ? '10.0.0.' : '10.1.0.')));
  const hasDefault = (m: ReturnType<typeof plan>, idx: number) => m.get(idx)!.routes.some((r) => r.prefixLength === 0);
  const byRank = plan(sortServices([wifi, eth]));
  assert.ok(hasDefault(byRank, 2) && !hasDefault(byRank, 3), 'ethernet ranks first by default');
  const preferred = plan(sortServices([eth, wifi], ['wifi', 'ethernet']));
  assert.ok(hasDefault(preferred, 3) && !hasDefault(preferred, 2), 'wifi holds the default route when preferred');
});

test('SingleConnectedTechnology: of two cables, the one ready last stays connected, the other goes idle', async () => {
  const rig = await startRig({ conf: '[General]\nEnableOnlineCheck=false\nSingleConnectedTechnology=true\n' });
  rig.platform.netlink.addLink(ethernetLink(3, 'eth1', '02:db:f5:c8:70:e3'));
  await tick(rig, 100);
  const m = rig.daemon.manager;
  const [s0, s1] = ['ethernet_02dbf5c870e2_cable', 'ethernet_02dbf5c870e3_cable'].map((id) => m.service(id)!);
  assert.ok(s0 && s1, 'both cables have services');
  const c0 = rig.platform.dhcpClients.find((c) => c.opts.ifindex === 2)!;
  const c1 = rig.platform.dhcpClients.find((c) => c.opts.ifindex === 3)!;
  c0.emit({ type: 'bound', lease: lease() });
  await settle();
  assert.equal(s0.state, 'ready');
  c1.emit({ type: 'bound', lease: lease({ address: '10.233.84.66', routers: ['10.233.84.1'], broadcast: '10.233.84.255' }) });
  await tick(rig, 100);
  assert.equal(s1.state, 'ready');
  assert.equal(s0.state, 'idle', 'the first cable was disconnected');
  await tick(rig, 100);
  assert.equal(s0.state, 'idle', 'and autoconnect does not bring it back while the other is connected');
});
