// Storage against real bytes: the state directories connmand 1.41 wrote in the lab
// (test/fixtures/connmand-1.41-api/storage, made by test/harness/api-capture-storage.ts) are parsed with
// every value checked, and our writer must reproduce each settings file byte for byte.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { KeyFile } from '../../ts/config/keyfile';
import { gStrcompress, gStrescape } from '../../ts/config/gstrescape';
import {
  SERVICE_KEYS, ServiceSettings, decodeServiceSettings, encodeServiceSettings, formatModified, parseModified, serviceKindOf,
} from '../../ts/config/service-settings';
import { ServiceStore, StoreProblem } from '../../ts/config/service-store';
import {
  readGlobalSettings, readTechnologySettings, technologyGroup, writeGlobalSettings, writeTechnologySettings,
} from '../../ts/config/global-settings';

const FIX = path.join(__dirname, '..', '..', '..', 'test', 'fixtures', 'connmand-1.41-api', 'storage');
const meta = JSON.parse(fs.readFileSync(path.join(FIX, 'wired-dhcp.meta.json'), 'utf8')) as { serviceId: string; modes: Record<string, string> };
const ID = meta.serviceId;
const settingsOf = (snap: string) => fs.readFileSync(path.join(FIX, snap, ID, 'settings'), 'utf8');
const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'sy-storage-'));

test('the 36 keys a service file can hold', () => {
  assert.equal(SERVICE_KEYS.length, 36);
  assert.equal(new Set(SERVICE_KEYS).size, 36);
});

test('connmand wired DHCP service: every value read, bytes rewritten identically', () => {
  const text = settingsOf('wired-dhcp');
  const s = decodeServiceSettings(KeyFile.parse(text), ID)!;
  const modified = /Modified=(.*)/.exec(text)![1];
  assert.deepEqual(s, {
    id: ID, name: 'Wired', favorite: false, autoconnect: true, mdns: false, hidden: false,
    modified: parseModified(modified),
    ipv4: { method: 'dhcp', dhcpLastAddress: /LastAddress=(.*)/.exec(text)![1] },
    ipv6: { method: 'auto', privacy: 'disabled' },
  });
  assert.equal(formatModified(s.modified!), modified);
  // An ethernet service has no Favorite key; core marks it favourite when connected. Saving it as
  // connmand does (favourite, so AutoConnect is written) gives the same bytes.
  assert.equal(encodeServiceSettings({ ...s, favorite: true }).toString(), text);
});

test('connmand wired service after connmanctl config: manual IPv4, lists, proxy, mDNS', () => {
  const text = settingsOf('wired-manual');
  const s = decodeServiceSettings(KeyFile.parse(text), ID)!;
  assert.deepEqual(s.ipv4, { method: 'manual', prefixLength: 24, localAddress: '10.233.83.77', gateway: '10.233.83.1' });
  assert.deepEqual(s.ipv6, { method: 'off', privacy: 'disabled' });
  assert.deepEqual(s.nameservers, ['10.233.83.1', '192.0.2.53']);
  assert.deepEqual(s.timeservers, ['ntp.lab.test', '192.0.2.123']);
  assert.deepEqual(s.domains, ['lab.test', 'example.org']);
  assert.equal(s.proxyMethod, 'manual');
  assert.deepEqual(s.proxyServers, ['http://proxy.lab.test:3128', 'socks5://192.0.2.9']);
  assert.deepEqual(s.proxyExcludes, ['localhost', 'lab.test']);
  assert.equal(s.mdns, true);
  assert.equal(encodeServiceSettings({ ...s, favorite: true }).toString(), text);
});

test('a passphrase connmand loaded and saved again: g_strcompress then g_strescape, byte-exact', () => {
  const text = settingsOf('wired-passphrase-resaved');
  const input = fs.readFileSync(path.join(FIX, 'passphrase-input.txt'), 'utf8');
  assert.ok(text.includes(input), 'connmand kept the passphrase line as given');
  const s = decodeServiceSettings(KeyFile.parse(text), ID)!;
  assert.equal(s.passphrase, 'a b\\c"d\teé\u0001;x=');
  assert.equal(encodeServiceSettings({ ...s, favorite: true }).toString(), text);
});

test('connmand global settings: [global] and [Wired] read and rewritten identically', () => {
  const text = fs.readFileSync(path.join(FIX, 'wired-dhcp', 'settings'), 'utf8');
  const kf = KeyFile.parse(text);
  assert.deepEqual(readGlobalSettings(kf), { offlineMode: false });
  const t = readTechnologySettings(kf, 'ethernet');
  assert.deepEqual(t, { settings: { enable: true, tethering: false, tetheringFreq: 2412 }, needsSave: false });
  const fresh = new KeyFile();
  writeGlobalSettings(fresh, { offlineMode: false });
  writeTechnologySettings(fresh, 'ethernet', t.settings);
  assert.equal(fresh.toString(), text);
});

test('connmand file modes: state files 0600, service directories 0700; ours match', () => {
  for (const [rel, mode] of Object.entries(meta.modes)) {
    if (rel.endsWith('/data')) continue;
    assert.ok(rel === 'settings' || rel === ID || rel === `${ID}/settings`, rel);
    assert.equal(mode, rel === ID ? '700' : '600', rel);
  }
  const dir = tmp();
  const st = new ServiceStore(dir);
  st.save({ id: ID, favorite: true, autoconnect: true, mdns: false, hidden: false });
  assert.equal((fs.statSync(path.join(dir, ID)).mode & 0o777).toString(8), '700');
  assert.equal((fs.statSync(path.join(dir, ID, 'settings')).mode & 0o777).toString(8), '600');
});

test('g_strescape / g_strcompress', () => {
  assert.equal(gStrescape('a"b\\c\n\t\b\f\v\r\u0001\u007fé'), 'a\\"b\\\\c\\n\\t\\b\\f\\v\\r\\001\\177\\303\\251');
  assert.equal(gStrcompress('a\\"b\\\\c\\n\\t\\b\\f\\v\\r\\001\\177\\303\\251'), 'a"b\\c\n\t\b\f\v\r\u0001\u007fé');
  assert.equal(gStrcompress('\\q\\1x\\12y\\1234'), 'q\u0001x\ny\u00534');
  assert.equal(gStrcompress('end\\'), 'end', 'a trailing lone backslash ends the string');
  assert.equal(gStrcompress('a\\000b'), 'a', 'NUL ends the C string');
  assert.equal(gStrcompress('\\303\\251\\777'.slice(0, 8)), 'é', 'octal bytes reassemble UTF-8');
  assert.equal(gStrcompress('\\501'), 'A', 'octal above 255 truncated to a byte, as in C');
  for (const s of ['', 'plain', ' lead', 'tab\tin', '\\\\', 'ü€😀', ';,=[]#']) assert.equal(gStrcompress(gStrescape(s)), s);
});

test('GKeyFile escaping: leading blanks, backslashes, separators', () => {
  const kf = new KeyFile();
  kf.setString('g', 'a', '  two leading, inner  kept\ttab');
  kf.setStringList('g', 'l', [' x', 'y;z', 'w\\']);
  assert.equal(kf.getRaw('g', 'a'), '\\s\\stwo leading, inner  kept\ttab');
  assert.equal(kf.getRaw('g', 'l'), '\\sx;y\\;z;w\\\\;');
  const back = KeyFile.parse(kf.toString());
  assert.equal(back.getString('g', 'a'), '  two leading, inner  kept\ttab');
  assert.deepEqual(back.getStringList('g', 'l'), [' x', 'y;z', 'w\\']);
});

test('every key round-trips through our writer and reader (wifi, vpn, provisioned)', () => {
  const wifi: ServiceSettings = {
    id: 'wifi_0211223344_6c6162_managed_psk', name: 'lab', ssid: '6c6162', frequency: 2437, favorite: true,
    autoconnect: false, modified: new Date(2024, 0, 2, 3, 4, 5), passphrase: 'p\\a"ss é',
    ipv4: { method: 'fixed', prefixLength: 24, localAddress: '192.0.2.2', peerAddress: '192.0.2.9', broadcastAddress: '192.0.2.255', gateway: '192.0.2.1' },
    ipv6: { method: 'manual', privacy: 'prefered', dhcpLastAddress: '2001:db8::9', dhcpLastPrefixes: ['2001:db8:1::/64'], prefixLength: 64,
      localAddress: '2001:db8::2', peerAddress: '2001:db8::3', broadcastAddress: '2001:db8::ff', gateway: '2001:db8::1' },
    nameservers: ['192.0.2.53', '2001:db8::53'], timeservers: ['pool.ntp.org'], domains: ['a.test', 'b.test'],
    proxyMethod: 'auto', proxyServers: ['p:1'], proxyExcludes: ['x'], proxyUrl: 'http://wpad/wpad.dat',
    mdns: true, hidden: true, configFile: 'lab', configIdent: 'service_lab',
  };
  const kf = encodeServiceSettings(wifi);
  assert.deepEqual(kf.keys(wifi.id), ['Name', 'SSID', 'Frequency', 'Favorite', 'AutoConnect', 'Modified', 'Passphrase',
    'IPv4.method', 'IPv4.netmask_prefixlen', 'IPv4.local_address', 'IPv4.peer_address', 'IPv4.broadcast_address', 'IPv4.gateway',
    'IPv6.method', 'IPv6.privacy', 'IPv6.DHCP.LastAddress', 'IPv6.DHCP.LastPrefixes', 'IPv6.netmask_prefixlen', 'IPv6.local_address',
    'IPv6.peer_address', 'IPv6.broadcast_address', 'IPv6.gateway', 'Nameservers', 'Timeservers', 'Domains',
    'Proxy.Method', 'Proxy.Servers', 'Proxy.Excludes', 'Proxy.URL', 'mDNS', 'Hidden', 'Config.file', 'Config.ident']);
  const back = decodeServiceSettings(KeyFile.parse(kf.toString()), wifi.id)!;
  // IPv6 manual does not load DHCP.LastAddress (connmand reads it only for method dhcp)
  const expected = { ...wifi, ipv6: { ...wifi.ipv6! } };
  delete expected.ipv6.dhcpLastAddress;
  assert.deepEqual(back, expected);
  assert.deepEqual(decodeServiceSettings(KeyFile.parse(kf.toString()), wifi.id, { provisioned: true }),
    { id: wifi.id, favorite: false, autoconnect: false, modified: wifi.modified, mdns: false, hidden: false });

  const vpn = encodeServiceSettings({ id: 'vpn_host_test', favorite: true, autoconnect: true, splitRouting: true, mdns: false, hidden: false });
  assert.deepEqual(vpn.keys('vpn_host_test'), ['SplitRouting', 'AutoConnect']);
  assert.equal(serviceKindOf('vpn_host_test'), 'vpn');
  const eth = encodeServiceSettings({ id: 'ethernet_02_cable', favorite: false, autoconnect: true, mdns: false, hidden: false });
  assert.deepEqual(eth.keys('ethernet_02_cable'), [], 'ethernet has no Favorite key; AutoConnect only when favourite');
});

test('reading quirks: defaults, auto->dhcp, unknown method off, DUID kept, bad values absent', () => {
  const id = 'ethernet_02_cable';
  const kf = KeyFile.parse(`[${id}]\nAutoConnect=maybe\nModified=2020-01-01T00:00:00.123Z\nIPv4.method=auto\nIPv4.DHCP.LastAddress=10.0.0.5\n` +
    `IPv6.method=bogus\nIPv6.DHCP.DUID=000100\nNameservers=\nUnknown=1\n`);
  const s = decodeServiceSettings(kf, id)!;
  assert.equal(s.autoconnect, undefined);
  assert.deepEqual(s.modified, new Date(2020, 0, 1, 0, 0, 0));
  assert.deepEqual(s.ipv4, { method: 'dhcp', dhcpLastAddress: '10.0.0.5' });
  assert.deepEqual(s.ipv6, { method: 'off', privacy: 'disabled', dhcpDuid: '000100' });
  assert.equal(s.nameservers, undefined);
  // connmand's service_save drops IPv6.DHCP.DUID (so its DUID changes at the next DHCPv6 start);
  // Switchyard writes it back so the DUID survives (issue 7), a deliberate difference.
  assert.match(encodeServiceSettings(s).toString(), /^IPv6\.DHCP\.DUID=000100$/m);
  assert.ok(!encodeServiceSettings(s).toString().includes('Unknown'));
  assert.equal(decodeServiceSettings(KeyFile.parse('[other]\nName=x\n'), id), undefined);
  const none = decodeServiceSettings(KeyFile.parse(`[${id}]\n`), id)!;
  assert.deepEqual([none.ipv4, none.ipv6], [{ method: 'dhcp' }, { method: 'auto', privacy: 'disabled' }]);
  assert.equal(parseModified('2020-01-01T00:00:00+01:00'), undefined);
  assert.equal(parseModified('garbage'), undefined);
});

test('ServiceStore: discovery, load all, corrupt file reported and skipped, forget, delete', () => {
  const dir = tmp();
  const problems: StoreProblem[] = [];
  const st = new ServiceStore(dir, (p) => problems.push(p));
  fs.cpSync(path.join(FIX, 'wired-manual'), dir, { recursive: true });
  fs.mkdirSync(path.join(dir, 'provider_vpn1'));
  fs.writeFileSync(path.join(dir, 'provider_vpn1', 'settings'), '[vpn1]\nName=x\n');
  fs.mkdirSync(path.join(dir, 'emptydir'));
  fs.mkdirSync(path.join(dir, 'wifi_02_aa_managed_psk'));
  fs.writeFileSync(path.join(dir, 'wifi_02_aa_managed_psk', 'settings'), '[wifi_02_aa_managed_psk]\nName=ok\nthis line is broken\n');
  assert.deepEqual(st.ids(), [ID, 'wifi_02_aa_managed_psk']);
  const all = st.loadAll();
  assert.deepEqual(all.map((s) => s.id), [ID]);
  assert.equal(problems.length, 1);
  assert.match(problems[0].file, /wifi_02_aa_managed_psk\/settings$/);
  assert.equal(problems[0].line, 3);

  const wid = 'wifi_02_bb_managed_psk';
  st.save({ id: wid, name: 'bb', favorite: true, autoconnect: true, passphrase: 'secret', mdns: false, hidden: false,
    ipv4: { method: 'dhcp' }, ipv6: { method: 'auto', privacy: 'enabled' } });
  const f = st.forget(wid)!;
  assert.equal(f.favorite, false);
  const text = fs.readFileSync(path.join(dir, wid, 'settings'), 'utf8');
  assert.ok(text.includes('Favorite=false') && !text.includes('Passphrase') && !text.includes('AutoConnect') && text.includes('IPv6.privacy=disabled'), text);
  assert.ok(fs.existsSync(path.join(dir, wid)), 'Remove keeps the directory');

  assert.equal(st.delete(wid), true);
  assert.ok(!fs.existsSync(path.join(dir, wid)));
  fs.writeFileSync(path.join(dir, ID, 'history'), 'x');
  assert.equal(st.delete(ID), false, 'rmdir fails with history left, as in connmand');
  assert.equal(problems.length, 2);
  assert.throws(() => st.save({ id: '../escape', favorite: false, mdns: false, hidden: false }));
  assert.equal(st.load('../etc'), undefined);
});

test('technology sections: defaults per type, needsSave, tethering passphrase escaped', () => {
  assert.equal(technologyGroup('wifi'), 'WiFi');
  assert.deepEqual(readTechnologySettings(undefined, 'ethernet').settings.enable, true);
  assert.deepEqual(readTechnologySettings(undefined, 'wifi').settings.enable, false);
  const kf = KeyFile.parse('[WiFi]\nTethering.Identifier=ap\nTethering.Passphrase=p\\\\303\\\\251\n');
  const w = readTechnologySettings(kf, 'wifi');
  assert.equal(w.needsSave, true);
  assert.equal(w.settings.tetheringPassphrase, 'pé');
  writeTechnologySettings(kf, 'wifi', w.settings);
  assert.equal(kf.toString(), '[WiFi]\nTethering.Identifier=ap\nTethering.Passphrase=p\\\\303\\\\251\nEnable=false\nTethering=false\nTethering.Freq=2412\n');
  const g = new KeyFile();
  writeGlobalSettings(g, { offlineMode: true, timeUpdates: 'manual', timezoneUpdates: 'auto', timeservers: ['a', 'b'] });
  assert.deepEqual(readGlobalSettings(KeyFile.parse(g.toString())), { offlineMode: true, timeUpdates: 'manual', timezoneUpdates: 'auto', timeservers: ['a', 'b'] });
  writeGlobalSettings(g, { timeservers: undefined });
  assert.equal(g.hasKey('global', 'Timeservers'), false);
});
