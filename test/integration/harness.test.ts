// The lab itself, checked against connmand 1.41: if these fail, no other integration result means
// anything. Also proves teardown leaves nothing behind, since every other test relies on it.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { DNS_RECORDS, FAR_ADDR, Lab, isLeaseAddress, reapStaleLabs, resolveIn, runOk } from '../harness';
import { isAlive } from '../harness/proc';

const skip = process.getuid?.() !== 0 ? 'needs root for network namespaces' : false;

function namespaces(): string[] {
  return spawnSync('ip', ['netns', 'list'], { encoding: 'utf8' }).stdout.split('\n').map((l) => l.split(' ')[0]);
}

describe('lab with connmand 1.41', { skip }, () => {
  let lab: Lab;

  before(async () => {
    lab = await Lab.create();
    await lab.startDaemon('connmand');
  });

  after(async () => {
    await lab?.teardown();
  });

  it('brings the cable service to ready with the address dnsmasq leased', async () => {
    const svc = await lab.waitForWiredReady();
    assert.equal(svc.id, `ethernet_${lab.mac.replace(/:/g, '')}_cable`);
    assert.deepEqual([svc.favorite, svc.autoconnect, svc.state, svc.name], [true, true, 'ready', 'Wired']);
    assert.match(await lab.ctl('services'), new RegExp(`^\\*AR Wired\\s+${svc.id}$`, 'm'));

    const addr = await lab.nearAddress();
    assert.ok(addr && isLeaseAddress(addr), `eth0 address ${addr} is not from the DHCP range`);
    const lease = await lab.waitUntil(() => lab.leases().find((l) => l.mac === lab.mac), { what: 'lease file' });
    assert.equal(lease.ip, addr);
    assert.match(await lab.ipAddr('near'), new RegExp(`inet ${addr.replace(/\./g, '\\.')}/24 .* eth0`));
    assert.match(await lab.ipRoute('near'), new RegExp(`^default via ${FAR_ADDR.replace(/\./g, '\\.')} dev eth0`, 'm'));
  });

  it('answers the lab names from dnsmasq, directly and through the daemon', async () => {
    const [name, ip] = Object.entries(DNS_RECORDS)[0];
    assert.deepEqual(await resolveIn(lab.near, FAR_ADDR, name), { rcode: 0, addresses: [ip] });
    // connmand's DNS proxy on 127.0.0.1 forwards to the nameserver it learned by DHCP.
    const viaDaemon = await lab.waitUntil(async () => {
      const r = await resolveIn(lab.near, '127.0.0.1', name);
      return r.addresses?.length ? r : undefined;
    }, { timeoutMs: 10_000, what: 'the daemon to resolve through dnsmasq' });
    assert.deepEqual(viaDaemon, { rcode: 0, addresses: [ip] });
  });

  it('keeps the daemon in the lab: state in the lab dir, interfaces invisible to the host', async () => {
    await lab.waitUntil(() => existsSync(join(lab.paths.stateDir, lab.serviceId, 'settings')),
      { timeoutMs: 10_000, what: 'connmand to save the service' });
    assert.match(readFileSync(join(lab.paths.stateDir, 'settings'), 'utf8'), /\[Wired\]/);
    assert.equal(existsSync(join('/var/lib/connman', lab.serviceId)), false, 'wrote to the host state dir');
    const hostLinks = await runOk(['ip', '-o', 'link']);
    assert.equal(hostLinks.includes(lab.mac), false, 'a lab interface is visible in the host namespace');
  });

  it('tears down to nothing: no namespace, no process, no directory', async () => {
    const pids = lab.processIds();
    assert.ok(pids.length >= 3, `expected daemon, dnsmasq and dbus-daemon, got ${pids}`);
    await lab.teardown();
    const left = namespaces();
    assert.equal(left.includes(lab.near) || left.includes(lab.far), false, `left ${left.join(' ')}`);
    assert.deepEqual(pids.filter(isAlive), []);
    assert.equal(existsSync(lab.dir), false);
  });
});

describe('reapStaleLabs', { skip }, () => {
  it('removes namespaces whose owner died and leaves live owners alone', async () => {
    const dead = spawnSync('true').pid as number; // a pid that has certainly exited
    const stale = `sy-${dead}-abcdef-near`;
    const mine = `sy-${process.pid}-abcdef-far`;
    await runOk(['ip', 'netns', 'add', stale]);
    await runOk(['ip', 'netns', 'add', mine]);
    try {
      const removed = reapStaleLabs();
      assert.ok(removed.includes(stale), `reaped ${removed}`);
      assert.equal(namespaces().includes(stale), false);
      assert.equal(namespaces().includes(mine), true);
    } finally {
      spawnSync('ip', ['netns', 'del', stale]);
      spawnSync('ip', ['netns', 'del', mine]);
    }
  });
});
