// What a daemon does at start to an eth0 someone else configured (an address in each family and a
// static route): connmand 1.41 removes all of it before DHCP; Switchyard must leave the same state.
// The comparison masks what differs by nature (leased address, MAC-derived link-local, lifetimes).
// connmand also sets IFF_DYNAMIC on links it brings up; that flag is masked too and named in the report.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DaemonKind, Lab, sleep } from '../harness';

const skip = process.getuid?.() !== 0 ? 'needs root for network namespaces' : false;

function mask(text: string): string {
  return text.split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('valid_lft') && !l.startsWith('link/ether'))
    .map((l) => l.replace(/10\.233\.83\.\d+/g, '10.233.83.X').replace(/fe80::[0-9a-f:]+/g, 'fe80::LL')
      .replace(/DYNAMIC,/, '').replace(/ tentative/, '').replace(/link-netns \S+/, '').replace(/eth0@if\d+/, 'eth0').trim())
    .sort().join('\n');
}

async function startupState(kind: DaemonKind): Promise<{ addr: string; routes: string }> {
  const lab = await Lab.create({ dnsmasqArgs: ['--no-ping'] });
  try {
    await lab.ip('near', 'link', 'set', 'eth0', 'up');
    await lab.ip('near', 'addr', 'add', '192.0.2.10/24', 'dev', 'eth0');
    await lab.ip('near', 'addr', 'add', 'fd99::5/64', 'dev', 'eth0', 'nodad');
    await lab.ip('near', 'route', 'add', '198.18.0.0/24', 'via', '192.0.2.1', 'dev', 'eth0');
    await lab.ip('near', '-6', 'route', 'add', 'fd98::/64', 'via', 'fd99::1', 'dev', 'eth0');
    await lab.startDaemon(kind);
    await lab.waitForWiredReady({ timeoutMs: 30_000 });
    await sleep(1000);
    // The link-local address gets its local route once DAD is over (connmand restarts it later than we do).
    await lab.waitUntil(async () => !(await lab.ip('near', '-6', 'addr', 'show', 'dev', 'eth0')).includes('tentative'), { timeoutMs: 10_000, what: 'DAD done' });
    return {
      addr: mask(await lab.ip('near', 'addr', 'show', 'dev', 'eth0')),
      routes: mask(await lab.ip('near', 'route', 'show', 'table', 'all', 'dev', 'eth0')),
    };
  } finally {
    await lab.teardown();
  }
}

describe('start-up flush of a pre-configured interface, against connmand 1.41', { skip }, () => {
  it('leaves eth0 with exactly what connmand leaves: the lease, none of the old addresses and routes', async () => {
    const c = await startupState('connmand');
    const s = await startupState('switchyard');
    for (const gone of [/192\.0\.2\.10/, /fd99::5/, /198\.18\.0\.0/, /fd98::/]) {
      assert.doesNotMatch(c.addr + c.routes, gone, `connmand kept ${gone}`);
      assert.doesNotMatch(s.addr + s.routes, gone, `Switchyard kept ${gone}`);
    }
    assert.match(s.addr, /inet 10\.233\.83\.X\/24/);
    assert.equal(s.addr, c.addr);
    assert.equal(s.routes, c.routes);
  });
});
