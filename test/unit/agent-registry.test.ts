// net.connman.Agent over a private dbus-daemon: our AgentRegistry on one connection (as the daemon), test
// agents on others, answering RequestInput / ReportError / RequestBrowser the ways real agents do.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as dbus from '@particle/dbus-next';
import { Bus } from '../../ts/dbus/bus';
import { AgentRegistry, NoAgentError } from '../../ts/dbus/agent';
import { busAgentTransport } from '../../ts/dbus/agent-bus';
import { inputFields, parseInputReply, passphraseValid, wpsPinValid, ssidValid, wisprFields } from '../../ts/dbus/agent-fields';
import { ConnmanError } from '../../ts/core/errors';

let busDaemon: ChildProcess;
let dir: string;
let address: string;
let server: Bus;

interface Seen { member: string; body: unknown[] }
type Answer = (m: dbus.Message) => dbus.Message | 'silent';

/** A client connection that serves net.connman.Agent at /test/agent and records every call. */
async function testAgent(answer: Answer): Promise<{ conn: dbus.MessageBus; name: string; seen: Seen[] }> {
  const conn = dbus.sessionBus({ busAddress: address });
  await new Promise<void>((r) => conn.once('connect', () => r()));
  const seen: Seen[] = [];
  conn.addMethodHandler((m: dbus.Message) => {
    if (m.interface !== 'net.connman.Agent') return false;
    seen.push({ member: m.member!, body: m.body });
    const reply = answer(m);
    if (reply !== 'silent' && !((m.flags ?? 0) & 1)) conn.send(reply);
    return true;
  });
  return { conn, name: (conn as unknown as { name: string }).name, seen };
}
const ok = (m: dbus.Message, sig = '', body: unknown[] = []) => dbus.Message.newMethodReturn(m, sig, body);
const err = (m: dbus.Message, name: string) => (dbus.Message.newError as unknown as (m: dbus.Message, n: string, t: string) => dbus.Message)(m, name, 'x');
const tick = (ms = 50) => new Promise((r) => setTimeout(r, ms));

before(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sy-agent-'));
  busDaemon = spawn('dbus-daemon', ['--session', '--nofork', '--print-address', `--address=unix:path=${dir}/bus`], { stdio: ['ignore', 'pipe', 'ignore'] });
  address = await new Promise<string>((resolve, reject) => {
    busDaemon.stdout!.once('data', (b: Buffer) => resolve(b.toString().trim()));
    busDaemon.once('error', reject);
  });
  server = await Bus.connect(address);
});

after(() => {
  server?.disconnect();
  busDaemon?.kill('SIGTERM');
  fs.rmSync(dir, { recursive: true, force: true });
});

test('register/unregister: one per sender, first is default, owner leaving drops it and moves the default', async () => {
  const reg = new AgentRegistry(busAgentTransport(server), { inputRequestMs: 1000, browserLaunchMs: 1000 });
  const a = await testAgent((m) => ok(m));
  const b = await testAgent((m) => ok(m));
  reg.register(a.name, '/test/agent');
  assert.throws(() => reg.register(a.name, '/other'), (e: ConnmanError) => e.errorName === 'AlreadyExists');
  reg.register(b.name, '/test/agent');
  assert.equal(reg.defaultAgent?.owner, a.name);
  assert.equal(reg.agentFor(b.name)?.owner, b.name, 'a caller gets its own agent');
  assert.equal(reg.agentFor(':1.999')?.owner, a.name, 'others get the default');
  assert.throws(() => reg.unregister(':1.999'), (e: ConnmanError) => e.errorName === 'NotRegistered');
  await tick(100); // match rules in place
  a.conn.disconnect();
  for (let i = 0; i < 50 && reg.defaultAgent?.owner === a.name; i++) await tick(20);
  assert.equal(reg.defaultAgent?.owner, b.name, 'the remaining agent becomes the default');
  reg.unregister(b.name);
  assert.equal(reg.defaultAgent, undefined);
  await assert.rejects(reg.requestInput('/net/connman/service/x', {}), NoAgentError);
  b.conn.disconnect();
});

test('RequestInput: fields sent as connmand builds them, values returned, error mapping', async () => {
  let mode = 'values';
  const a = await testAgent((m) => {
    if (m.member !== 'RequestInput') return ok(m);
    if (mode === 'values') return ok(m, 'a{sv}', [{ Passphrase: new dbus.Variant('s', 'secret123'), SSID: new dbus.Variant('ay', Buffer.from('lab')) }]);
    if (mode === 'silent') return 'silent';
    return err(m, mode);
  });
  const reg = new AgentRegistry(busAgentTransport(server), { inputRequestMs: 300, browserLaunchMs: 300 });
  reg.register(a.name, '/test/agent');
  const fields = inputFields({ security: 'psk', hidden: true, wps: true, previousPassphrase: 'old-pass' });
  const r = await reg.requestInput('/net/connman/service/wifi_x', fields);
  assert.equal(r.kind, 'values');
  const [svc, dict] = a.seen[0].body as [string, Record<string, dbus.Variant>];
  assert.equal(a.seen[0].member, 'RequestInput');
  assert.equal(svc, '/net/connman/service/wifi_x');
  const plain = Object.fromEntries(Object.entries(dict).map(([k, v]) => [k, Object.fromEntries(Object.entries(v.value as Record<string, dbus.Variant>).map(([kk, vv]) => [kk, vv.value]))]));
  assert.deepEqual(plain, {
    Name: { Type: 'string', Requirement: 'mandatory', Alternates: ['SSID'] },
    SSID: { Type: 'ssid', Requirement: 'alternate' },
    Passphrase: { Type: 'psk', Requirement: 'mandatory', Alternates: ['WPS'] },
    PreviousPassphrase: { Type: 'psk', Requirement: 'informational', Value: 'old-pass' },
    WPS: { Type: 'wpspin', Requirement: 'alternate' },
  });
  const ans = parseInputReply((r as { values: Record<string, unknown> }).values);
  assert.ok(ans !== 'invalid-arguments');
  assert.equal(ans.passphrase, 'secret123');
  assert.equal(ans.ssid?.toString(), 'lab');

  mode = 'net.connman.Agent.Error.Canceled';
  let o = await reg.requestInput('/s', {});
  assert.equal(o.kind === 'error' && o.error.errorName, 'OperationAborted');
  mode = 'net.connman.Agent.Error.Rejected';
  o = await reg.requestInput('/s', {});
  assert.equal(o.kind === 'error' && o.error.errorName, 'OperationTimeout');
  mode = 'net.connman.Agent.Error.LaunchBrowser';
  o = await reg.requestInput('/s', {});
  assert.equal(o.kind, 'launch-browser');
  mode = 'silent';
  const t0 = Date.now();
  o = await reg.requestInput('/s', {});
  assert.equal(o.kind === 'error' && o.error.errorName, 'OperationTimeout');
  assert.ok(Date.now() - t0 >= 280, 'InputRequestTimeout honoured');
  assert.ok(!a.seen.some((s) => s.member === 'Cancel'), 'a local timeout sends no Cancel (as libdbus NoReply)');
  mode = 'org.freedesktop.DBus.Error.Timeout';
  await reg.requestInput('/s', {});
  await tick();
  assert.ok(a.seen.some((s) => s.member === 'Cancel'), 'a Timeout error from the agent side is followed by Cancel');
  a.conn.disconnect();
});

test('queueing per agent, Cancel for the in-flight request, ReportError Retry, RequestBrowser, Release', async () => {
  const held: dbus.Message[] = [];
  let reportAnswer = 'net.connman.Agent.Error.Retry';
  const a = await testAgent((m) => {
    if (m.member === 'RequestInput') { held.push(m); return 'silent'; }
    if (m.member === 'ReportError') return reportAnswer ? err(m, reportAnswer) : ok(m);
    if (m.member === 'RequestBrowser') return m.body[1] === 'http://bad' ? err(m, 'net.connman.Agent.Error.Canceled') : ok(m);
    return ok(m);
  });
  const reg = new AgentRegistry(busAgentTransport(server), { inputRequestMs: 5000, browserLaunchMs: 5000 });
  reg.register(a.name, '/test/agent');
  const ctx1 = {}; const ctx2 = {};
  const first = reg.requestInput('/s1', {}, { context: ctx1 });
  const second = reg.requestInput('/s2', {}, { context: ctx2 });
  await tick();
  assert.equal(held.length, 1, 'one request at a time per agent');
  reg.cancel(ctx2);
  second.catch(() => undefined); // checked below, once the queue has moved on
  reg.cancel(ctx1);
  await tick();
  assert.ok(a.seen.some((s) => s.member === 'Cancel'), 'Cancel sent for the in-flight request');
  a.conn.send(ok(held[0], 'a{sv}', [{}]));
  assert.equal((await first).kind, 'values');
  await assert.rejects(second, (e: ConnmanError) => e.errorName === 'OperationAborted');
  assert.equal(held.length, 1, 'the cancelled queued request never reached the agent');

  assert.equal(await reg.reportError('/s1', 'invalid-key'), true);
  reportAnswer = '';
  assert.equal(await reg.reportError('/s1', 'invalid-key'), false);
  reportAnswer = 'net.connman.Agent.Error.Canceled';
  assert.equal(await reg.reportError('/s1', 'connect-failed'), false);
  assert.deepEqual(a.seen.filter((s) => s.member === 'ReportError').map((s) => s.body), [['/s1', 'invalid-key'], ['/s1', 'invalid-key'], ['/s1', 'connect-failed']]);
  assert.equal(await reg.requestBrowser('/s1', 'http://portal'), true);
  assert.equal(await reg.requestBrowser('/s1', 'http://bad'), false);
  reg.releaseAll();
  await tick();
  assert.equal(a.seen[a.seen.length - 1].member, 'Release');
  assert.equal(reg.defaultAgent, undefined);
  a.conn.disconnect();
});

test('field builders and reply checks', () => {
  assert.deepEqual(inputFields({ security: 'none' }), {});
  assert.deepEqual(Object.keys(inputFields({ security: 'ieee8021x', phase2: 'EAP-GTC' })), ['Identity', 'Passphrase']);
  assert.equal(inputFields({ security: 'ieee8021x', phase2: 'EAP-GTC' }).Passphrase.Type, 'response');
  assert.equal(inputFields({ security: 'ieee8021x', phase2: 'MSCHAPV2' }).Passphrase.Type, 'passphrase');
  assert.equal(inputFields({ security: 'wep', previousPassphrase: '12345' }).PreviousPassphrase.Type, 'wep');
  assert.equal(inputFields({ security: 'psk', previousPassphrase: '12345670', previousIsWpsPin: true }).PreviousPassphrase.Type, 'wpspin');
  assert.deepEqual(Object.keys(wisprFields()), ['Username', 'Password']);
  assert.equal(parseInputReply({ Passphrase: 5 }), 'invalid-arguments');
  assert.equal(parseInputReply({ SSID: 'str' }), 'invalid-arguments');
  assert.ok(passphraseValid('psk', '12345678') && !passphraseValid('psk', '1234567') && passphraseValid('psk', 'a'.repeat(64)) && !passphraseValid('psk', 'g'.repeat(64)));
  assert.ok(passphraseValid('wep', 'abcde') && passphraseValid('wep', '0123456789') && !passphraseValid('wep', 'abcdef'));
  assert.ok(wpsPinValid('') && wpsPinValid('12345670') && !wpsPinValid('1234'));
  assert.ok(ssidValid(Buffer.from('x')) && !ssidValid(Buffer.alloc(0)) && !ssidValid(Buffer.alloc(33)));
});
