// The service Timeservers list (timeserversFor) and when its signal goes out (TimeServiceTracker),
// checked against the sequences connmand 1.41 produced in the lab (connman-test-scripts.test).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Service, ServiceState } from '../../ts/core/service';
import { GlobalTimeSources, timeserversFor } from '../../ts/core/service-ops';
import { TimeServiceTracker } from '../../ts/core/time-service';

const global = (over: Partial<GlobalTimeSources> = {}): GlobalTimeSources =>
  ({ manual: false, timeservers: [], fallback: [], useGateways: false, ...over });

function wired(): { svc: Service; signals: string[] } {
  const svc = new Service('ethernet_a_cable', 'ethernet');
  const signals: string[] = [];
  svc.notify = (_s, p) => { signals.push(p); };
  return { svc, signals };
}

test('Timeservers: configuration, DHCP, gateway, Clock, fallback, each once; nothing when manual', () => {
  const { svc } = wired();
  svc.timeserversConfig = ['ntp.lab', 'a'];
  svc.timeservers = ['a', 'dhcp'];
  svc.ipv4 = { address: '10.0.0.2', prefixLength: 24, gateway: '10.0.0.1' };
  const g = global({ timeservers: ['clock', 'ntp.lab'], fallback: ['fb'], useGateways: true });
  assert.deepEqual(timeserversFor(svc, g), ['ntp.lab', 'a', 'dhcp', '10.0.0.1', 'clock', 'fb']);
  assert.deepEqual(timeserversFor(svc, { ...g, useGateways: false }), ['ntp.lab', 'a', 'dhcp', 'clock', 'fb']);
  assert.deepEqual(timeserversFor(svc, { ...g, manual: true }), []);
});

function tracker(list: () => string[]) {
  const { svc, signals } = wired();
  let def: Service | undefined;
  const t = new TimeServiceTracker(() => list(), () => def);
  const state = (s: ServiceState) => { svc.state = s; def = s === 'ready' || s === 'online' ? svc : undefined; };
  return { svc, signals, t, state };
}

test('with an empty list every start and state update signals; with a list only the first does', () => {
  for (const [list, expected] of [[[], 2], [['ntp1'], 1]] as const) {
    const { signals, t, state, svc } = tracker(() => [...list]);
    state('ready');
    t.defaultChanged(); // at ready
    t.sync(svc); // once the address is announced
    assert.equal(signals.length, expected, `list ${JSON.stringify(list)}`);
  }
});

test('the old default shows an empty list on disconnect; nothing signals without a default', () => {
  const { signals, t, state, svc } = tracker(() => ['ntp1']);
  t.configChanged(svc);
  t.globalChanged();
  assert.deepEqual(signals, [], 'no resolver before a default exists');
  state('ready');
  t.defaultChanged();
  signals.length = 0;
  t.sync(svc); // configuration on the way down: the list is loaded, so nothing
  state('disconnect');
  t.defaultChanged();
  assert.deepEqual(signals, ['Timeservers']);
  t.defaultChanged();
  assert.equal(signals.length, 1, 'no second announcement without a change of default');
});

test('Timeservers.Configuration and Clock.Timeservers reload the default service', () => {
  const { signals, t, state, svc } = tracker(() => ['ntp1']);
  state('ready');
  t.defaultChanged();
  signals.length = 0;
  t.configChanged(svc);
  t.globalChanged();
  assert.deepEqual(signals, ['Timeservers', 'Timeservers']);
  const other = new Service('ethernet_b_cable', 'ethernet');
  const otherSignals: string[] = [];
  other.notify = (_s, p) => { otherSignals.push(p); };
  t.configChanged(other);
  assert.deepEqual(otherSignals, [], 'another service does not take over NTP');
});
