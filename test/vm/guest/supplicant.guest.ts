// Runs INSIDE the test guest, first of the files test/vm/wifi-daemon-guest.test.ts starts: the Wi-Fi
// plugin's wpa_supplicant client against a real wpa_supplicant on the guest's system bus (D-Bus
// activated, in the guest's own namespace, on a radio of its own) and the hostapd access points of
// guest/daemon-world.ts. What only the client level can show is here: activation, the BSS properties,
// wpa_supplicant crashing and coming back. Connect scenarios per security type are the daemon tests'.
// The tests run in order and share one wpa_supplicant, as a daemon's session would.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { Bus } from '../../../ts/dbus/bus';
import { Supplicant, SupplicantInterface, SupplicantState } from '../../../ts/plugins/wifi/supplicant';
import type { Bss } from '../../../ts/plugins/wifi/bss';
import { CLIENT as STATION, WORLD, channelMhz } from './daemon-world';

let bus: Bus;
let supplicant: Supplicant;
let wlan: SupplicantInterface;


function once<T extends unknown[]>(on: (fn: (...a: T) => void) => () => void, timeoutMs: number, what: string): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => { off(); reject(new Error(`timed out waiting for ${what}`)); }, timeoutMs);
    const off = on((...a) => { clearTimeout(timer); off(); resolve(a); });
  });
}

/** Records state changes until `until` is reached (or the timeout); returns the sequence seen. */
async function statesUntil(iface: SupplicantInterface, start: () => Promise<unknown>, until: (s: SupplicantState[]) => boolean, timeoutMs: number): Promise<SupplicantState[]> {
  const seen: SupplicantState[] = [];
  let wake = () => {};
  const off = iface.on('state', (s) => { seen.push(s); wake(); });
  try {
    await start();
    const deadline = Date.now() + timeoutMs;
    while (!until(seen) && Date.now() < deadline) await new Promise<void>((r) => { wake = r; setTimeout(r, 200); });
    return seen;
  } finally { off(); }
}

async function scanFor(ssids: string[], extra: string[] = []): Promise<Map<string, Bss>> {
  const bySsid = new Map<string, Bss>();
  for (let attempt = 0; attempt < 4; attempt++) {
    assert.equal(await wlan.scan({ ssids: extra }), true, 'ScanDone(success)');
    for (const b of wlan.bsss.values()) bySsid.set(b.ssid.toString('utf8'), b);
    if (ssids.every((s) => bySsid.has(s))) break;
  }
  return bySsid;
}

async function connect(ssid: string, cfg: Parameters<SupplicantInterface['addNetwork']>[0]): Promise<SupplicantState[]> {
  await wlan.removeAllNetworks();
  const net = await wlan.addNetwork(cfg);
  assert.match(net, /^\/fi\/w1\/wpa_supplicant1\/Interfaces\/\d+\/Networks\/\d+$/);
  return statesUntil(wlan, () => wlan.selectNetwork(net), (s) => s.at(-1) === 'completed', 30_000);
}

async function supplicantPid(): Promise<number> {
  const [pid] = await bus.call('org.freedesktop.DBus', '/org/freedesktop/DBus', 'org.freedesktop.DBus',
    'GetConnectionUnixProcessID', 's', ['fi.w1.wpa_supplicant1']);
  return Number(pid);
}

before(async () => { bus = await Bus.connect(); });
after(async () => { await supplicant?.stop(); bus?.disconnect(); });

test('not running yet: start() reports no wpa_supplicant', async () => {
  supplicant = new Supplicant(bus);
  await supplicant.start();
  assert.equal(supplicant.running, false);
});

test('activate() starts wpa_supplicant through D-Bus activation and "appeared" fires', async () => {
  const appeared = once((fn) => supplicant.on('appeared', fn), 15_000, 'appeared');
  await supplicant.activate(15_000);
  await appeared;
  assert.equal(supplicant.running, true);
});

test('interface() creates the station interface once and reports its state', async () => {
  wlan = await supplicant.interface(STATION);
  assert.equal(wlan.ifname, STATION);
  assert.ok(['disconnected', 'inactive', 'scanning'].includes(wlan.state), wlan.state);
  assert.equal(await supplicant.interface(STATION), wlan);
});

test('a scan finds every broadcasting access point with its security, frequency and signal', async () => {
  const visible = WORLD.filter((a) => !a.hidden && !a.bridged);
  const found = await scanFor(visible.map((a) => a.ssid));
  const expect = { open: 'none', wpa2: 'psk', sae: 'psk', 'wpa2-sae': 'psk', wep: 'wep', eap: 'ieee8021x' } as const;
  for (const ap of visible) {
    const b = found.get(ap.ssid);
    assert.ok(b, `${ap.ssid} found (have ${[...found.keys()].join(', ')})`);
    assert.equal(b.security, expect[ap.security], ap.ssid);
    assert.equal(b.frequency, channelMhz(ap.channel), ap.ssid);
    assert.ok(b.signal < 0 && b.signal > -100, `${ap.ssid} signal ${b.signal}`);
    assert.equal(b.bssid, `02:00:00:00:0${WORLD.indexOf(ap)}:00`);
    assert.equal(b.mode, 'infrastructure');
  }
  assert.ok(found.get('sy-sae')!.rsnKeyMgmt.includes('sae'), 'SAE suite reported');
  assert.ok(found.get('sy-mixed')!.rsnKeyMgmt.includes('wpa-psk') && found.get('sy-mixed')!.rsnKeyMgmt.includes('sae'));
  assert.equal(found.get('sy-open')!.privacy, false);
  assert.equal(found.get('sy-wpa2')!.privacy, true);
  // hostapd's wps_state=2 on sy-wpa2 only
  assert.equal(found.get('sy-wpa2')!.wps, true, 'WPS element on sy-wpa2');
  assert.equal(found.get('sy-open')!.wps, false);
  assert.equal(found.has('sy-hidden'), false, 'a hidden SSID is not in a wildcard scan');
});

test('a scan that names the hidden SSID finds it', async () => {
  const found = await scanFor(['sy-hidden'], ['sy-hidden']);
  assert.equal(found.get('sy-hidden')?.security, 'psk');
});

test('connect to the open network: states end in completed on the right BSS', async () => {
  const states = await connect('sy-open', { ssid: 'sy-open', security: 'none' });
  assert.equal(states.at(-1), 'completed', states.join(' -> '));
  assert.ok(states.includes('associating'), states.join(' -> '));
  assert.equal(wlan.bsss.get(wlan.currentBss!)?.ssid.toString(), 'sy-open');
});

test('disconnect() ends in disconnected with no current BSS', async () => {
  const states = await statesUntil(wlan, () => wlan.disconnect(), (s) => s.at(-1) === 'disconnected', 10_000);
  assert.equal(states.at(-1), 'disconnected');
  assert.equal(wlan.currentBss, undefined);
});

test('wpa_supplicant crashing: "vanished", the interface is gone, calls fail cleanly', async () => {
  const vanished = once((fn) => supplicant.on('vanished', fn), 10_000, 'vanished');
  const gone = once((fn) => wlan.on('gone', fn), 10_000, 'gone');
  process.kill(await supplicantPid(), 'SIGKILL');
  await vanished;
  await gone;
  assert.equal(supplicant.running, false);
  assert.equal(wlan.alive, false);
  await assert.rejects(wlan.scan(), /no longer manages/);
});

test('wpa_supplicant started again by someone else: "appeared" from NameOwnerChanged alone', async () => {
  const appeared = once((fn) => supplicant.on('appeared', fn), 15_000, 'appeared');
  // As a service manager restarting it would: not through us, not through activation.
  spawn('wpa_supplicant', ['-u', '-O', '/run/wpa_supplicant', '-f', '/tmp/wpa-restarted.log'], { detached: true, stdio: 'ignore' }).unref();
  await appeared;
  assert.equal(supplicant.running, true);
});

test('a client that starts while wpa_supplicant runs sees it at once', async () => {
  const late = new Supplicant(bus);
  let appeared = 0;
  late.on('appeared', () => appeared++);
  await late.start();
  assert.equal(late.running, true);
  assert.equal(appeared, 1);
  await late.stop();
});

test('after the restart a new interface object scans and connects again', async () => {
  const again = await supplicant.interface(STATION);
  assert.notEqual(again, wlan);
  wlan = again;
  await scanFor(['sy-open']);
  const states = await connect('sy-open', { ssid: 'sy-open', security: 'none' });
  assert.equal(states.at(-1), 'completed', states.join(' -> '));
});

test('removeInterface() lets go of the interface', async () => {
  await supplicant.removeInterface(wlan);
  assert.equal(wlan.alive, false);
  await assert.rejects(bus.call('fi.w1.wpa_supplicant1', '/fi/w1/wpa_supplicant1', 'fi.w1.wpa_supplicant1', 'GetInterface', 's', [STATION]),
    (e: unknown) => (e as { errorName?: string }).errorName === 'fi.w1.wpa_supplicant1.InterfaceUnknown');
});
