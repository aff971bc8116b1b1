import { test } from 'node:test';
import assert from 'node:assert/strict';
import { resolveDebug } from '../../ts/cli/debug-env';
import { createLogger } from '../../ts/core/log';

test('without -d or CONNMAN_*_DEBUG debug stays off and no engine switch is set', () => {
  const env: NodeJS.ProcessEnv = {};
  assert.equal(resolveDebug(undefined, env), undefined);
  assert.deepEqual(env, {});
});

test('-d with a pattern naming an engine file turns that engine log on, and only that one', () => {
  const env: NodeJS.ProcessEnv = {};
  const patterns = resolveDebug(['dhcp4*'], env);
  assert.deepEqual(patterns, ['dhcp4*']);
  assert.deepEqual(env, { SY_DEBUG_DHCP4: '1' });
});

test('-d alone (everything) switches every engine on', () => {
  const env: NodeJS.ProcessEnv = {};
  resolveDebug(['*'], env);
  assert.deepEqual(Object.keys(env).sort(), ['SY_DEBUG_ACD', 'SY_DEBUG_DHCP4', 'SY_DEBUG_DHCP6']);
});

test("ConnMan's CONNMAN_DHCP_DEBUG selects our DHCP files and engines, as connmand's selects gdhcp", () => {
  const env: NodeJS.ProcessEnv = { CONNMAN_DHCP_DEBUG: '1' };
  const patterns = resolveDebug(undefined, env);
  const lines: string[] = [];
  const log = createLogger(patterns, (l) => lines.push(l));
  log.debug('ipv4-dhcp', 'bound');
  log.debug('manager', 'not selected');
  assert.deepEqual(lines, ['switchyardd: ipv4-dhcp: bound']);
  assert.equal(env.SY_DEBUG_DHCP4, '1');
  assert.equal(env.SY_DEBUG_ACD, '1');
  assert.equal(env.SY_DEBUG_DHCP6, undefined);
});
