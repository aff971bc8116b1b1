// BSS properties as wpa_supplicant sends them -> the service key's security, and service settings ->
// the AddNetwork dictionary wpa_supplicant needs (its quoting rules decide string versus bytes).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseBss, securityOf, wpsOf } from '../../ts/plugins/wifi/bss';
import { networkArgs, validatePassphrase } from '../../ts/plugins/wifi/network-config';

const v = (signature: string, value: unknown) => ({ signature, value });
const ie = (km: string[]) => v('a{sv}', { KeyMgmt: v('as', km), Pairwise: v('as', ['ccmp']) });
const bus = { variant: v };

test('security: EAP beats PSK beats WEP beats none; SAE and transition count as psk', () => {
  assert.equal(securityOf([], false), 'none');
  assert.equal(securityOf([], true), 'wep');
  assert.equal(securityOf(['wpa-psk'], true), 'psk');
  assert.equal(securityOf(['sae'], true), 'psk');
  assert.equal(securityOf(['wpa-psk', 'sae'], true), 'psk');
  assert.equal(securityOf(['wpa-ft-psk', 'wpa-psk-sha256'], true), 'psk');
  assert.equal(securityOf(['wpa-eap'], true), 'ieee8021x');
  assert.equal(securityOf(['wpa-psk', 'wpa-eap-sha256'], true), 'ieee8021x');
  assert.equal(securityOf(['owe'], true), 'none');
});

test('parseBss reads BSSAdded properties and keeps unchanged fields on PropertiesChanged', () => {
  const b = parseBss('/x/BSSs/1', {
    SSID: v('ay', Buffer.from('home')), BSSID: v('ay', Buffer.from([2, 0, 0, 0, 1, 0])), Signal: v('n', -42),
    Frequency: v('q', 2437), Privacy: v('b', true), Mode: v('s', 'infrastructure'),
    RSN: ie(['wpa-psk', 'sae']), WPA: ie([]), WPS: v('a{sv}', { Type: v('s', '') }), IEs: v('ay', Buffer.alloc(0)),
  });
  assert.equal(b.ssid.toString(), 'home');
  assert.equal(b.bssid, '02:00:00:00:01:00');
  assert.equal(b.signal, -42);
  assert.equal(b.frequency, 2437);
  assert.equal(b.security, 'psk');
  assert.equal(b.wps, false);
  const c = parseBss(b.path, { Signal: v('n', -60) }, b);
  assert.equal(c.signal, -60);
  assert.equal(c.security, 'psk');
  assert.equal(c.ssid.toString(), 'home');
  // The WPA element going away does not take the RSN suites with it.
  const d = parseBss(b.path, { WPA: ie([]) }, c);
  assert.deepEqual(d.rsnKeyMgmt, ['wpa-psk', 'sae']);
});

/** A WPS vendor element with the given attributes (type, value bytes). */
function wpsIe(attrs: [number, number[]][]): Buffer {
  const body = Buffer.concat(attrs.map(([t, v]) => { const h = Buffer.alloc(4); h.writeUInt16BE(t); h.writeUInt16BE(v.length, 2); return Buffer.concat([h, Buffer.from(v)]); }));
  return Buffer.concat([Buffer.from([221, 4 + body.length, 0x00, 0x50, 0xf2, 0x04]), body]);
}

test('WPS: version 1.0 with a WPS state makes the BSS WPS-capable; Selected Registrar means advertising', () => {
  const ssidIe = Buffer.from([0, 2, 0x41, 0x42]);
  // what hostapd sends with wps_state=2: Version 0x10, Wi-Fi Protected Setup State 2 (configured)
  const configured = wpsIe([[0x104a, [0x10]], [0x1044, [0x02]]]);
  assert.deepEqual(wpsOf(Buffer.concat([ssidIe, configured])), { wps: true, advertising: false });
  assert.deepEqual(wpsOf(wpsIe([[0x104a, [0x10]], [0x1044, [0x02]], [0x1041, [0x01]]])), { wps: true, advertising: true });
  assert.deepEqual(wpsOf(wpsIe([[0x104a, [0x10]], [0x1044, [0x00]]])), { wps: false, advertising: false }, 'state 0 is not WPS');
  assert.deepEqual(wpsOf(wpsIe([[0x1044, [0x02]]])), { wps: false, advertising: false }, 'no version attribute');
  assert.equal(wpsOf(Buffer.from([221, 4, 0x00, 0x50, 0xf2, 0x01])).wps, false, 'another vendor type');
  assert.equal(wpsOf(Buffer.from([0, 200, 1, 2])).wps, false, 'a length past the end stops the walk');
  assert.equal(wpsOf(Buffer.from([221])).wps, false);
  // an attribute whose length runs past the element ends the attribute list, not the process
  assert.equal(wpsOf(Buffer.from([221, 10, 0x00, 0x50, 0xf2, 0x04, 0x10, 0x4a, 0x00, 0x09, 0x10, 0x44])).wps, false);
  const b = parseBss('/x/BSSs/2', { SSID: v('ay', Buffer.from('AB')), RSN: ie(['wpa-psk']), Privacy: v('b', true), IEs: v('ay', Buffer.concat([ssidIe, configured])) });
  assert.equal(b.wps, true);
  assert.equal(b.wpsAdvertising, false);
  assert.equal(parseBss(b.path, { Signal: v('n', -50) }, b).wps, true, 'kept when IEs are not in the change');
});

test('networkArgs: SSID as bytes, passphrase quoted as a string, a 64-hex PSK as bytes', () => {
  const open = networkArgs(bus, { ssid: 'café', security: 'none', hidden: true });
  assert.deepEqual(open.ssid, v('ay', Buffer.from('café')));
  assert.deepEqual(open.key_mgmt, v('s', 'NONE'));
  assert.deepEqual(open.scan_ssid, v('i', 1));
  const psk = networkArgs(bus, { ssid: Buffer.from([0xff, 0x00]), security: 'psk', passphrase: 'secret123', sae: true });
  assert.deepEqual(psk.ssid, v('ay', Buffer.from([0xff, 0x00])));
  assert.deepEqual(psk.key_mgmt, v('s', 'WPA-PSK WPA-PSK-SHA256 SAE'));
  assert.deepEqual(psk.psk, v('s', 'secret123'));
  assert.deepEqual(psk.sae_password, v('s', 'secret123'));
  assert.deepEqual(psk.ieee80211w, v('u', 1));
  const hex = 'ab'.repeat(32);
  assert.deepEqual(networkArgs(bus, { ssid: 'x', security: 'psk', passphrase: hex }).psk, v('ay', Buffer.from(hex, 'hex')));
  const wep = networkArgs(bus, { ssid: 'x', security: 'wep', passphrase: '0102030405' });
  assert.deepEqual(wep.wep_key0, v('ay', Buffer.from('0102030405', 'hex')));
  assert.deepEqual(networkArgs(bus, { ssid: 'x', security: 'wep', passphrase: 'abcde' }).wep_key0, v('s', 'abcde'));
});

test('passphrases wpa_supplicant would refuse are refused before AddNetwork', () => {
  assert.match(validatePassphrase('psk', 'short') ?? '', /8\.\.63/);
  assert.match(validatePassphrase('psk', 'g'.repeat(64)) ?? '', /hex/);
  assert.equal(validatePassphrase('psk', 'x'.repeat(63)), undefined);
  assert.match(validatePassphrase('psk', undefined) ?? '', /required/);
  assert.match(validatePassphrase('wep', 'abc') ?? '', /WEP/);
  assert.equal(validatePassphrase('none', undefined), undefined);
  assert.throws(() => networkArgs(bus, { ssid: 'x', security: 'psk', passphrase: 'short' }), /8\.\.63/);
});
