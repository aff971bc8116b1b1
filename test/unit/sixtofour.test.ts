// SixToFour on the fake platform: which IPv4 addresses get a tunnel, what the tunnel is made of
// (sit from the address, 2002:AABB:CCDD::1/64, ::/0 via the anycast relay), the RA wait that keeps
// native IPv6 links untunnelled, and removal by the owning service only.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { RA_WAIT_MS, SixToFour, isPublicIPv4, sixToFourAddress } from '../../ts/core/sixtofour';
import { silentLogger } from '../../ts/core/log';
import { FakeClock } from '../fakes/fake-clock';
import { FakePlatform } from '../fakes/fake-platform';

function rig(raSeen = false, check?: { url: string; status: number }) {
  const clock = new FakeClock();
  const platform = new FakePlatform();
  const gets: string[] = [];
  if (check) {
    Object.assign(platform, { httpGetStatus: async (url: string, from: string) => { gets.push(`${url} from ${from}`); return check.status; } });
  }
  let refreshed = 0;
  const s = new SixToFour({ platform, clock, log: silentLogger, raSeen: () => raSeen, refreshRa: () => { refreshed++; }, checkUrl: check?.url });
  return { s, clock, nl: platform.netlink, refreshed: () => refreshed, gets };
}

const settle = () => new Promise((r) => setImmediate(r));

describe('6to4', () => {
  it('only public IPv4 addresses qualify', () => {
    for (const a of ['203.0.113.7', '8.8.8.8', '172.32.0.1', '100.128.0.1']) assert.ok(isPublicIPv4(a), a);
    for (const a of ['10.1.2.3', '192.168.1.1', '172.16.0.1', '172.31.255.1', '169.254.1.1', '127.0.0.1',
      '100.64.0.1', '224.0.0.1', '0.1.2.3', 'x']) assert.ok(!isPublicIPv4(a), a);
    assert.equal(sixToFourAddress('203.0.113.7'), '2002:cb00:7107::1');
    assert.equal(sixToFourAddress('1.2.3.4'), '2002:102:304::1');
  });

  it('creates tun6to4 after the RA wait, with the 6to4 address and the relay route', async () => {
    const r = rig();
    r.s.probe('svc', 2, '203.0.113.7');
    assert.equal(r.refreshed(), 1);
    assert.equal(r.nl.requests.length, 0);
    r.clock.advance(RA_WAIT_MS);
    await settle();
    assert.deepEqual(r.nl.requests.map((q) => q.op), ['addSitTunnel', 'addAddress', 'addRoute']);
    assert.deepEqual(r.nl.requests[0], { op: 'addSitTunnel', spec: { name: 'tun6to4', local: '203.0.113.7', ttl: 64, mtu: 1472 }, index: 100 });
    assert.deepEqual(r.nl.requests[1], { op: 'addAddress', spec: { index: 100, family: 6, address: '2002:cb00:7107::1', prefixLength: 64 } });
    assert.deepEqual(r.nl.requests[2], { op: 'addRoute', route: { family: 6, dst: '', prefixLength: 0, gateway: '::192.88.99.1', oif: 100, metric: 1 } });
    assert.deepEqual(r.s.active(), { owner: 'svc', local: '203.0.113.7', index: 100 });
    r.s.probe('other', 3, '198.51.100.1'); // one tunnel per daemon
    await r.s.remove('other');
    assert.equal(r.nl.requests.length, 3);
    await r.s.remove('svc', '203.0.113.7'); // a renewal with the same address keeps it
    assert.equal(r.nl.requests.length, 3);
    await r.s.remove('svc');
    assert.deepEqual(r.nl.requests[3], { op: 'delLink', index: 100 });
    assert.equal(r.s.active(), undefined);
  });

  it('the status page through the tunnel: a 4xx removes it, anything else keeps it', async () => {
    for (const [status, kept] of [[404, false], [200, true], [0, true], [503, true]] as const) {
      const r = rig(false, { url: 'http://[2002:c058:6301::1]:8080/status', status });
      r.s.probe('svc', 2, '203.0.113.7');
      r.clock.advance(RA_WAIT_MS);
      await settle();
      await r.s.checked();
      assert.deepEqual(r.gets, ['http://[2002:c058:6301::1]:8080/status from 2002:cb00:7107::1']);
      assert.equal(r.s.active() !== undefined, kept, `status ${status}`);
      assert.equal(r.nl.requests.some((q) => q.op === 'delLink'), !kept, `status ${status}`);
    }
  });

  it('no tunnel for a private address, or when router advertisements were seen', async () => {
    const r = rig();
    r.s.probe('svc', 2, '192.168.1.20');
    r.clock.advance(RA_WAIT_MS);
    await settle();
    assert.deepEqual(r.nl.requests, []);
    const n = rig(true);
    n.s.probe('svc', 2, '203.0.113.7');
    n.clock.advance(RA_WAIT_MS);
    await settle();
    assert.deepEqual(n.nl.requests, []);
  });

  it('a service leaving during the RA wait leaves nothing behind', async () => {
    const r = rig();
    r.s.probe('svc', 2, '203.0.113.7');
    await r.s.remove('svc');
    r.clock.advance(RA_WAIT_MS);
    await settle();
    assert.deepEqual(r.nl.requests, []);
  });
});
