import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { KeyFile, KeyFileError } from '../../ts/config/keyfile';
import { writeFileAtomic } from '../../ts/config/atomic-write';
import { FileStore } from '../../ts/config/storage';

test('round-trips ConnMan settings byte for byte', () => {
  const text = '[global]\nOfflineMode=false\n\n[Wired]\nEnable=true\nTethering=false\nTethering.Freq=2412\n';
  assert.equal(KeyFile.parse(text).toString(), text);
});

test('keeps comments, decodes escapes and lists', () => {
  const kf = KeyFile.parse('# top\n[s]\n# about a\na=\\sx\\ty\\\\z\nl=one;two\\;half;three;\n');
  assert.equal(kf.getString('s', 'a'), ' x\ty\\z');
  assert.deepEqual(kf.getStringList('s', 'l'), ['one', 'two;half', 'three']);
  assert.ok(kf.toString().startsWith('# top\n[s]\n# about a\na='));
  kf.setStringList('s', 'n', ['a b', 'c;d']);
  assert.equal(kf.getRaw('s', 'n'), 'a b;c\\;d;');
  assert.deepEqual(KeyFile.parse(kf.toString()).getStringList('s', 'n'), ['a b', 'c;d']);
});

test('booleans and integers are strict like GKeyFile', () => {
  const kf = KeyFile.parse('[g]\na=true\nb=0\nc=yes\nn= 42\nm=4x\n');
  assert.equal(kf.getBoolean('g', 'a'), true);
  assert.equal(kf.getBoolean('g', 'b'), false);
  assert.throws(() => kf.getBoolean('g', 'c'));
  assert.equal(kf.getInteger('g', 'n'), 42);
  assert.throws(() => kf.getInteger('g', 'm'));
  assert.equal(kf.getBoolean('g', 'zzz'), undefined);
});

test('a malformed line is reported with its number', () => {
  assert.throws(() => KeyFile.parse('[g]\na=1\nthis is not a pair\n'), (e: unknown) => e instanceof KeyFileError && e.line === 3);
  assert.throws(() => KeyFile.parse('a=1\n'), (e: unknown) => e instanceof KeyFileError && e.line === 1);
  assert.throws(() => KeyFile.parse('[g\n'), (e: unknown) => e instanceof KeyFileError && e.line === 1);
});

test('atomic write replaces the file, leaves no temporary behind and uses mode 0600', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sy-aw-'));
  const f = path.join(dir, 'settings');
  fs.writeFileSync(f, 'old');
  const inodeBefore = fs.statSync(f).ino;
  writeFileAtomic(f, 'new\n');
  assert.equal(fs.readFileSync(f, 'utf8'), 'new\n');
  assert.deepEqual(fs.readdirSync(dir), ['settings']);
  assert.notEqual(fs.statSync(f).ino, inodeBefore, 'replaced by rename, not rewritten in place');
  assert.equal(fs.statSync(f).mode & 0o777, 0o600);
  fs.rmSync(dir, { recursive: true });
});

test('a failed atomic write keeps the old content', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sy-aw-'));
  const f = path.join(dir, 'sub');
  fs.mkdirSync(f); // renaming a file over a directory fails
  assert.throws(() => writeFileAtomic(f, 'x'));
  assert.deepEqual(fs.readdirSync(dir), ['sub']);
  fs.rmSync(dir, { recursive: true });
});

test('FileStore uses ConnMan layout: <dir>/settings and <dir>/<id>/settings', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sy-st-'));
  const st = new FileStore(dir);
  const g = st.loadGlobal();
  g.setBoolean('global', 'OfflineMode', false);
  st.saveGlobal(g);
  const s = new KeyFile();
  s.setString('ethernet_0011_cable', 'Name', 'Wired');
  st.saveService('ethernet_0011_cable', s);
  assert.equal(fs.readFileSync(path.join(dir, 'settings'), 'utf8'), '[global]\nOfflineMode=false\n');
  assert.equal(st.loadService('ethernet_0011_cable')!.getString('ethernet_0011_cable', 'Name'), 'Wired');
  assert.equal(st.loadService('nothing'), undefined);
  fs.rmSync(dir, { recursive: true });
});
