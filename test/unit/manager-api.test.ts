// Manager policy on the fake platform: offline mode and Manager.State, storage through the settings
// encoder (nothing dropped on save), provisioning (Immutable, static IPv4, removal), agent requests from
// Connect and Cancel on Disconnect, autoconnect stops, Remove and the writable Clock with a recording
// settimeofday (the real one is never called in tests: it would change the host's clock).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { EventEmitter } from 'node:events';
import { ConnmanError } from '../../ts/core/errors';
import { MemoryStore } from '../../ts/config/storage';
import { Device } from '../../ts/core/device';
import { Service } from '../../ts/core/service';
import { TimeSettings } from '../../ts/core/time-settings';
import { AgentRegistry, AgentTransport } from '../../ts/dbus/agent';
import { registryInputAgent } from '../../ts/dbus/agent-input';
import { RemoteCallError, Variant } from '../../ts/dbus/bus';
import { parseProvisioningFile } from '../../ts/config/provisioning';
import { matches } from '../../ts/config/provisioning';
import type { ProvisioningSource } from '../../ts/core/provisioner';
import { lease } from '../fakes/fake-platform';
import { MAC, SERVICE_ID, SERVICE_PATH, settle, startRig, tick } from './daemon-rig';

const err = (name: string) => (e: unknown) => e instanceof ConnmanError && e.errorName === name;

test('OfflineMode: technologies off without touching Enable, State offline, remembered; a technology can be switched on while offline', async () => {
  const rig = await startRig();
  const m = rig.daemon.manager;
  await tick(rig, 100);
  rig.platform.dhcp.emit({ type: 'bound', lease: lease() });
  await settle();
  assert.equal(m.state, 'ready');
  await m.setOfflineMode(true);
  await settle();
  assert.equal(m.technology('ethernet')!.powered, false);
  assert.equal(m.service(SERVICE_ID), undefined);
  assert.equal(m.state, 'offline');
  assert.match(rig.store.global, /OfflineMode=true/);
  assert.match(rig.store.global, /\[Wired\]\nEnable=true/, 'Enable untouched by offline mode');
  // Enabling one technology keeps offline mode on; a connected service makes State ready
  await m.setTechnologyPowered('ethernet', true);
  await tick(rig);
  assert.equal(m.offlineMode, true);
  rig.platform.dhcp.emit({ type: 'bound', lease: lease() });
  await settle();
  assert.equal(m.service(SERVICE_ID)?.state, 'ready');
  assert.equal(m.state, 'ready');
  await m.setOfflineMode(false);
  assert.equal(m.offlineMode, false);
  await m.setOfflineMode(true);
  await rig.daemon.stop();
  // restart on the same state: offline mode is remembered, so the cable is not brought up
  const again = await startRig({ store: rig.store });
  assert.equal(again.daemon.manager.offlineMode, true);
  assert.equal(again.daemon.manager.technology('ethernet')!.powered, false);
  assert.equal(again.daemon.manager.state, 'offline');
});

test('saved settings load and survive a save: proxy, passphrase-free lists, mDNS, manual IPv4', async () => {
  const store = new MemoryStore();
  store.services.set(SERVICE_ID, `[${SERVICE_ID}]\nName=Wired\nAutoConnect=false\nModified=2024-05-06T07:08:09Z\nIPv4.method=manual\nIPv4.netmask_prefixlen=24\nIPv4.local_address=10.233.83.77\nIPv4.gateway=10.233.83.1\nIPv6.method=off\nIPv6.privacy=disabled\nNameservers=10.233.83.1;192.0.2.53;\nDomains=lab.test;\nProxy.Method=manual\nProxy.Servers=http://proxy:3128;\nProxy.Excludes=localhost;\nmDNS=true\n`);
  const rig = await startRig({ store });
  const m = rig.daemon.manager;
  const s = m.service(SERVICE_ID)!;
  assert.deepEqual(s.ipv4Config, { method: 'manual', address: '10.233.83.77', prefixLength: 24, gateway: '10.233.83.1' });
  assert.deepEqual(s.proxyConfig.servers, ['http://proxy:3128']);
  assert.equal(s.autoconnect, false);
  // connect by hand: static address, ready, saved again with every key
  await m.connectService(s, 'user');
  await settle();
  assert.equal(s.state, 'ready');
  const saved = store.services.get(SERVICE_ID)!;
  for (const k of ['Proxy.Method=manual', 'Proxy.Servers=http://proxy:3128;', 'Proxy.Excludes=localhost;', 'Nameservers=10.233.83.1;192.0.2.53;', 'mDNS=true', 'IPv4.local_address=10.233.83.77']) {
    assert.ok(saved.includes(k), `${k} in\n${saved}`);
  }
  const props = await rig.bus.call(SERVICE_PATH, 'net.connman.Service', 'GetProperties') as [Record<string, Variant>];
  const proxy = props[0]['Proxy.Configuration'].value as Record<string, Variant>;
  assert.deepEqual(Object.keys(proxy), ['Servers', 'Excludes', 'Method']);
  assert.deepEqual((props[0].Proxy.value as Record<string, Variant>).Method.value, 'manual');
});

test('Nameservers/Domains.Configuration and Proxy.Configuration: applied to the service, resolv.conf data follows, saved', async () => {
  const rig = await startRig();
  const m = rig.daemon.manager;
  await tick(rig, 100);
  rig.platform.dhcp.emit({ type: 'bound', lease: lease() });
  await settle();
  const set = (name: string, v: Variant) => rig.bus.call(SERVICE_PATH, 'net.connman.Service', 'SetProperty', [name, v]);
  await set('Nameservers.Configuration', new Variant('as', ['192.0.2.53', 'not-an-ip', '']));
  await set('Domains.Configuration', new Variant('as', ['example.org']));
  assert.deepEqual(rig.resolv.writes.at(-1), { ns: ['192.0.2.53'], domains: ['example.org'] });
  await set('Proxy.Configuration', new Variant('a{sv}', { Method: new Variant('s', 'auto'), URL: new Variant('s', 'http://wpad/x.pac') }));
  await assert.rejects(set('Proxy.Configuration', new Variant('a{sv}', { Method: new Variant('s', 'x') })), err('InvalidArguments'));
  const saved = rig.store.services.get(SERVICE_ID)!;
  assert.match(saved, /Nameservers=192\.0\.2\.53;\nDomains=example\.org;\nProxy\.Method=auto\nProxy\.URL=http:\/\/wpad\/x\.pac\n/);
  const changes = rig.bus.changes(SERVICE_PATH);
  for (const c of ['Service.Nameservers.Configuration', 'Service.Nameservers', 'Service.Domains.Configuration', 'Service.Domains', 'Service.Proxy.Configuration', 'Service.Proxy']) {
    assert.ok(changes.includes(c), c);
  }
  void m;
});

/** A ProvisioningSource over parsed text, with a 'changed' event the test fires. */
class FakeProvisioning extends EventEmitter implements ProvisioningSource {
  files = new Map<string, string>();
  start(): void {}
  stop(): void {}
  private get services() {
    return [...this.files].flatMap(([n, t]) => parseProvisioningFile(t, `${n}.config`).config.services);
  }
  match(c: Parameters<ProvisioningSource['match']>[0]) { return this.services.find((p) => matches(p, { ...c, security: c.security as never })); }
  resolves(file: string, ident: string): boolean { return this.services.some((p) => p.file === file && p.ident === ident); }
}

test('provisioning: matched by MAC, Immutable, fixed IPv4 applied at once, removal gives the service back', async () => {
  const prov = new FakeProvisioning();
  prov.files.set('lab', `[service_wired]\nType=ethernet\nMAC=${MAC.toUpperCase()}\nIPv4=10.233.83.200/255.255.255.0/10.233.83.1\nNameservers=192.0.2.1\nSearchDomains=prov.test\n`);
  const store = new MemoryStore();
  // a stale provisioned service whose section no longer exists is deleted at start
  store.services.set('ethernet_0000000000aa_cable', `[ethernet_0000000000aa_cable]\nConfig.file=gone\nConfig.ident=service_x\n`);
  const rig = await startRigWith(prov, store);
  const m = rig.daemon.manager;
  assert.equal(store.services.has('ethernet_0000000000aa_cable'), false);
  const s = m.service(SERVICE_ID)!;
  assert.equal(s.immutable, true);
  assert.equal(s.favorite, true);
  assert.deepEqual(s.ipv4Config, { method: 'fixed', address: '10.233.83.200', prefixLength: 24, gateway: '10.233.83.1' });
  await tick(rig);
  await settle();
  assert.equal(s.state, 'ready');
  assert.ok(rig.platform.netlink.requests.some((r) => r.op === 'addAddress' && (r as { spec: { address: string } }).spec.address === '10.233.83.200'));
  assert.deepEqual(rig.resolv.writes.at(-1), { ns: ['192.0.2.1'], domains: ['prov.test'] });
  await assert.rejects(rig.bus.call(SERVICE_PATH, 'net.connman.Service', 'SetProperty', ['Nameservers.Configuration', new Variant('as', ['1.1.1.1'])]), err('NotSupported'));
  await assert.rejects(rig.bus.call(SERVICE_PATH, 'net.connman.Service', 'SetProperty', ['IPv4.Configuration', new Variant('a{sv}', { Method: new Variant('s', 'dhcp') })]), err('NotSupported'));
  assert.match(store.services.get(SERVICE_ID)!, /Config\.file=lab\nConfig\.ident=service_wired\n/);
  // the file goes at run time
  prov.files.clear();
  prov.emit('changed', { added: [], changed: [], removed: ['lab'] });
  await settle();
  assert.equal(s.immutable, false);
  assert.equal(s.ipv4Config.method, 'dhcp');
  assert.equal(s.state, 'idle');
  assert.equal(store.services.has(SERVICE_ID), false, 'saved directory removed with the provisioning');
  assert.equal(s.ignore, true, 'left alone until the user connects it');
  m.connectService(s, 'user').catch(() => undefined);
  await settle();
  assert.equal(s.state, 'configuration', 'a user Connect runs DHCP again');
});

function startRigWith(prov: FakeProvisioning, store: MemoryStore) {
  return startRig({ store, provisioning: prov });
}

function fakeTransport() {
  const calls: { member: string; body: unknown[] }[] = [];
  const notes: string[] = [];
  let answer: (v: unknown[]) => void = () => undefined;
  const t: AgentTransport = {
    call: (_d, _p, _i, member, _s, body) => { calls.push({ member, body }); return new Promise((r) => { answer = r; }); },
    notify: (_d, _p, _i, member) => { notes.push(member); },
    watchOwner: () => () => undefined,
  };
  return { t, calls, notes, answer: (v: unknown[]) => answer(v) };
}

async function wifiRig(provisioning?: FakeProvisioning) {
  const store = new MemoryStore();
  store.global = '[WiFi]\nEnable=true\nTethering=false\n';
  const rig = await startRig({ store, withEth: false, provisioning });
  const m = rig.daemon.manager;
  rig.platform.netlink.addLink({ index: 7, name: 'wlan0', mac: '02:00:00:00:00:07', type: 1, flags: 1, mtu: 1500 } as never);
  await m.addDevice(new Device(7, 'wlan0', '02:00:00:00:00:07', 'wifi', { enable: async () => undefined, disable: async () => undefined }));
  return { rig, m };
}

test('Connect on a secured service asks the caller\'s agent (RequestInput fields), Disconnect sends Cancel', async () => {
  const { rig, m } = await wifiRig();
  const ft = fakeTransport();
  const agents = new AgentRegistry(ft.t, { inputRequestMs: 120_000, browserLaunchMs: 300_000 });
  agents.register(':1.5', '/agent');
  m.deps.agent = registryInputAgent(agents);
  const s = new Service('wifi_020000000007_6c6162_managed_psk', 'wifi');
  Object.assign(s, { ifindex: 7, ifname: 'wlan0', mac: '02:00:00:00:00:07', name: 'lab', security: 'psk' });
  m.addService(s);
  m.setCaller(s, ':1.5');
  const connecting = m.connectService(s, 'user');
  await settle();
  assert.equal(ft.calls[0].member, 'RequestInput');
  assert.equal(ft.calls[0].body[0], s.path);
  const fields = ft.calls[0].body[1] as Record<string, Variant>;
  assert.deepEqual(Object.keys(fields), ['Passphrase']);
  assert.deepEqual((fields.Passphrase.value as Record<string, Variant>).Type.value, 'psk');
  await m.disconnectService(s, true);
  assert.deepEqual(ft.notes, ['Cancel']);
  await assert.rejects(connecting, err('OperationAborted'));
  // without any agent: NotRegistered, as connmand's -ESRCH
  m.deps.agent = undefined;
  await assert.rejects(m.connectService(s, 'user'), err('NotRegistered'));
  void rig;
});

/** An agent transport that answers each call with the next scripted reply (values, or a D-Bus error name). */
function scriptedTransport(replies: (Record<string, string> | string)[]) {
  const calls: { member: string; body: unknown[] }[] = [];
  const t: AgentTransport = {
    call: async (_d, _p, _i, member, _s, body) => {
      calls.push({ member, body });
      const r = replies.shift();
      if (typeof r === 'string') throw new RemoteCallError(r, 'scripted');
      return member === 'RequestInput' ? [Object.fromEntries(Object.entries(r ?? {}).map(([k, v]) => [k, new Variant('s', v)]))] : [];
    },
    notify: () => undefined,
    watchOwner: () => () => undefined,
  };
  return { t, calls };
}

/** A Wi-Fi driver whose access point takes only `key`; a wrong one fails as invalid-key and is forgotten. */
function keyedDriver(key: string) {
  const tried: string[] = [];
  return {
    tried,
    needsInput: (s: Service) => !s.passphrase,
    connect: async (s: Service) => {
      tried.push(s.passphrase ?? '');
      if (s.passphrase === key) return 'associated' as const;
      s.passphrase = undefined;
      throw Object.assign(new Error('refused'), { serviceError: 'invalid-key' });
    },
    disconnect: async () => undefined,
  };
}

test('wrong key on a user Connect: ReportError invalid-key; Retry asks again and the same Connect succeeds; another answer leaves it idle', async () => {
  const { rig, m } = await wifiRig();
  const ft = scriptedTransport([{ Passphrase: 'wrong-passphrase' }, 'net.connman.Agent.Error.Retry', { Passphrase: 'right-passphrase' }]);
  const agents = new AgentRegistry(ft.t, { inputRequestMs: 120_000, browserLaunchMs: 300_000 });
  agents.register(':1.5', '/agent');
  m.deps.agent = registryInputAgent(agents);
  const s = new Service('wifi_020000000007_6c6162_managed_psk', 'wifi');
  Object.assign(s, { ifindex: 7, ifname: 'wlan0', mac: '02:00:00:00:00:07', name: 'lab', security: 'psk' });
  const driver = keyedDriver('right-passphrase');
  s.driver = driver;
  m.addService(s);
  m.setCaller(s, ':1.5');
  const states: string[] = [];
  s.notify = (_s, prop) => { if (prop === 'State') states.push(s.state); };
  const connecting = m.connectService(s, 'user');
  await settle();
  assert.deepEqual(ft.calls.map((c) => c.member), ['RequestInput', 'ReportError', 'RequestInput']);
  assert.deepEqual(ft.calls[1].body, [s.path, 'invalid-key']);
  assert.deepEqual(driver.tried, ['wrong-passphrase', 'right-passphrase']);
  assert.equal(s.state, 'configuration');
  rig.platform.dhcp.emit({ type: 'bound', lease: lease() });
  await connecting;
  assert.equal(s.state, 'ready');
  assert.equal(s.error, undefined);
  assert.equal(s.passphrase, 'right-passphrase');
  assert.deepEqual(states.slice(0, 4), ['association', 'failure', 'association', 'configuration']);
  // the agent acknowledges the error instead: the Connect fails, the service is idle and keeps its Error
  await m.forgetService(s);
  ft.calls.length = 0;
  const ft2 = scriptedTransport([{ Passphrase: 'wrong-passphrase' }, {}]);
  const agents2 = new AgentRegistry(ft2.t, { inputRequestMs: 120_000, browserLaunchMs: 300_000 });
  agents2.register(':1.5', '/agent');
  m.deps.agent = registryInputAgent(agents2);
  await assert.rejects(m.connectService(s, 'user'), err('Failed'));
  assert.deepEqual(ft2.calls.map((c) => c.member), ['RequestInput', 'ReportError']);
  assert.equal(s.state, 'idle');
  assert.equal(s.error, 'invalid-key');
  // an autoconnect failure is not reported to the agent (connmand reports user connects only)
  s.passphrase = 'stale-passphrase';
  await assert.rejects(m.connectService(s, 'auto'));
  await settle();
  assert.equal(ft2.calls.length, 2);
  assert.equal(s.state, 'failure');
});

test('autoconnect: favourites first; the pass stops at the first non-favourite', async () => {
  const { rig, m } = await wifiRig();
  const store = rig.store;
  store.services.set('wifi_b', '[wifi_b]\nName=b\nFavorite=true\nAutoConnect=true\n');
  store.services.set('wifi_c', '[wifi_c]\nName=c\nFavorite=true\nAutoConnect=false\n');
  const mk = (id: string, strength: number) => {
    const s = new Service(id, 'wifi');
    Object.assign(s, { ifindex: 7, ifname: 'wlan0', mac: '02:00:00:00:00:07', name: id, strength, security: 'none' });
    m.addService(s);
    return s;
  };
  const open = mk('wifi_a', 90);
  const noAuto = mk('wifi_c', 50);
  const fav = mk('wifi_b', 10);
  assert.deepEqual(m.services.map((s) => s.id), ['wifi_c', 'wifi_b', 'wifi_a'], 'favourites first, then strength');
  await tick(rig);
  assert.equal(noAuto.state, 'idle', 'AutoConnect off is skipped');
  assert.equal(fav.state, 'configuration', 'the favourite with AutoConnect is connected');
  assert.equal(open.state, 'idle', 'a non-favourite is never autoconnected');
  // once it is connecting, the pass stops there: the next run starts nothing else
  fav.autoconnect = false;
  m.scheduleAutoconnect();
  await tick(rig);
  assert.equal(open.state, 'idle');
});

test('a *.config file appearing: the service it provisions is sorted among the favourites before autoconnect runs', async () => {
  const prov = new FakeProvisioning();
  const { rig, m } = await wifiRig(prov);
  const mk = (name: string, strength: number, security: 'none' | 'psk') => {
    const s = new Service(`wifi_020000000007_${Buffer.from(name).toString('hex')}_managed_${security}`, 'wifi');
    Object.assign(s, { ifindex: 7, ifname: 'wlan0', mac: '02:00:00:00:00:07', name, ssid: Buffer.from(name).toString('hex'), strength, security });
    m.addService(s);
    return s;
  };
  const strong = mk('cafe', 90, 'none');
  const lab = mk('lab', 20, 'psk');
  await tick(rig);
  assert.deepEqual(m.services.map((s) => s.name), ['cafe', 'lab']);
  assert.equal(lab.state, 'idle');
  prov.files.set('lab', '[service_lab]\nType=wifi\nName=lab\nPassphrase=lab-passphrase\n');
  prov.emit('changed', { added: ['lab'], changed: [], removed: [] });
  await settle();
  await tick(rig);
  assert.equal(lab.favorite, true);
  assert.deepEqual(m.services.map((s) => s.name), ['lab', 'cafe'], 'a favourite sorts before a stronger non-favourite');
  // autoconnect's pass stops at the first non-favourite: unsorted, it would never have reached lab
  assert.ok(['association', 'configuration'].includes(lab.state), lab.state);
  assert.equal(strong.state, 'idle');
});

test('Remove: a favourite Wi-Fi service is forgotten (Favorite false, passphrase gone, saved), a cable is NotSupported', async () => {
  const { m } = await wifiRig();
  const s = new Service('wifi_020000000007_6c6162_managed_psk', 'wifi');
  Object.assign(s, { ifindex: 7, ifname: 'wlan0', mac: '02:00:00:00:00:07', name: 'lab', security: 'psk' });
  m.addService(s);
  s.favorite = true;
  s.passphrase = 'secret-passphrase';
  s.modified = new Date(2024, 0, 1);
  m.saveService(s);
  await m.forgetService(s);
  assert.equal(s.favorite, false);
  assert.equal(s.passphrase, undefined);
  const saved = m.saved.load(s.id)!;
  assert.equal(saved.favorite, false);
  assert.equal(saved.passphrase, undefined);
  const cable = new Service('ethernet_0200000000ff_cable', 'ethernet');
  await assert.rejects(m.forgetService(cable), err('NotSupported'));
});

test('Clock: TimeUpdates/TimezoneUpdates validated and persisted, Time only in manual mode (recording setter), Timeservers deduplicated', () => {
  const store = new MemoryStore();
  const set: number[] = [];
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sy-clock-'));
  try {
    fs.mkdirSync(path.join(dir, 'zoneinfo', 'Europe'), { recursive: true });
    fs.writeFileSync(path.join(dir, 'zoneinfo', 'Europe', 'Berlin'), 'TZif-berlin');
    const localtime = path.join(dir, 'localtime');
    const c = new TimeSettings({ store, setSystemTime: (s) => set.push(s), localtime, zoneinfo: path.join(dir, 'zoneinfo') });
    const changed: string[] = [];
    c.on('changed', (p) => changed.push(p));
    assert.throws(() => c.setTimeUpdates('sometimes'), err('InvalidArguments'));
    assert.throws(() => c.setTime(1_700_000_000n), err('PermissionDenied'));
    assert.throws(() => c.setTimezone('Europe/Berlin'), err('PermissionDenied'));
    c.setTimeUpdates('manual');
    c.setTimezoneUpdates('manual');
    c.setTime(1_700_000_000n);
    assert.deepEqual(set, [1_700_000_000]);
    assert.throws(() => c.setTimezone('Nowhere/Land'), err('InvalidArguments'));
    assert.throws(() => c.setTimezone('../../etc/passwd'), err('InvalidArguments'));
    c.setTimezone('Europe/Berlin');
    assert.equal(fs.readFileSync(localtime, 'utf8'), 'TZif-berlin');
    assert.equal(c.timezone(), 'Europe/Berlin');
    c.setTimeservers(['ntp1', 'ntp2', 'ntp1', '']);
    assert.deepEqual(c.timeservers, ['ntp1', 'ntp2']);
    assert.deepEqual(changed, ['TimeUpdates', 'TimezoneUpdates', 'Time', 'Timezone', 'Timeservers']);
    assert.equal(store.global, '[global]\nTimeUpdates=manual\nTimezoneUpdates=manual\nTimeservers=ntp1;ntp2;\n');
    const again = new TimeSettings({ store });
    again.load();
    assert.deepEqual([again.timeUpdates, again.timezoneUpdates, again.timeservers], ['manual', 'manual', ['ntp1', 'ntp2']]);
    // a failing settimeofday is InvalidArguments
    const failing = new TimeSettings({ store, setSystemTime: () => { throw new Error('EPERM'); } });
    failing.load();
    assert.throws(() => failing.setTime(1n), err('InvalidArguments'));
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
