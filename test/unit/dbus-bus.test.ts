// The daemon's D-Bus layer on a private dbus-daemon (no root, no system bus), over the fake platform.
// The test's own client talks raw messages through dbus-next so it sees exact signatures and error names.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as dbus from '@particle/dbus-next';
import { Bus } from '../../ts/dbus/bus';
import { Daemon } from '../../ts/cli/daemon';
import { parseMainConf } from '../../ts/config/main-conf';
import { MemoryStore } from '../../ts/config/storage';
import { realClock } from '../../ts/core/clock';
import { silentLogger } from '../../ts/core/log';
import { FakePlatform, ethernetLink, lease, loopbackLink } from '../fakes/fake-platform';
import { MAC, SERVICE_PATH, ResolvRecorder, settle } from './daemon-rig';

let busDaemon: ChildProcess;
let dir: string;
let address: string;
let server: Bus;
let daemon: Daemon;
let client: dbus.MessageBus;
const platform = new FakePlatform();

before(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sy-bus-'));
  busDaemon = spawn('dbus-daemon', ['--session', '--nofork', '--print-address', `--address=unix:path=${dir}/bus`], { stdio: ['ignore', 'pipe', 'ignore'] });
  address = await new Promise<string>((resolve, reject) => {
    busDaemon.stdout!.once('data', (b: Buffer) => resolve(b.toString().trim()));
    busDaemon.once('error', reject);
  });
  server = await Bus.connect(address);
  platform.netlink.addLink(loopbackLink());
  platform.netlink.addLink(ethernetLink(2, 'eth0', MAC));
  daemon = new Daemon({ platform, bus: server, clock: realClock, store: new MemoryStore(),
    config: parseMainConf('[General]\nEnableOnlineCheck=false\n').config, resolv: new ResolvRecorder(), log: silentLogger });
  assert.equal(await server.requestName('net.connman'), true);
  await daemon.start();
  await settle();
  await new Promise((r) => setTimeout(r, 20));
  platform.dhcp.emit({ type: 'bound', lease: lease() });
  await settle();
  client = dbus.sessionBus({ busAddress: address });
});

after(async () => {
  client?.disconnect();
  await daemon?.stop();
  server?.disconnect();
  busDaemon?.kill('SIGTERM');
  fs.rmSync(dir, { recursive: true, force: true });
});

function call(pathName: string, iface: string, member: string, signature = '', body: unknown[] = []): Promise<dbus.Message> {
  return (client as unknown as { call(m: dbus.Message): Promise<dbus.Message> }).call(new dbus.Message({
    destination: 'net.connman', path: pathName, interface: iface, member, signature, body,
  }));
}

async function callError(pathName: string, iface: string, member: string, signature = '', body: unknown[] = []): Promise<string> {
  try {
    await call(pathName, iface, member, signature, body);
  } catch (e) {
    return (e as { type: string }).type;
  }
  return 'no error';
}

test('GetServices answers a(oa{sv}) with the ready cable', async () => {
  const reply = await call('/', 'net.connman.Manager', 'GetServices');
  assert.equal(reply.signature, 'a(oa{sv})');
  const [[entry]] = reply.body as [[string, Record<string, dbus.Variant>][]];
  assert.equal(entry[0], SERVICE_PATH);
  assert.equal(entry[1].State.value, 'ready');
  assert.equal(entry[1].Ethernet.value.MTU.signature, 'q');
});

test('GetTechnologies and GetProperties answer with ConnMan signatures', async () => {
  assert.equal((await call('/', 'net.connman.Manager', 'GetTechnologies')).signature, 'a(oa{sv})');
  const p = await call('/', 'net.connman.Manager', 'GetProperties');
  assert.equal(p.signature, 'a{sv}');
  assert.deepEqual(Object.keys(p.body[0]), ['State', 'OfflineMode', 'SessionMode']);
});

test('bad variant types -> InvalidArguments; unknown property -> InvalidProperty; wrong signature -> UnknownMethod', async () => {
  assert.equal(await callError(SERVICE_PATH, 'net.connman.Service', 'SetProperty', 'sv', ['AutoConnect', new dbus.Variant('s', 'yes')]),
    'net.connman.Error.InvalidArguments');
  assert.equal(await callError(SERVICE_PATH, 'net.connman.Service', 'SetProperty', 'sv', ['NoSuchThing', new dbus.Variant('b', true)]),
    'net.connman.Error.InvalidProperty');
  assert.equal(await callError('/', 'net.connman.Manager', 'SetProperty', 'sv', ['Bogus', new dbus.Variant('b', true)]),
    'net.connman.Error.InvalidProperty');
  assert.equal(await callError('/net/connman/technology/ethernet', 'net.connman.Technology', 'SetProperty', 'sv', ['Powered', new dbus.Variant('s', 'on')]),
    'net.connman.Error.InvalidArguments');
  assert.equal(await callError('/net/connman/technology/ethernet', 'net.connman.Technology', 'SetProperty', 'sv', ['Powered', new dbus.Variant('b', true)]),
    'net.connman.Error.AlreadyEnabled');
  assert.equal(await callError(SERVICE_PATH, 'net.connman.Service', 'SetProperty', 'ss', ['AutoConnect', 'yes']),
    'org.freedesktop.DBus.Error.UnknownMethod');
  const after = await call(SERVICE_PATH, 'net.connman.Service', 'GetProperties');
  assert.equal(after.body[0].AutoConnect.value, true, 'nothing changed');
});

test('introspection lists the interfaces and child nodes; ObjectManager lists the objects', async () => {
  const root = (await call('/', 'org.freedesktop.DBus.Introspectable', 'Introspect')).body[0] as string;
  for (const s of ['interface name="net.connman.Manager"', 'name="GetServices"', 'type="a(oa{sv})"', 'org.freedesktop.DBus.ObjectManager', '<node name="net"/>']) {
    assert.ok(root.includes(s), s);
  }
  const tech = (await call('/net/connman/technology', 'org.freedesktop.DBus.Introspectable', 'Introspect')).body[0] as string;
  assert.ok(tech.includes('<node name="ethernet"/>'));
  const objs = await call('/', 'org.freedesktop.DBus.ObjectManager', 'GetManagedObjects');
  assert.deepEqual(Object.keys(objs.body[0]).sort(), ['/net/connman/service/ethernet_02dbf5c870e2_cable', '/net/connman/technology/ethernet']);
});

test('an unknown path: Introspect answers an empty node, any other call UnknownObject with libdbus\'s text', async () => {
  const xml = (await call('/net/connman/service/nope', 'org.freedesktop.DBus.Introspectable', 'Introspect')).body[0] as string;
  assert.match(xml, /<node>\n<\/node>\n$/);
  try {
    await call('/net/connman/service/nope', 'net.connman.Service', 'GetProperties');
    assert.fail('no error');
  } catch (e) {
    const err = e as { type: string; text: string };
    assert.equal(err.type, 'org.freedesktop.DBus.Error.UnknownObject');
    assert.equal(err.text, 'Method "GetProperties" with signature "" on interface "net.connman.Service" doesn\'t exist\n');
  }
});

test('a second owner of net.connman is refused', async () => {
  const other = await Bus.connect(address);
  assert.equal(await other.requestName('net.connman'), false);
  other.disconnect();
});
