// Runs INSIDE the test guest after wifi-daemon.guest.ts: the same radios and access points, but iwd in
// the station namespace instead of wpa_supplicant, and Switchyard started with `-W iwd`. The services
// and the user-visible behaviour must be the same as with wpa_supplicant.
import { test, before, after, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Bus } from '../../../ts/dbus/bus';
import { Background, run } from '../../harness/proc';
import { waitUntil, sleep } from '../../harness/wait';
import { PASSPHRASE, STA_NS, WORLD, apDown, apUp } from './daemon-world';
import { SYSTEM_BUS, TestAgent, WifiLab, serviceId, servicePath } from './wifi-lab';

let bus: Bus;
let lab: WifiLab;
let agent: TestAgent;
let iwd: Background;

const id = {
  open: serviceId('sy-open', 'none'),
  wpa2: serviceId('sy-wpa2', 'psk'),
  sae: serviceId('sy-sae', 'psk'),
  mixed: serviceId('sy-mixed', 'psk'),
  hiddenPlaceholder: serviceId(null, 'psk'),
  hidden: serviceId('sy-hidden', 'psk'),
  eap: serviceId('sy-eap', 'ieee8021x'),
  roam: serviceId('sy-roam', 'psk'),
};

async function ipv4(svc: string): Promise<string | undefined> {
  return ((await lab.props(svc))?.IPv4 as Record<string, unknown> | undefined)?.Address as string | undefined;
}

function saveLogs(): void {
  if (!process.env.VM_RESULTS) return;
  for (const [from, to] of [[join(lab.paths.dir, 'switchyard.err'), 'switchyard-iwd.err'], ['/tmp/iwd.log', 'iwd.log']]) {
    if (existsSync(from)) writeFileSync(join(process.env.VM_RESULTS, to), readFileSync(from));
  }
}

before(async () => {
  // wpa_supplicant and iwd cannot share a radio
  await run(['sh', '-c', 'kill $(cat /run/wpa_supplicant.pid) 2>/dev/null; sleep 1']);
  // iwd does its cryptography through the kernel (AF_ALG) and reads keys through pkcs8_key_parser
  await run(['sh', '-c', 'for m in af_alg algif_hash algif_skcipher algif_aead cmac hmac md4 sha256 sha512 ecb cbc aes_generic des_generic arc4 pkcs8_key_parser ccm gcm; do modprobe $m 2>/dev/null; done; true']);
  mkdirSync('/tmp/iwd-conf', { recursive: true });
  mkdirSync('/tmp/iwd-state', { recursive: true });
  // keep the hwsim interface instead of letting iwd recreate it; no IP configuration by iwd
  writeFileSync('/tmp/iwd-conf/main.conf', '[General]\nEnableNetworkConfiguration=false\n[DriverQuirks]\nDefaultInterface=*\n');
  iwd = new Background('iwd', ['ip', 'netns', 'exec', STA_NS, '/usr/libexec/iwd', '-d'], '/tmp/iwd.log', '/tmp/iwd.log',
    { ...process.env, CONFIGURATION_DIRECTORY: '/tmp/iwd-conf', STATE_DIRECTORY: '/tmp/iwd-state' });
  bus = await Bus.connect(SYSTEM_BUS);
  await waitUntil(async () => (await bus.nameOwner('net.connman.iwd')) !== undefined, { timeoutMs: 30_000, what: 'iwd on the bus' });
  lab = new WifiLab(bus, '/tmp/sy-wifi-iwd');
  rmSync(lab.paths.dir, { recursive: true, force: true });
  await lab.start('switchyard', ['-d', '-W', 'iwd']);
  agent = new TestAgent(bus);
  await agent.register();
});

afterEach(saveLogs);
after(async () => {
  await lab?.stop().catch(() => undefined);
  await iwd?.stop(5000);
  saveLogs();
  bus?.disconnect();
});

test('iwd: enable wifi, scan: the same services as with wpa_supplicant', async () => {
  assert.equal(await lab.ctl('enable', 'wifi'), 'Enabled wifi');
  await waitUntil(async () => {
    await lab.ctl('scan', 'wifi');
    const have = await lab.services();
    return [id.open, id.wpa2, id.sae, id.mixed, id.eap, id.roam].every((i) => have.has(i));
  }, { timeoutMs: 90_000, intervalMs: 1000, what: 'services from iwd' });
  const all = await lab.services();
  assert.equal(all.get(id.open)?.Name, 'sy-open');
  assert.deepEqual(all.get(id.eap)?.Security, ['ieee8021x']);
  const s = all.get(id.wpa2)?.Strength;
  assert.ok(typeof s === 'number' && s > 0 && s <= 100, `Strength ${String(s)}`);
});

test('iwd: open network ready with a DHCP address', async () => {
  assert.equal(await lab.ctl('connect', id.open), `Connected ${id.open}`);
  assert.match((await ipv4(id.open)) ?? '', /^10\.77\.0\./);
  await lab.remove(id.open);
  await lab.waitState(id.open, ['idle']);
});

test('iwd: WPA2-PSK with the passphrase from our agent', async () => {
  agent.answers.set(servicePath(id.wpa2), { Passphrase: PASSPHRASE });
  assert.equal(await lab.ctl('connect', id.wpa2), `Connected ${id.wpa2}`);
  assert.match((await ipv4(id.wpa2)) ?? '', /^10\.77\.1\./);
});

test('iwd: wrong passphrase -> failure, Error invalid-key', async () => {
  await lab.remove(id.wpa2);
  await lab.waitState(id.wpa2, ['idle']);
  agent.answers.set(servicePath(id.wpa2), { Passphrase: 'not the passphrase' });
  const out = await lab.ctl('connect', id.wpa2);
  assert.match(out, /^Error /, out);
  const p = await lab.props(id.wpa2);
  assert.equal(p?.State, 'failure', out);
  assert.equal(p?.Error, 'invalid-key');
});

test('iwd: WPA3-SAE ready', async () => {
  agent.answers.set(servicePath(id.sae), { Passphrase: PASSPHRASE });
  assert.equal(await lab.ctl('connect', id.sae), `Connected ${id.sae}`);
  assert.match((await ipv4(id.sae)) ?? '', /^10\.77\.2\./);
  await lab.remove(id.sae);
});

test('iwd: hidden network by name', async () => {
  await waitUntil(async () => (await lab.services()).has(id.hiddenPlaceholder), { timeoutMs: 30_000, what: 'hidden placeholder' });
  agent.answers.set(servicePath(id.hiddenPlaceholder), { Name: 'sy-hidden', Passphrase: PASSPHRASE });
  const out = await lab.ctl('connect', id.hiddenPlaceholder);
  assert.equal(out, `Connected ${id.hiddenPlaceholder}`);
  assert.equal(await lab.state(id.hidden), 'ready');
  assert.match((await ipv4(id.hidden)) ?? '', /^10\.77\.4\./);
  await lab.remove(id.hidden);
});

test('iwd: access point gone and back: the favourite reconnects', async () => {
  await lab.removeFavourites();
  agent.answers.set(servicePath(id.wpa2), { Passphrase: PASSPHRASE });
  assert.equal(await lab.ctl('connect', id.wpa2), `Connected ${id.wpa2}`);
  const i = WORLD.findIndex((a) => a.ssid === 'sy-wpa2');
  await lab.sh(apDown(i));
  await lab.waitState(id.wpa2, ['idle', 'failure', 'association', 'configuration'], 40_000).catch(() => undefined);
  await sleep(5000);
  await lab.sh(apUp(i));
  await lab.waitState(id.wpa2, ['ready'], 90_000);
});
