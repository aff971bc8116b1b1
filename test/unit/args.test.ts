import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { parseArgs, UsageError, helpText } from '../../ts/cli/args';

const BIN = path.resolve(__dirname, '../../../bin/switchyardd');

test('defaults match connmand and our directory options', () => {
  const o = parseArgs([]);
  assert.equal(o.config, '/etc/connman/main.conf');
  assert.equal(o.nodaemon, false);
  assert.equal(o.statedir, '/var/lib/connman');
  assert.equal(o.rundir, '/run/connman');
  assert.equal(o.resolvConf, '/etc/resolv.conf');
  assert.equal(o.debug, undefined);
});

test('long options take =value or the next word; short options take -ovalue or the next word', () => {
  const o = parseArgs(['--config=/a.conf', '-i', 'eth*,usb0', '-Ieth9', '--noplugin', 'wifi', '-P', 'vpn', '-n', '-r',
    '--nobacktrace', '--statedir', '/tmp/s', '--rundir=/tmp/r', '--resolv-conf', '/tmp/resolv', '-W', 'nl80211', '-pethernet']);
  assert.equal(o.config, '/a.conf');
  assert.deepEqual(o.device, ['eth*', 'usb0']);
  assert.deepEqual(o.nodevice, ['eth9']);
  assert.deepEqual(o.noplugin, ['wifi', 'vpn']);
  assert.deepEqual(o.plugin, ['ethernet']);
  assert.equal(o.wifi, 'nl80211');
  assert.ok(o.nodaemon && o.nodnsproxy && o.nobacktrace);
  assert.equal(o.statedir, '/tmp/s');
  assert.equal(o.rundir, '/tmp/r');
  assert.equal(o.resolvConf, '/tmp/resolv');
  assert.equal(o.resolvConfExplicit, true);
});

test('bundled short flags and the optional debug argument', () => {
  assert.deepEqual(parseArgs(['-nd']).debug, ['*']);
  assert.deepEqual(parseArgs(['-d', '-n']).debug, ['*']);
  assert.deepEqual(parseArgs(['-dsrc/service.c', '--debug=a,b', '--debug']).debug, ['src/service.c', 'a', 'b', '*']);
  assert.deepEqual(parseArgs(['--debug', 'plugins/*']).debug, ['plugins/*']);
  const o = parseArgs(['-nrv']);
  assert.ok(o.nodaemon && o.nodnsproxy && o.version);
});

test('unknown options and missing arguments are usage errors with GLib wording', () => {
  assert.throws(() => parseArgs(['--bogus']), (e: unknown) => e instanceof UsageError && e.message === 'Unknown option --bogus');
  assert.throws(() => parseArgs(['-x']), /Unknown option -x/);
  assert.throws(() => parseArgs(['-c']), /Missing argument for -c/);
  assert.throws(() => parseArgs(['--config']), /Missing argument for --config/);
  assert.throws(() => parseArgs(['--nodaemon=yes']), UsageError);
});

test('help lists every connmand option', () => {
  const h = helpText();
  for (const s of ['--config=FILE', '--debug=DEBUG', '--device=DEV,...', '--nodevice=DEV,...', '--plugin=NAME,...',
    '--noplugin=NAME,...', '--wifi=NAME', '--nodaemon', '--nodnsproxy', '--nobacktrace', '--version']) {
    assert.ok(h.includes(s), s);
  }
});

test('the launcher exits 1 with the message on stderr for an unknown flag, and prints the version', () => {
  const bad = spawnSync(process.execPath, [BIN, '--bogus'], { encoding: 'utf8' });
  assert.equal(bad.status, 1);
  assert.equal(bad.stderr, 'Unknown option --bogus\n');
  assert.equal(bad.stdout, '');
  const v = spawnSync(process.execPath, [BIN, '-v'], { encoding: 'utf8' });
  assert.equal(v.status, 0);
  assert.equal(v.stdout, '1.41\n');
});
