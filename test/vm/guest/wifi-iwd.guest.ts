// Runs INSIDE the test guest after wifi-daemon.guest.ts: the same radios and access points, but iwd in
// the station namespace instead of wpa_supplicant, and Switchyard started with `-W iwd`. The services
// and the user-visible behaviour must be the same as with wpa_supplicant.
import { test, before, after, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Bus } from '../../../ts/dbus/bus';
import { Background, run } from '../../harness/proc';
import { waitUntil } from '../../harness/wait';
import { CERTS, PASSPHRASE, STA_NS, WORLD, apDown, apUp } from './daemon-world';
import { SERVICE_IDS, SYSTEM_BUS, TestAgent, WifiLab, servicePath } from './wifi-lab';

let bus: Bus;
let lab: WifiLab;
let agent: TestAgent;
let iwd: Background;
const IWD_DIR = '/var/lib/iwd';

const id = SERVICE_IDS;

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
  // (and verifies the EAP server's ECDSA certificate through the kernel's keyring)
  await run(['sh', '-c', 'for m in af_alg algif_hash algif_skcipher algif_aead cmac hmac md4 sha256 sha512 ecb cbc aes_generic des_generic arc4 pkcs8_key_parser ccm gcm ecc ecdh_generic ecdsa_generic; do modprobe $m 2>/dev/null; done; true']);
  mkdirSync('/tmp/iwd-conf', { recursive: true });
  // iwd's default storage directory: Switchyard writes 802.1X network files there (the guest's / is a
  // throw-away overlay)
  mkdirSync(IWD_DIR, { recursive: true });
  // keep the hwsim interface instead of letting iwd recreate it; no IP configuration by iwd
  writeFileSync('/tmp/iwd-conf/main.conf', '[General]\nEnableNetworkConfiguration=false\n[DriverQuirks]\nDefaultInterface=*\n');
  iwd = new Background('iwd', ['ip', 'netns', 'exec', STA_NS, '/usr/libexec/iwd', '-d'], '/tmp/iwd.log', '/tmp/iwd.log',
    { ...process.env, CONFIGURATION_DIRECTORY: '/tmp/iwd-conf', STATE_DIRECTORY: IWD_DIR });
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

test('iwd: access point gone and back: the favourite reconnects', async () => {
  // connected and saved by the previous test
  assert.equal(await lab.state(id.wpa2), 'ready');
  const i = WORLD.findIndex((a) => a.ssid === 'sy-wpa2');
  const watch = await lab.watchStates(id.wpa2);
  await lab.sh(apDown(i));
  // what a user sees first: the service is no longer ready once its access point is gone
  await lab.waitState(id.wpa2, ['idle', 'failure', 'association', 'configuration'], 40_000);
  // the reconnect comes from the fast rescans Switchyard asks iwd for after a loss (docs/wifi.md)
  const asked = agent.requests.length;
  await lab.sh(apUp(i));
  await lab.waitState(id.wpa2, ['ready'], 90_000);
  await watch.stop();
  process.stdout.write(`# AP gone (iwd): ${watch.timeline()}\n`);
  assert.equal(agent.requests.length, asked, 'no user action: the agent was not asked');
});

test('iwd: wrong passphrase -> ReportError invalid-key; acknowledged, the service is idle with Error invalid-key', async () => {
  await lab.remove(id.wpa2);
  await lab.waitState(id.wpa2, ['idle']);
  agent.answers.set(servicePath(id.wpa2), { Passphrase: 'not the passphrase' });
  const reported = agent.errors.length;
  const out = await lab.ctl('connect', id.wpa2);
  assert.match(out, /^Error /, out);
  // the test agent answers ReportError without Retry: connmand then leaves the failure state
  assert.deepEqual(agent.errors.slice(reported), [{ service: servicePath(id.wpa2), error: 'invalid-key' }]);
  const p = await lab.props(id.wpa2);
  assert.equal(p?.State, 'idle', out);
  assert.equal(p?.Error, 'invalid-key');
});

test('iwd: WPA3-SAE ready', async () => {
  agent.answers.set(servicePath(id.sae), { Passphrase: PASSPHRASE });
  assert.equal(await lab.ctl('connect', id.sae), `Connected ${id.sae}`);
  assert.match((await ipv4(id.sae)) ?? '', /^10\.77\.2\./);
  await lab.remove(id.sae);
});

test('iwd: hidden network by name', async () => {
  // iwd connects a hidden network only if its last scan saw the access point: scan now rather than wait
  // for iwd's own periodic scan, whose interval has grown by this point
  await waitUntil(async () => { await lab.ctl('scan', 'wifi'); return (await lab.services()).has(id.hiddenPlaceholder); },
    { timeoutMs: 60_000, intervalMs: 500, what: 'hidden placeholder' });
  agent.answers.set(servicePath(id.hiddenPlaceholder), { Name: 'sy-hidden', Passphrase: PASSPHRASE });
  const out = await lab.ctl('connect', id.hiddenPlaceholder);
  assert.equal(out, `Connected ${id.hiddenPlaceholder}`);
  assert.equal(await lab.state(id.hidden), 'ready');
  assert.match((await ipv4(id.hidden)) ?? '', /^10\.77\.4\./);
  await lab.removeAndCheck(id.hidden, /inet 10\.77\.4\./);
});

/** 802.1X: the same provisioning file as with wpa_supplicant; iwd reads its settings from the .8021x file Switchyard writes. */
// one method here (the file's keys for each are unit-tested): rewriting a provisioning file is seen by
// the daemon a moment later, which a second method right after would race
for (const [method, lines] of [
  ['PEAP', ['EAP = peap', `CACertFile = ${CERTS}/ca.pem`, 'Phase2 = MSCHAPV2', 'Identity = alice', 'Passphrase = alice-password']],
] as const) {
  test(`iwd: 802.1X EAP-${method} from a provisioning file: iwd's .8021x written, ready`, async () => {
    writeFileSync(join(lab.paths.stateDir, 'sy-eap.config'), ['[service_eap]', 'Type = wifi', 'Name = sy-eap', ...lines, ''].join('\n'));
    await waitUntil(async () => (await lab.props(id.eap))?.Immutable === true, { timeoutMs: 20_000, what: 'sy-eap provisioned' });
    // with the station free, autoconnect may take the newly provisioned favourite at once, and EAP
    // under emulation is slow: let that settle, then start from idle for the user's Connect
    const settled = ['ready', 'online', 'idle', 'failure'];
    await waitUntil(async () => settled.includes((await lab.state(id.eap)) ?? ''), { timeoutMs: 120_000, what: 'sy-eap settled' });
    if (['ready', 'online'].includes((await lab.state(id.eap)) ?? '')) await lab.ctl('disconnect', id.eap);
    await lab.waitState(id.eap, ['idle', 'failure']);
    // on the bus: EAP under emulation may outlast connmanctl's 25 s reply timeout
    const out = await bus.call('net.connman', servicePath(id.eap), 'net.connman.Service', 'Connect').then(() => 'ok', (e: Error) => e.message);
    assert.equal(out, 'ok', `${out}\n${readFileSync('/tmp/iwd.log', 'utf8').split('\n').filter((l) => /eap|EAP|TLS|8021x/.test(l)).slice(-15).join('\n')}`);
    assert.match(readFileSync(join(IWD_DIR, 'sy-eap.8021x'), 'utf8'), new RegExp(`EAP-Method=${method}\n`));
    assert.match((await ipv4(id.eap)) ?? '', /^10\.77\.5\./);
  });
}

test('iwd: the access point goes, iwd moves to the other one of the network by itself, the service ends ready with its address', async () => {
  rmSync(join(lab.paths.stateDir, 'sy-eap.config'), { force: true });
  if ((await lab.state(id.eap)) === 'ready') await lab.ctl('disconnect', id.eap);
  await lab.removeFavourites();
  agent.answers.set(servicePath(id.roam), { Passphrase: PASSPHRASE });
  assert.equal(await lab.ctl('connect', id.roam), `Connected ${id.roam}`);
  await lab.roamAndCheck(id.roam, { reconnects: true });
  await lab.remove(id.roam);
});
