// ConnMan 802.1X provisioning -> iwd's own network file (iwd.network(5)): file names and [Security] keys.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { iwd8021xSettings, iwdNetworkFile, writeIwd8021x } from '../../ts/plugins/wifi/iwd-8021x';
import type { ProvisionedService } from '../../ts/config/provisioning';

const prov = (p: Partial<ProvisionedService>) => ({ file: 'x', ident: 'service_x', type: 'wifi', ...p }) as ProvisionedService;

test('iwd file names: a plain SSID as is, anything else as =hex', () => {
  assert.equal(iwdNetworkFile(Buffer.from('sy-eap'), '8021x'), 'sy-eap.8021x');
  assert.equal(iwdNetworkFile(Buffer.from('My Net_2'), 'psk'), 'My Net_2.psk');
  assert.equal(iwdNetworkFile(Buffer.from('café'), '8021x'), `=${Buffer.from('café').toString('hex')}.8021x`);
  assert.equal(iwdNetworkFile(Buffer.from('a/b'), '8021x'), '=612f62.8021x', 'no path separators in a name');
  assert.equal(iwdNetworkFile(Buffer.from([0xff, 0x41]), 'open'), '=ff41.open');
});

test('EAP-TLS, PEAP and TTLS settings from a provisioning section', () => {
  assert.equal(iwd8021xSettings(prov({ eap: 'tls', identity: 'client', caCertFile: '/c/ca.pem', clientCertFile: '/c/cl.pem', privateKeyFile: '/c/cl.key', privateKeyPassphrase: 'k' })),
    '[Security]\nEAP-Method=TLS\nEAP-Identity=client\nEAP-TLS-CACert=/c/ca.pem\nEAP-TLS-ClientCert=/c/cl.pem\nEAP-TLS-ClientKey=/c/cl.key\nEAP-TLS-ClientKeyPassphrase=k\n');
  assert.equal(iwd8021xSettings(prov({ eap: 'peap', identity: 'alice', anonymousIdentity: 'anon', caCertFile: '/c/ca.pem', phase2: 'MSCHAPV2', passphrase: 'pw', domainSuffixMatch: 'sy.test' })),
    '[Security]\nEAP-Method=PEAP\nEAP-Identity=anon\nEAP-PEAP-CACert=/c/ca.pem\nEAP-PEAP-ServerDomainMask=sy.test\nEAP-PEAP-Phase2-Method=MSCHAPV2\nEAP-PEAP-Phase2-Identity=alice\nEAP-PEAP-Phase2-Password=pw\n');
  assert.match(iwd8021xSettings(prov({ eap: 'ttls', identity: 'alice', phase2: 'MSCHAPV2', passphrase: 'pw' })), /EAP-Identity=alice\n.*EAP-TTLS-Phase2-Method=Tunneled-MSCHAPv2\n/s);
  assert.match(iwd8021xSettings(prov({ eap: 'ttls', identity: 'a', phase2: 'PAP' })), /Tunneled-PAP/);
  assert.throws(() => iwd8021xSettings(prov({ eap: 'pwd' })), /not supported/);
  assert.doesNotMatch(iwd8021xSettings(prov({ eap: 'peap', identity: 'a\nEAP-Method=TLS' })), /\nEAP-Method=TLS/, 'a newline cannot add a key');
});

test('writeIwd8021x replaces the file in one rename, readable by root only', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sy-iwd-'));
  try {
    const file = writeIwd8021x(dir, Buffer.from('lab'), prov({ eap: 'peap', identity: 'alice', passphrase: 'pw' }));
    assert.equal(file, path.join(dir, 'lab.8021x'));
    assert.match(fs.readFileSync(file, 'utf8'), /EAP-PEAP-Phase2-Password=pw/);
    assert.equal(fs.statSync(file).mode & 0o777, 0o600);
    writeIwd8021x(dir, Buffer.from('lab'), prov({ eap: 'ttls', identity: 'alice', passphrase: 'pw2' }));
    assert.match(fs.readFileSync(file, 'utf8'), /EAP-Method=TTLS/);
    assert.deepEqual(fs.readdirSync(dir), ['lab.8021x']);
  } finally { fs.rmSync(dir, { recursive: true, force: true }); }
});
