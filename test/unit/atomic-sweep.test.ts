import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import { sweepInterruptedWrites } from '../../ts/config/atomic-write';
import { FileStore } from '../../ts/config/storage';

test('start-up removes copies that killed writers left, and only those', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sy-sweep-'));
  try {
    const dead = spawnSync('true').pid!; // exited: its pid names no live process (barring reuse)
    const svc = path.join(dir, 'ethernet_020000000001_cable');
    fs.mkdirSync(svc);
    fs.writeFileSync(path.join(dir, 'settings'), '[global]\nOfflineMode=false\n');
    fs.writeFileSync(path.join(dir, `.settings.${dead}.1795451400505.tmp`), '[glo');
    fs.writeFileSync(path.join(svc, `.settings.${dead}.1795451400506.tmp`), '');
    fs.writeFileSync(path.join(svc, `.settings.${process.pid}.1795451400507.tmp`), 'in flight');
    fs.writeFileSync(path.join(svc, 'notes.tmp'), 'not ours');

    const removed = sweepInterruptedWrites(dir).map((f) => path.relative(dir, f)).sort();
    assert.deepEqual(removed, [`.settings.${dead}.1795451400505.tmp`,
      path.join('ethernet_020000000001_cable', `.settings.${dead}.1795451400506.tmp`)].sort());
    assert.deepEqual(fs.readdirSync(svc).sort(), [`.settings.${process.pid}.1795451400507.tmp`, 'notes.tmp']);
    assert.equal(fs.readFileSync(path.join(dir, 'settings'), 'utf8'), '[global]\nOfflineMode=false\n');
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('opening the state directory sweeps it', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sy-sweep-'));
  try {
    const dead = spawnSync('true').pid!;
    fs.writeFileSync(path.join(dir, `.settings.${dead}.1.tmp`), '');
    new FileStore(dir);
    assert.deepEqual(fs.readdirSync(dir), []);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
