import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { MAIN_CONF_KEYS, loadMainConf, parseMainConf } from '../../ts/config/main-conf';

test('the table has all 34 ConnMan keys plus the Switchyard extensions KeepExistingConfiguration and DnsBackend', () => {
  assert.equal(MAIN_CONF_KEYS.length, 36);
  assert.equal(new Set(MAIN_CONF_KEYS.map((k) => k.key)).size, 36);
  assert.ok(MAIN_CONF_KEYS.some((k) => k.key === 'KeepExistingConfiguration'));
  assert.ok(MAIN_CONF_KEYS.some((k) => k.key === 'DnsBackend'));
});

test('DnsBackend: internal by default, systemd-resolved when asked, internal for anything else', () => {
  assert.equal(parseMainConf('').config.DnsBackend, 'internal');
  assert.equal(parseMainConf('[General]\nDnsBackend = systemd-resolved\n').config.DnsBackend, 'systemd-resolved');
  assert.equal(parseMainConf('[General]\nDnsBackend = bind9\n').config.DnsBackend, 'internal');
});

test('an empty file gives ConnMan defaults', () => {
  const { config: c, warnings } = parseMainConf('');
  assert.deepEqual(warnings, []);
  assert.equal(c.InputRequestTimeout, 120);
  assert.deepEqual(c.DefaultAutoConnectTechnologies, ['wifi', 'ethernet', 'cellular']);
  assert.deepEqual(c.DefaultFavoriteTechnologies, ['ethernet']);
  assert.deepEqual(c.NetworkInterfaceBlacklist, ['vmnet', 'vboxnet', 'virbr', 'ifb', 've-', 'vb-']);
  assert.equal(c.OnlineCheckMode, 'one-shot');
  assert.equal(c.OnlineCheckIPv4URL, 'http://ipv4.connman.net/online/status.html');
  assert.equal(c.ResolvConf, undefined);
});

test('missing file vs empty file: only the missing file leaves the online check undetermined', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sy-mc-'));
  const missing = loadMainConf(path.join(dir, 'nope.conf'));
  assert.equal(missing.exists, false);
  assert.equal(missing.config.OnlineCheckMode, 'unknown');
  assert.equal(missing.config.OnlineCheckIPv4URL, undefined);
  assert.deepEqual(missing.config.NetworkInterfaceBlacklist, ['vmnet', 'vboxnet', 'virbr', 'ifb', 've-', 'vb-']);
  fs.writeFileSync(path.join(dir, 'empty.conf'), '');
  const empty = loadMainConf(path.join(dir, 'empty.conf'));
  assert.equal(empty.config.OnlineCheckMode, 'one-shot');
  fs.rmSync(dir, { recursive: true });
});

test('booleans are true only for "true" or "1"; lists are trimmed; unknown types dropped', () => {
  const { config: c } = parseMainConf('[General]\nAllowHostnameUpdates=yes\nSingleConnectedTechnology=1\n' +
    'PreferredTechnologies = wifi , bogus,ethernet\nFallbackNameservers=1.1.1.1,not-an-ip\nBackgroundScanning=maybe\n');
  assert.equal(c.AllowHostnameUpdates, false);
  assert.equal(c.SingleConnectedTechnology, true);
  assert.deepEqual(c.PreferredTechnologies, ['wifi', 'ethernet']);
  assert.deepEqual(c.FallbackNameservers, ['1.1.1.1']);
  assert.equal(c.BackgroundScanning, true, 'strict boolean keeps its default on a bad value');
});

test('online check mode is derived from the deprecated keys', () => {
  assert.equal(parseMainConf('[General]\nEnableOnlineCheck=false\n').config.OnlineCheckMode, 'none');
  assert.equal(parseMainConf('[General]\nEnableOnlineToReadyTransition=true\n').config.OnlineCheckMode, 'continuous');
  assert.equal(parseMainConf('[General]\nOnlineCheckMode=continuous\nEnableOnlineCheck=false\n').config.OnlineCheckMode, 'continuous');
  const c = parseMainConf('[General]\nOnlineCheckInitialInterval=20\nOnlineCheckMaxInterval=10\n').config;
  assert.equal(c.OnlineCheckInitialInterval, 1);
  assert.equal(c.OnlineCheckMaxInterval, 12);
});

test('unknown keys and groups warn; the rest still applies', () => {
  const r = parseMainConf('[General]\nBogusKey=1\nSingleConnectedTechnology=true\n[Other]\nx=1\n', '/etc/connman/main.conf');
  assert.deepEqual(r.warnings, ['Unknown key BogusKey in /etc/connman/main.conf', 'Unknown group Other in /etc/connman/main.conf']);
  assert.equal(r.config.SingleConnectedTechnology, true);
});

test('a malformed file is reported with file and line, and defaults apply', () => {
  const r = parseMainConf('[General]\nSingleConnectedTechnology=true\nthis line is broken\n', '/etc/connman/main.conf');
  assert.equal(r.warnings.length, 1);
  assert.match(r.warnings[0], /\/etc\/connman\/main\.conf:3:/);
  assert.equal(r.config.SingleConnectedTechnology, false);
});
