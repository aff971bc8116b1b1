// IPv6 auto, manual and off against dnsmasq sending router advertisements (fd00:83::/64, ra-only):
// the SLAAC address and the RA default route in `ip -6`, the IPv6 property with ConnMan's keys, manual
// set live through SetProperty (connmanctl config), off removing every IPv6 address, auto bringing
// SLAAC back. connmand 1.41 runs the same steps. Where it differs it is on purpose, and the test says so:
// - with RAs present, connmand's IPv6 property under manual shows the SLAAC address, not the manual one;
// - with IPv4 connected first, connmand 1.41 never installs the manual IPv6 default route (its gateway
//   code only sets a default when no gateway is active yet). Switchyard installs it; with IPv4 off,
//   where connmand does install it, the two agree route for route.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DaemonKind, Lab, sleep } from '../harness';

const skip = process.getuid?.() !== 0 ? 'needs root for network namespaces' : false;
const RA = ['--no-ping', '--enable-ra', '--dhcp-range=fd00:83::,ra-only,64,1h', '--ra-param=far0,10,300'];

const ipv6Line = (props: string) => /^\s*IPv6 = (\[.*\])$/m.exec(props)?.[1];
const slaac = (addr: string) => /inet6 (fd00:83::[0-9a-f:]+)\/64 scope global (?:tentative )?dynamic mngtmpaddr/.exec(addr)?.[1];

async function raLab(): Promise<Lab> {
  const lab = await Lab.create({ dnsmasqArgs: RA });
  // dnsmasq picks the prefix up from far0 once the address is there.
  await lab.ip('far', 'addr', 'add', 'fd00:83::1/64', 'dev', 'far0');
  return lab;
}

async function ipv6Scenario(kind: DaemonKind): Promise<void> {
  const lab = await raLab();
  try {
    await lab.startDaemon(kind);
    await lab.waitForWiredReady({ timeoutMs: 30_000 });
    const addr6 = () => lab.ip('near', '-6', 'addr', 'show', 'dev', 'eth0');
    const props = () => lab.ctl('services', lab.serviceId);

    // auto: the kernel's SLAAC address, shown in the IPv6 property once it is there
    const auto = await lab.waitUntil(async () => slaac(await addr6()), { timeoutMs: 15_000, what: 'SLAAC address' });
    await lab.waitUntil(async () => ipv6Line(await props()) === `[ Method=auto, Address=${auto}, PrefixLength=64, Privacy=disabled ]`,
      { timeoutMs: 10_000, what: `IPv6 property with ${auto}` });
    assert.match(await lab.ip('near', '-6', 'route', 'show'), /^default via fe80::\S+ dev eth0 proto ra /m, 'RA default route');
    assert.match(await props(), /IPv6\.Configuration = \[ Method=auto, Privacy=disabled \]/);

    // manual, set live
    await lab.ctl('config', lab.serviceId, '--ipv6', 'manual', 'fd00:83::99', '64', 'fd00:83::1');
    await lab.waitUntil(async () => /inet6 fd00:83::99\/64 scope global/.test(await addr6()), { timeoutMs: 5000, what: 'manual IPv6 address' });
    await sleep(300);
    const p = await props();
    assert.match(p, /IPv6\.Configuration = \[ Method=manual, Address=fd00:83::99, PrefixLength=64, Gateway=fd00:83::1, Privacy=disabled \]/);
    if (kind === 'switchyard') {
      assert.equal(ipv6Line(p), '[ Method=manual, Address=fd00:83::99, PrefixLength=64, Gateway=fd00:83::1, Privacy=disabled ]');
      assert.match(await lab.ip('near', '-6', 'route', 'show'), /^default via fd00:83::1 dev eth0 /m);
    } else {
      assert.match(ipv6Line(p) ?? '', /^\[ Method=manual, Address=fd00:83::/, 'connmand shows a manual IPv6 dict');
    }
    assert.match(await lab.ip('near', '-6', 'route', 'show'), /^fd00:83::1 dev eth0 metric 1 /m, 'host route to the gateway');

    // off: no IPv6 address at all on the link, the property empties
    await lab.ctl('config', lab.serviceId, '--ipv6', 'off');
    await lab.waitUntil(async () => !(await addr6()).includes('inet6'), { timeoutMs: 5000, what: 'no IPv6 address' });
    assert.equal(ipv6Line(await props()), '[  ]');
    assert.match(await props(), /IPv6\.Configuration = \[ Method=off \]/);
    assert.match(await props(), /State = (ready|online)/, 'IPv4 keeps the service connected');

    // auto again: SLAAC comes back
    await lab.ctl('config', lab.serviceId, '--ipv6', 'auto');
    const again = await lab.waitUntil(async () => slaac(await addr6()), { timeoutMs: 20_000, what: 'SLAAC after off -> auto' });
    await lab.waitUntil(async () => ipv6Line(await props()) === `[ Method=auto, Address=${again}, PrefixLength=64, Privacy=disabled ]`,
      { timeoutMs: 10_000, what: 'IPv6 property after off -> auto' });
  } catch (err) {
    throw new Error(`${kind}: ${(err as Error).message}\n--- log tail\n${lab.daemonLog().split('\n').slice(-20).join('\n')}`);
  } finally {
    await lab.teardown();
  }
}

/** IPv4 off, manual IPv6 with a gateway, no RAs: what each daemon puts in `ip -6 route` and the property. */
async function manualOnly(kind: DaemonKind): Promise<{ routes: string; ipv6: string | undefined }> {
  const lab = await Lab.create({ dnsmasqArgs: ['--no-ping'] });
  try {
    await lab.startDaemon(kind);
    await lab.waitForWiredReady({ timeoutMs: 30_000 });
    await lab.ctl('config', lab.serviceId, '--ipv4', 'off');
    await lab.ctl('config', lab.serviceId, '--ipv6', 'manual', 'fd00:83::99', '64', 'fd00:83::1');
    await lab.waitUntil(async () => /^default via fd00:83::1 /m.test(await lab.ip('near', '-6', 'route', 'show')), { timeoutMs: 5000, what: 'IPv6 default route' });
    await sleep(300);
    return { routes: await lab.ip('near', '-6', 'route', 'show'), ipv6: ipv6Line(await lab.ctl('services', lab.serviceId)) };
  } finally {
    await lab.teardown();
  }
}

describe('IPv6 auto/manual/off with router advertisements', { skip }, () => {
  it('connmand 1.41 (reference)', async () => { await ipv6Scenario('connmand'); });
  it('Switchyard', async () => { await ipv6Scenario('switchyard'); });

  it('IPv4 off + manual IPv6: the same routes and IPv6 property as connmand 1.41', async () => {
    const c = await manualOnly('connmand');
    const s = await manualOnly('switchyard');
    assert.equal(s.ipv6, '[ Method=manual, Address=fd00:83::99, PrefixLength=64, Gateway=fd00:83::1, Privacy=disabled ]');
    assert.equal(s.ipv6, c.ipv6);
    // connmand marks its host route "onlink"; a /128 on the link is on-link either way, so that flag is masked.
    const norm = (t: string) => t.split('\n').map((l) => l.trim().replace(/ onlink/, '')).filter(Boolean).sort().join('\n');
    assert.equal(norm(s.routes), norm(c.routes));
  });
});
