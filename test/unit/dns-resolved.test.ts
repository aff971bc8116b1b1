// The systemd-resolved backend against a MOCK of org.freedesktop.resolve1: the calls we make (member,
// signature, arguments) and their order. test/integration/dns-resolved.test.ts runs the same backend
// against the real systemd-resolved in a lab namespace.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ResolvedBackend, addressBytes } from '../../ts/core/dns-resolved';

const quiet = { debug() {}, info() {}, warn() {}, error() {} };

describe('systemd-resolved backend (mock resolve1)', () => {
  it('SetLinkDNS / SetLinkDomains per link, RevertLink when a link goes', async () => {
    const calls: { member: string; sig: string; body: unknown[] }[] = [];
    const mockResolve1 = { call: async (dest: string, path: string, iface: string, member: string, sig: string, body: unknown[]) => {
      assert.equal(dest, 'org.freedesktop.resolve1');
      assert.equal(path, '/org/freedesktop/resolve1');
      assert.equal(iface, 'org.freedesktop.resolve1.Manager');
      calls.push({ member, sig, body });
      return [];
    } };
    const b = new ResolvedBackend(mockResolve1, quiet);
    b.write([], [], [
      { id: 'eth', ifindex: 2, nameservers: ['192.0.2.1', '2001:db8::53'], domains: ['lab.test'] },
      { id: 'vpn', ifindex: 7, nameservers: ['10.8.0.1'], domains: ['corp.test'] },
    ]);
    await b.settled();
    assert.deepEqual(calls.map((c) => `${c.member} ${c.sig} ${c.body[0]}`),
      ['SetLinkDNS ia(iay) 2', 'SetLinkDomains ia(sb) 2', 'SetLinkDNS ia(iay) 7', 'SetLinkDomains ia(sb) 7']);
    assert.deepEqual(calls[0].body[1], [[2, Buffer.from([192, 0, 2, 1])], [10, Buffer.from('20010db8000000000000000000000053', 'hex')]]);
    assert.deepEqual(calls[1].body[1], [['lab.test', false]]);
    calls.length = 0;
    b.write([], [], [{ id: 'eth', ifindex: 2, nameservers: ['192.0.2.1'], domains: [] }]);
    await b.settled();
    assert.deepEqual(calls.map((c) => `${c.member} ${c.body[0]}`), ['SetLinkDNS 2', 'SetLinkDomains 2', 'RevertLink 7']);
  });

  it('pushes the links again when resolved (re)appears on the bus, and reverts them at stop', async () => {
    const calls: string[] = [];
    let ownerChanged: ((s: { body: unknown[] }) => void) | undefined;
    const bus = {
      call: async (_d: string, _p: string, _i: string, member: string, _s: string, body: unknown[]) => { calls.push(`${member} ${body[0]}`); return []; },
      subscribe: async (m: { member?: string; arg0?: string }, fn: (s: { body: unknown[] }) => void) => {
        assert.equal(m.member, 'NameOwnerChanged');
        assert.equal(m.arg0, 'org.freedesktop.resolve1');
        ownerChanged = fn;
      },
    };
    const b = new ResolvedBackend(bus, quiet);
    await b.follow();
    b.write([], [], [{ id: 'eth', ifindex: 4, nameservers: ['192.0.2.1'], domains: ['lab.test'] }]);
    await b.settled();
    calls.length = 0;
    ownerChanged!({ body: ['org.freedesktop.resolve1', ':1.7', ''] });  // gone: nothing to do
    await b.settled();
    assert.deepEqual(calls, []);
    ownerChanged!({ body: ['org.freedesktop.resolve1', '', ':1.9'] });  // back, with empty memory
    await b.settled();
    assert.deepEqual(calls, ['SetLinkDNS 4', 'SetLinkDomains 4']);
    calls.length = 0;
    await b.stop();
    assert.deepEqual(calls, ['RevertLink 4']);
  });

  it('address encoding', () => {
    assert.deepEqual(addressBytes('::1'), [10, Buffer.from('00000000000000000000000000000001', 'hex')]);
    assert.deepEqual(addressBytes('fe80::1%3'), [10, Buffer.from('fe800000000000000000000000000001', 'hex')]);
    assert.equal(addressBytes('nope'), undefined);
  });
});
