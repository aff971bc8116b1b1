// The client half of our bus module (calls to other peers, signal subscriptions, name owners), which the
// Wi-Fi plugin uses to talk to wpa_supplicant: two Bus connections on a private dbus-daemon.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Bus, RemoteCallError, ReceivedSignal } from '../../ts/dbus/bus';
import { ConnmanError } from '../../ts/core/errors';

let busDaemon: ChildProcess;
let dir: string;
let address: string;
let server: Bus;
let client: Bus;
const NAME = 'org.example.Peer';
const IFACE = 'org.example.Peer1';

const tick = (ms = 30) => new Promise((r) => setTimeout(r, ms));

before(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sy-busc-'));
  busDaemon = spawn('dbus-daemon', ['--session', '--nofork', '--print-address', `--address=unix:path=${dir}/bus`], { stdio: ['ignore', 'pipe', 'ignore'] });
  address = await new Promise<string>((resolve, reject) => {
    busDaemon.stdout!.once('data', (b: Buffer) => resolve(b.toString().trim()));
    busDaemon.once('error', reject);
  });
  server = await Bus.connect(address);
  client = await Bus.connect(address);
  server.export('/peer', [{
    name: IFACE,
    methods: [
      { name: 'Echo', in: [{ name: 'v', type: 'a{sv}' }], out: [{ name: 'v', type: 'a{sv}' }], handler: (a) => [a[0]] },
      { name: 'Fail', in: [], out: [], handler: () => { throw new ConnmanError('InvalidArguments', 'no'); } },
    ],
    signals: [{ name: 'Ping', args: [{ name: 'n', type: 'u' }] }],
  }]);
});

after(() => {
  server?.disconnect();
  client?.disconnect();
  busDaemon?.kill();
  fs.rmSync(dir, { recursive: true, force: true });
});

test('nameOwner is undefined until a peer takes the name, then its unique name', async () => {
  assert.equal(await client.nameOwner(NAME), undefined);
  assert.equal(await server.requestName(NAME), true);
  assert.equal(await client.nameOwner(NAME), server.uniqueName);
});

test('call round-trips a dictionary of variants built with variant()', async () => {
  const [out] = await client.call(NAME, '/peer', IFACE, 'Echo', 'a{sv}',
    [{ ssid: client.variant('ay', Buffer.from('net')), n: client.variant('i', 7) }]);
  const dict = out as Record<string, { signature: string; value: unknown }>;
  assert.equal(dict.ssid.signature, 'ay');
  assert.deepEqual(dict.ssid.value, Buffer.from('net'));
  assert.equal(dict.n.value, 7);
});

test('an error reply rejects with RemoteCallError carrying the D-Bus error name', async () => {
  await assert.rejects(client.call(NAME, '/peer', IFACE, 'Fail'),
    (e: unknown) => e instanceof RemoteCallError && e.errorName === 'net.connman.Error.InvalidArguments');
  await assert.rejects(client.call('org.example.Nobody', '/', IFACE, 'Echo'),
    (e: unknown) => e instanceof RemoteCallError && e.errorName === 'org.freedesktop.DBus.Error.ServiceUnknown');
});

test('subscribe delivers only matching signals, until unsubscribed', async () => {
  const got: ReceivedSignal[] = [];
  const other: ReceivedSignal[] = [];
  const off = await client.subscribe({ sender: NAME, interface: IFACE, member: 'Ping' }, (s) => got.push(s));
  const offOther = await client.subscribe({ sender: NAME, path: '/elsewhere' }, (s) => other.push(s));
  server.signal('/peer', IFACE, 'Ping', 'u', [1]);
  await tick();
  assert.equal(got.length, 1);
  assert.deepEqual(got[0].body, [1]);
  assert.equal(got[0].sender, server.uniqueName);
  assert.equal(other.length, 0);
  await off();
  server.signal('/peer', IFACE, 'Ping', 'u', [2]);
  await tick();
  assert.equal(got.length, 1);
  await offOther();
});

test('NameOwnerChanged with arg0 reports a peer leaving', async () => {
  const changes: unknown[][] = [];
  const off = await client.subscribe({ sender: 'org.freedesktop.DBus', interface: 'org.freedesktop.DBus',
    member: 'NameOwnerChanged', arg0: NAME }, (s) => changes.push(s.body));
  const owner = server.uniqueName;
  await server.releaseName();
  await tick();
  assert.deepEqual(changes, [[NAME, owner, '']]);
  await off();
});
