// Scan results -> services, the part both Wi-Fi backends share: connmand's identifiers, the strength
// formula, grouping of access points, hidden networks; and 802.1X provisioning -> wpa_supplicant fields.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { groupNetworks, isHiddenSsid, ssidName, strengthOf, wifiServiceId } from '../../ts/plugins/wifi/networks';
import { eapFields } from '../../ts/plugins/wifi/wifi-device';
import { backendFromFlag } from '../../ts/plugins/wifi/wifi-plugin';
import type { ProvisionedService } from '../../ts/config/provisioning';
import { Service } from '../../ts/core/service';
import { securityList } from '../../ts/dbus/service-iface';

const MAC = '02:00:00:00:09:00';
const bss = (ssid: string | Buffer, security: 'none' | 'psk' | 'wep' | 'ieee8021x', signal: number, sae = false, wpaPsk = security === 'psk') =>
  ({ ssid: Buffer.isBuffer(ssid) ? ssid : Buffer.from(ssid), security, signal, bssid: '', sae, wpaPsk });

test('identifiers: wifi_<mac>_<ssid hex>_managed_<security>, hidden ones without the SSID', () => {
  assert.equal(wifiServiceId(MAC, Buffer.from('sy-open'), 'none'), 'wifi_020000000900_73792d6f70656e_managed_none');
  assert.equal(wifiServiceId('AA:BB:CC:DD:EE:FF', Buffer.from('x'), 'psk'), 'wifi_aabbccddeeff_78_managed_psk');
  assert.equal(wifiServiceId(MAC, Buffer.alloc(0), 'psk'), 'wifi_020000000900_hidden_managed_psk');
  assert.equal(wifiServiceId(MAC, Buffer.alloc(5), 'ieee8021x'), 'wifi_020000000900_hidden_managed_ieee8021x');
  assert.ok(isHiddenSsid(Buffer.from([0, 0, 0])));
  assert.ok(!isHiddenSsid(Buffer.from('a')));
});

test('strength: 120 + dBm, capped at 100 and at 0', () => {
  assert.equal(strengthOf(-30), 90);
  assert.equal(strengthOf(-10), 100);
  assert.equal(strengthOf(-130), 0);
});

test('grouping: one service per SSID and security, strongest access point wins, SAE noted', () => {
  const g = groupNetworks(MAC, [bss('home', 'psk', -70), bss('home', 'psk', -40, true), bss('home', 'none', -50),
    bss(Buffer.alloc(0), 'psk', -60), bss(Buffer.alloc(0), 'psk', -65), bss('wpa3', 'psk', -50, true, false)]);
  assert.equal(g.size, 4);
  const home = g.get(wifiServiceId(MAC, Buffer.from('home'), 'psk'))!;
  assert.equal(home.bsss.length, 2);
  assert.equal(home.strength, 80);
  assert.equal(home.sae, true);
  assert.equal(home.saeOnly, false);
  assert.equal(g.get(wifiServiceId(MAC, Buffer.from('wpa3'), 'psk'))!.saeOnly, true);
  const hidden = g.get(wifiServiceId(MAC, Buffer.alloc(0), 'psk'))!;
  assert.equal(hidden.hidden, true);
  assert.equal(hidden.bsss.length, 2);
});

test('names: UTF-8 SSIDs as text, NUL bytes dropped', () => {
  assert.equal(ssidName(Buffer.from('café')), 'café');
  assert.equal(ssidName(Buffer.from([0x61, 0, 0x62])), 'ab');
});

test('802.1X provisioning -> wpa_supplicant network fields', () => {
  const base: ProvisionedService = { ident: 'service_x', file: 'x', type: 'wifi', security: 'ieee8021x' };
  assert.deepEqual(eapFields({ ...base, eap: 'tls', caCertFile: '/c/ca.pem', clientCertFile: '/c/cl.pem', privateKeyFile: '/c/cl.key',
    privateKeyPassphrase: 'kp', identity: 'me' }), { eap: 'TLS', identity: 'me', ca_cert: '/c/ca.pem', client_cert: '/c/cl.pem',
    private_key: '/c/cl.key', private_key_passwd: 'kp' });
  assert.deepEqual(eapFields({ ...base, eap: 'peap', phase2: 'MSCHAPV2', identity: 'alice', passphrase: 'pw', anonymousIdentity: 'anon',
    domainSuffixMatch: 'sy.test' }), { eap: 'PEAP', identity: 'alice', anonymous_identity: 'anon', domain_suffix_match: 'sy.test',
    phase2: 'auth=MSCHAPV2', password: 'pw' });
  // identity and password from the agent when the file leaves them out
  assert.deepEqual(eapFields({ ...base, eap: 'ttls', phase2: 'pap' }, 'bob', 'secret'), { eap: 'TTLS', identity: 'bob', phase2: 'auth=PAP', password: 'secret' });
});

test('-W picks the backend: iwd, anything else wpa_supplicant', () => {
  assert.equal(backendFromFlag('iwd'), 'iwd');
  assert.equal(backendFromFlag('nl80211'), 'wpa_supplicant');
  assert.equal(backendFromFlag(undefined), 'wpa_supplicant');
});

test('WPS: a network is WPS-capable when any access point says so; Security lists wps for psk only, as connmand', () => {
  const g = groupNetworks(MAC, [{ ...bss('home', 'psk', -70), wps: false }, { ...bss('home', 'psk', -40), wps: true }, { ...bss('cafe', 'none', -50), wps: true }]);
  const home = g.get(wifiServiceId(MAC, Buffer.from('home'), 'psk'))!;
  assert.equal(home.wps, true);
  assert.equal(home.wpsAdvertising, false);
  const svc = (security: 'psk' | 'none' | 'wep', wps: boolean, wpsAdvertising = false) =>
    Object.assign(new Service('wifi_x', 'wifi'), { security, wps, wpsAdvertising });
  assert.deepEqual(securityList(svc('psk', true)), ['psk', 'wps']);
  assert.deepEqual(securityList(svc('psk', false)), ['psk']);
  assert.deepEqual(securityList(svc('none', true)), ['none'], 'an open access point that claims WPS is not believed');
  assert.deepEqual(securityList(svc('wep', true, true)), ['wep', 'wps_advertising']);
  assert.deepEqual(securityList(svc('psk', true, true)), ['psk', 'wps', 'wps_advertising']);
  assert.deepEqual(securityList(new Service('ethernet_x_cable', 'ethernet')), []);
});
