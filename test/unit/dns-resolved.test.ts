// The systemd-resolved backend against a MOCK of org.freedesktop.resolve1: systemd-resolved is not
// installed here and cannot run in a test namespace (it wants systemd as PID 1 and its own system bus
// name), so this checks the calls we make (member, signature, arguments), not resolved's reaction.
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

  it('address encoding', () => {
    assert.deepEqual(addressBytes('::1'), [10, Buffer.from('00000000000000000000000000000001', 'hex')]);
    assert.deepEqual(addressBytes('fe80::1%3'), [10, Buffer.from('fe800000000000000000000000000001', 'hex')]);
    assert.equal(addressBytes('nope'), undefined);
  });
});
