// Introspection generated from the tables must be byte-identical to connmand 1.41's
// (test/fixtures/connmand-1.41/introspect-*.dbus-send.txt).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { introspectXml, InterfaceDef } from '../../ts/dbus/bus';
import { SERVICE_PATH, startRig, tick } from './daemon-rig';

const FIXTURES = path.resolve(__dirname, '../../../test/fixtures/connmand-1.41');

function fixtureXml(name: string): string {
  const text = fs.readFileSync(path.join(FIXTURES, `introspect-${name}.dbus-send.txt`), 'utf8');
  const start = text.indexOf('string "') + 'string "'.length;
  return text.slice(start, text.lastIndexOf('"'));
}

test('introspection of every node matches connmand 1.41 byte for byte', async () => {
  const rig = await startRig();
  await tick(rig, 100);
  const objects = new Map([...rig.bus.objects].map(([p, defs]) => [p, new Map(defs.map((d): [string, InterfaceDef] => [d.name, d]))]));
  for (const [name, p] of [['root', '/'], ['net', '/net'], ['net_connman', '/net/connman'], ['net_connman_technology', '/net/connman/technology'],
    ['net_connman_technology_ethernet', '/net/connman/technology/ethernet'], ['service', SERVICE_PATH]]) {
    assert.equal(introspectXml(objects, p), fixtureXml(name), `introspection of ${p}`);
  }
});
