// Provisioning *.config files: every key of [global] and [service_*], errors naming file and line,
// security inference, matching, and the watched directory with its debounced reload.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { GLOBAL_SECTION_KEYS, SERVICE_SECTION_KEYS, matches, parseProvisioningFile } from '../../ts/config/provisioning';
import { ProvisioningChange, ProvisioningStore } from '../../ts/config/provisioning-store';

const FULL_WIFI = `[global]
Name = Lab networks
Description = every key

[service_lab]
Type = wifi
IPv4 = 192.0.2.10/255.255.255.0/192.0.2.1
IPv6 = 2001:db8::10/64/2001:db8::1
IPv6.Privacy = preferred
MAC = 02:AA:BB:CC:DD:EE
DeviceName = wlan0
Nameservers = 192.0.2.53, 2001:db8::53
SearchDomains = lab.test,example.org
Timeservers = ntp.lab.test
Domain = lab.test
mDNS = true
Name = ignored-when-ssid
SSID = 6c6162
EAP = peap
CACertFile = /etc/ca.pem
ClientCertFile = /etc/client.pem
PrivateKeyFile = /etc/key.pem
PrivateKeyPassphrase =  keep spaces 
PrivateKeyPassphraseType = fsid
Identity = user
AnonymousIdentity = anon
SubjectMatch = CN=radius
AltSubjectMatch = DNS:radius.lab.test
DomainSuffixMatch = lab.test
DomainMatch = radius.lab.test
Phase2 = MSCHAPV2
Passphrase = secret pass 
Security = ieee8021x
Hidden = true
`;

test('the key tables hold every documented key (2 global, 29 service)', () => {
  assert.equal(GLOBAL_SECTION_KEYS.length, 2);
  assert.equal(SERVICE_SECTION_KEYS.length, 29);
});

test('every [global] and [service_*] key parsed with its type', () => {
  const { config, problems } = parseProvisioningFile(FULL_WIFI, 'lab.config');
  assert.deepEqual(problems, []);
  assert.equal(config.name, 'Lab networks');
  assert.equal(config.description, 'every key');
  assert.deepEqual(config.services, [{
    ident: 'service_lab', file: 'lab', type: 'wifi',
    ipv4: { method: 'fixed', address: '192.0.2.10', prefixLength: 24, gateway: '192.0.2.1' },
    ipv6: { method: 'fixed', address: '2001:db8::10', prefixLength: 64, gateway: '2001:db8::1' },
    ipv6Privacy: 'prefered', mac: '02:aa:bb:cc:dd:ee', deviceName: 'wlan0',
    nameservers: ['192.0.2.53', '2001:db8::53'], searchDomains: ['lab.test', 'example.org'], timeservers: ['ntp.lab.test'],
    domain: 'lab.test', mdns: true, name: 'ignored-when-ssid', ssid: '6c6162', eap: 'peap',
    caCertFile: '/etc/ca.pem', clientCertFile: '/etc/client.pem', privateKeyFile: '/etc/key.pem',
    privateKeyPassphrase: 'keep spaces ', privateKeyPassphraseType: 'fsid', identity: 'user', anonymousIdentity: 'anon',
    subjectMatch: 'CN=radius', altSubjectMatch: 'DNS:radius.lab.test', domainSuffixMatch: 'lab.test', domainMatch: 'radius.lab.test',
    phase2: 'MSCHAPV2', passphrase: 'secret pass ', security: 'ieee8021x', hidden: true,
  }]);
});

test('IPv4/IPv6 forms, Name as SSID, security inference', () => {
  const p = (body: string) => parseProvisioningFile(`[service_x]\n${body}`, 'f.config');
  assert.deepEqual(p('Type=ethernet\nIPv4=dhcp').config.services[0].ipv4, { method: 'dhcp' });
  assert.deepEqual(p('Type=ethernet\nIPv4=auto').config.services[0].ipv4, { method: 'dhcp' });
  assert.deepEqual(p('Type=ethernet\nIPv4=off').config.services[0].ipv4, { method: 'off' });
  assert.deepEqual(p('Type=ethernet\nIPv4=10.0.0.2/8').config.services[0].ipv4, { method: 'fixed', address: '10.0.0.2', prefixLength: 8 });
  assert.deepEqual(p('Type=ethernet\nIPv6=dhcp').config.services[0].ipv6, { method: 'auto' });
  assert.deepEqual(p('Type=ethernet\nIPv6=2001:db8::2/bad').config.services[0].ipv6, { method: 'fixed', address: '2001:db8::2', prefixLength: 128 });
  assert.equal(p('Type=wifi\nName=lab').config.services[0].ssid, '6c6162');
  assert.equal(p('Type=wifi\nName=lab').config.services[0].security, 'none');
  assert.equal(p('Type=wifi\nName=lab\nPassphrase=12345678').config.services[0].security, 'psk');
  assert.equal(p('Type=wifi\nName=lab\nPassphrase=12345\nSecurity=wep').config.services[0].security, 'wep');
  const mismatch = p('Type=wifi\nName=lab\nSecurity=psk');
  assert.equal(mismatch.config.services[0].security, 'none');
  assert.match(mismatch.problems[0].message, /Security.*does not match.*using none/);
  assert.equal(p('Type=wifi\nName=lab\nSecurity=open').problems.length, 0);
  const eth = p('Type=ethernet\nName=x\nPassphrase=y');
  assert.equal(eth.config.services[0].name, undefined, 'ethernet reads only the generic keys');
  assert.equal(eth.problems.length, 2);
});

test('errors name the file and line; bad sections are dropped, the rest kept', () => {
  const text = '[global]\nName=n\nColour=blue\n[service_a]\nType=wifi\nSSID=zz\nName=ok\nIPv4=1.2.3/24\nMAC=nope\nIPv6.Privacy=sometimes\n' +
    'PrivateKeyPassphraseType=pin\nSecurity=wpa3\nmDNS=maybe\nBogus=1\n[service_b]\nIPv4=dhcp\n[service_c]\nType=token-ring\n[other]\nx=1\n[service_d]\nType=wifi\n';
  const { config, problems } = parseProvisioningFile(text, 'bad.config');
  const lines = problems.map((p) => `${p.file}:${p.line}: ${p.message}`);
  assert.deepEqual(lines, [
    'bad.config:3: [global] Colour: unknown key, ignored',
    'bad.config:14: [service_a] Bogus: unknown key, ignored',
    'bad.config:8: [service_a] IPv4: invalid IPv4 setting "1.2.3/24" (off, dhcp or address/netmask[/gateway]), ignored',
    'bad.config:10: [service_a] IPv6.Privacy: invalid IPv6.Privacy "sometimes" (disabled, enabled, preferred), ignored',
    'bad.config:9: [service_a] MAC: invalid MAC "nope", ignored',
    'bad.config:13: [service_a] mDNS: key "mDNS" in group "service_a" has value "maybe" which cannot be interpreted as a boolean, ignored',
    'bad.config:6: [service_a] SSID: invalid SSID "zz" (1 to 32 bytes in hex), ignored',
    'bad.config:11: [service_a] PrivateKeyPassphraseType: invalid PrivateKeyPassphraseType "pin" (only fsid), ignored',
    'bad.config:12: [service_a] Security: invalid Security "wpa3" (none, wep, psk, ieee8021x), ignored',
    'bad.config:15: [service_b]: missing Type, section ignored',
    'bad.config:18: [service_c] Type: unsupported Type "token-ring" (ethernet, wifi or gadget), section ignored',
    'bad.config:19: [other]: unknown group, ignored',
    'bad.config:21: [service_d]: Wi-Fi section needs SSID or Name, section ignored',
  ]);
  assert.deepEqual(config.services.map((s) => [s.ident, s.ssid]), [['service_a', '6f6b']]);
  const broken = parseProvisioningFile('[service_a]\nType=wifi\nno equals here\n', 'broken.config');
  assert.deepEqual(broken.problems.map((p) => [p.file, p.line, p.fatal]), [['broken.config', 3, true]]);
  assert.equal(broken.config.services.length, 0);
});

test('matching: type, SSID and security for Wi-Fi, then MAC before DeviceName', () => {
  const [w] = parseProvisioningFile('[service_w]\nType=wifi\nName=lab\nPassphrase=12345678\n', 'w.config').config.services;
  assert.ok(matches(w, { type: 'wifi', ssid: '6C6162', security: 'psk' }));
  assert.ok(!matches(w, { type: 'wifi', ssid: '6c6162', security: 'none' }));
  assert.ok(!matches(w, { type: 'ethernet' }));
  const [e] = parseProvisioningFile('[service_e]\nType=ethernet\nMAC=02:00:00:00:00:01\nDeviceName=eth9\n', 'e.config').config.services;
  assert.ok(matches(e, { type: 'ethernet', mac: '02:00:00:00:00:01', ifname: 'eth0' }), 'MAC takes precedence over DeviceName');
  assert.ok(!matches(e, { type: 'ethernet', mac: '02:00:00:00:00:02', ifname: 'eth9' }));
  const [d] = parseProvisioningFile('[service_d]\nType=ethernet\nDeviceName=eth9\n', 'd.config').config.services;
  assert.ok(matches(d, { type: 'ethernet', ifname: 'eth9' }) && !matches(d, { type: 'ethernet', ifname: 'eth0' }));
  const [any] = parseProvisioningFile('[service_any]\nType=ethernet\n', 'a.config').config.services;
  assert.ok(matches(any, { type: 'ethernet', mac: 'x', ifname: 'y' }));
});

test('ProvisioningStore: watched directory, files added, changed and removed, one debounced event each', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sy-prov-'));
  fs.writeFileSync(path.join(dir, 'a.config'), '[service_a]\nType=ethernet\n');
  fs.writeFileSync(path.join(dir, 'ignored.txt'), 'x');
  const st = new ProvisioningStore(dir, 100);
  const events: ProvisioningChange[] = [];
  const problems: string[] = [];
  st.on('changed', (c) => events.push(c));
  st.on('problem', (p) => problems.push(`${p.file}:${p.line}`));
  st.start();
  try {
    assert.deepEqual(st.services.map((s) => s.ident), ['service_a']);
    assert.ok(st.resolves('a', 'service_a') && !st.resolves('a', 'service_b') && !st.resolves('b', 'service_a'));
    const wait = async (n: number) => { for (let i = 0; i < 100 && events.length < n; i++) await new Promise((r) => setTimeout(r, 20)); };

    fs.writeFileSync(path.join(dir, 'b.config'), '[service_b]\nType=wifi\nName=lab\n');
    fs.appendFileSync(path.join(dir, 'b.config'), 'Passphrase=12345678\n');
    await wait(1);
    assert.deepEqual(events, [{ added: ['b'], changed: [], removed: [] }], 'a burst of writes is one event');
    assert.equal(st.match({ type: 'wifi', ssid: '6c6162', security: 'psk' })?.ident, 'service_b');

    fs.writeFileSync(path.join(dir, 'a.config'), '[service_a2]\nType=ethernet\n');
    await wait(2);
    assert.deepEqual(events[1], { added: [], changed: ['a'], removed: [] });
    fs.rmSync(path.join(dir, 'b.config'));
    await wait(3);
    assert.deepEqual(events[2], { added: [], changed: [], removed: ['b'] });
    fs.writeFileSync(path.join(dir, 'c.config'), '[service_c\n');
    await wait(4);
    assert.deepEqual(events[3], { added: ['c'], changed: [], removed: [] });
    assert.deepEqual(problems, ['c.config:1'], 'a corrupt file is reported, not fatal');
    assert.deepEqual(st.services.map((s) => s.ident), ['service_a2']);
  } finally {
    st.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
