// IPv4 methods switched live over D-Bus (connmanctl config), checked where a user would look: `ip addr`,
// `ip route`, the service properties and the saved keyfile. Also the start-up rules: a managed
// interface is flushed unless KeepExistingConfiguration names it, an excluded interface (-I) is never
// touched, and lo is set up only when nothing did it.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { FAR_ADDR, Lab, MAIN_CONF, run, sleep } from '../harness';

const skip = process.getuid?.() !== 0 ? 'needs root for network namespaces' : false;

describe('IPv4.Configuration switched live', { skip }, () => {
  let lab: Lab;
  before(async () => {
    lab = await Lab.create({ dnsmasqArgs: ['--no-ping'] });
    await lab.startDaemon('switchyard');
    await lab.waitForWiredReady();
  });
  after(async () => { await lab?.teardown(); });

  it('dhcp -> manual puts the new address, netmask and gateway on eth0 and in the properties', async () => {
    await lab.ctl('config', lab.serviceId, '--ipv4', 'manual', '10.233.83.200', '255.255.255.0', FAR_ADDR);
    // the default route follows the address once the service is ready again: wait for both
    await lab.waitUntil(async () => (await lab.nearAddress()) === '10.233.83.200'
      && /^default via 10\.233\.83\.1 dev eth0/m.test(await lab.ipRoute('near')), { timeoutMs: 5000, what: 'manual address and default route' });
    const addr = await lab.ip('near', '-4', 'addr', 'show', 'dev', 'eth0');
    assert.equal(addr.match(/inet /g)?.length, 1, `only the manual address remains:\n${addr}`);
    assert.match(addr, /inet 10\.233\.83\.200\/24 brd 10\.233\.83\.255/);
    const routes = await lab.ipRoute('near');
    assert.match(routes, /^default via 10\.233\.83\.1 dev eth0/m);
    const props = await lab.ctl('services', lab.serviceId);
    assert.match(props, /IPv4 = \[ Method=manual, Address=10\.233\.83\.200, Netmask=255\.255\.255\.0, Gateway=10\.233\.83\.1 \]/);
    assert.match(props, /IPv4\.Configuration = \[ Method=manual, Address=10\.233\.83\.200, Netmask=255\.255\.255\.0, Gateway=10\.233\.83\.1 \]/);
    assert.match(props, /State = ready/);
    const kf = readFileSync(join(lab.paths.stateDir, lab.serviceId, 'settings'), 'utf8');
    for (const line of ['IPv4.method=manual', 'IPv4.netmask_prefixlen=24', 'IPv4.local_address=10.233.83.200', 'IPv4.gateway=10.233.83.1']) {
      assert.ok(kf.includes(line), `settings lacks ${line}:\n${kf}`);
    }
  });

  it('manual with another netmask and no gateway: the default route goes', async () => {
    await lab.ctl('config', lab.serviceId, '--ipv4', 'manual', '10.233.83.201', '255.255.0.0');
    await lab.waitUntil(async () => (await lab.ip('near', '-4', 'addr')).includes('10.233.83.201/16'), { timeoutMs: 5000, what: 'second manual address' });
    await sleep(200);
    assert.doesNotMatch(await lab.ipRoute('near'), /^default/m);
    assert.doesNotMatch(await lab.ip('near', '-4', 'addr'), /10\.233\.83\.200/);
  });

  it('manual -> dhcp gets a lease again; off removes every IPv4 address', async () => {
    await lab.ctl('config', lab.serviceId, '--ipv4', 'dhcp');
    await lab.waitUntil(async () => {
      const a = await lab.nearAddress();
      return a && a !== '10.233.83.201' && /^default via 10\.233\.83\.1/m.test(await lab.ipRoute('near'));
    }, { timeoutMs: 20_000, what: 'DHCP lease after manual' });
    assert.match(await lab.ctl('services', lab.serviceId), /IPv4\.Configuration = \[ Method=dhcp \]/);
    await lab.ctl('config', lab.serviceId, '--ipv4', 'off');
    await lab.waitUntil(async () => !(await lab.ip('near', '-4', 'addr', 'show', 'dev', 'eth0')).includes('inet '), { timeoutMs: 5000, what: 'no IPv4 address' });
    assert.match(await lab.ctl('services', lab.serviceId), /IPv4\.Configuration = \[ Method=off \]/);
    assert.match(readFileSync(join(lab.paths.stateDir, lab.serviceId, 'settings'), 'utf8'), /^IPv4\.method=off$/m);
  });

  it('refuses what ConnMan refuses: auto is NotSupported, fixed and bad addresses are InvalidArguments', async () => {
    const path = `/net/connman/service/${lab.serviceId}`;
    // dbus-send cannot build a{sv}; busctl can: "a{sv}" N key s value ...
    const set = (dict: string) => {
      const kv = dict.split(',');
      const args: string[] = [];
      for (let i = 0; i < kv.length; i += 2) args.push(kv[i], 's', kv[i + 1]);
      return run(['busctl', `--address=${lab.busAddress}`, 'call', 'net.connman', path, 'net.connman.Service', 'SetProperty',
        'sv', 'IPv4.Configuration', 'a{sv}', String(kv.length / 2), ...args]);
    };
    // busctl prints the error's message text
    assert.match((await set('Method,auto')).stderr, /Not supported/);
    assert.match((await set('Method,fixed')).stderr, /Invalid arguments/);
    assert.match((await set('Method,manual,Address,10.0.0.300')).stderr, /Invalid arguments/);
    assert.match((await set('Address,10.0.0.3')).stderr, /Invalid arguments/);
    assert.match(await lab.ctl('services', lab.serviceId), /IPv4\.Configuration = \[ Method=off \]/, 'nothing changed');
  });
});

describe('start-up: flush, KeepExistingConfiguration, excluded interfaces, loopback', { skip }, () => {
  it('flushes what another tool left on a managed interface (as connmand does)', async () => {
    const lab = await Lab.create({ dnsmasqArgs: ['--no-ping'] });
    try {
      await lab.ip('near', 'link', 'set', 'eth0', 'up');
      await lab.ip('near', 'addr', 'add', '192.0.2.10/24', 'dev', 'eth0');
      await lab.startDaemon('switchyard');
      await lab.waitForWiredReady();
      assert.doesNotMatch(await lab.ip('near', 'addr', 'show', 'dev', 'eth0'), /192\.0\.2\.10/);
    } finally { await lab.teardown(); }
  });

  it('keeps addresses and routes of an interface named by KeepExistingConfiguration', async () => {
    const lab = await Lab.create({ dnsmasqArgs: ['--no-ping'] });
    try {
      writeFileSync(lab.paths.mainConf, `${MAIN_CONF}KeepExistingConfiguration=eth*\n`);
      await lab.ip('near', 'link', 'set', 'eth0', 'up');
      await lab.ip('near', 'addr', 'add', '192.0.2.10/24', 'dev', 'eth0');
      await lab.ip('near', 'route', 'add', '198.51.100.0/24', 'via', '192.0.2.1', 'dev', 'eth0');
      await lab.startDaemon('switchyard');
      await lab.waitForWiredReady();
      assert.match(await lab.ip('near', 'addr', 'show', 'dev', 'eth0'), /192\.0\.2\.10\/24/);
      assert.match(await lab.ipRoute('near'), /^198\.51\.100\.0\/24 via 192\.0\.2\.1 dev eth0/m);
      // The daemon still manages it: the lease comes on top.
      assert.ok(await lab.nearAddress());
    } finally { await lab.teardown(); }
  });

  it('never touches an interface excluded with -I: no link change, no address, no service', async () => {
    const lab = await Lab.create({ dnsmasqArgs: ['--no-ping'] });
    try {
      await lab.ip('near', 'link', 'set', 'eth0', 'up');
      await lab.ip('near', 'addr', 'add', '192.0.2.10/24', 'dev', 'eth0');
      // IPv6 DAD may still be running ("tentative"); that is the kernel, not the daemon.
      const snapshot = async () => (await lab.ip('near', 'addr', 'show', 'dev', 'eth0')).replace(/ tentative/g, '');
      const before = await snapshot();
      await lab.startDaemon('switchyard', ['-I', 'eth0']);
      await sleep(3000);
      assert.equal(await snapshot(), before);
      assert.doesNotMatch(await lab.ctl('services'), /ethernet_/);
      assert.equal(lab.leases().length, 0, 'no DHCP on the excluded interface');
    } finally { await lab.teardown(); }
  });

  it('sets lo up with 127.0.0.1/8 when nothing did, and leaves a configured lo alone', async () => {
    const lab = await Lab.create();
    try {
      await lab.ip('near', 'link', 'set', 'lo', 'down');
      await lab.ip('near', 'addr', 'flush', 'dev', 'lo');
      await lab.startDaemon('switchyard');
      await lab.waitUntil(async () => /inet 127\.0\.0\.1\/8/.test(await lab.ip('near', 'addr', 'show', 'dev', 'lo')), { timeoutMs: 5000, what: 'lo configured' });
      assert.match(await lab.ip('near', 'link', 'show', 'lo'), /[<,]UP[,>]/);
      await lab.stopDaemon();
      // Configured by someone else (an extra address): a second start must change nothing.
      await lab.ip('near', 'addr', 'add', '127.0.0.2/8', 'dev', 'lo');
      const before = await lab.ip('near', 'addr', 'show', 'dev', 'lo');
      await lab.startDaemon('switchyard');
      await sleep(1500);
      assert.equal(await lab.ip('near', 'addr', 'show', 'dev', 'lo'), before);
    } finally { await lab.teardown(); }
  });
});
