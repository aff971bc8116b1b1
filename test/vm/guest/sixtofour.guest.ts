// Runs INSIDE the test guest (test/vm/sixtofour-guest.test.ts starts it), where the sit module loads:
// the lab's dnsmasq hands out a public-looking address (203.0.113.0/24, TEST-NET-3) and sends no
// router advertisements, Switchyard runs with Enable6to4=true, and the tunnel must appear while the
// service is ready and be gone after Disconnect.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync } from 'node:fs';
import { Lab } from '../../harness';

const NET = '203.0.113';

test('Enable6to4: tun6to4 from a public DHCP address, removed on disconnect', { timeout: 50_000 }, async () => {
  const lab = await Lab.create();
  try {
    // The lab's dnsmasq serves 10.233.83.0/24; swap far0 to a public-looking subnet and restart it
    // with a range there (its built-in range no longer matches any address on far0).
    await lab.killDnsmasq();
    await lab.ip('far', 'addr', 'flush', 'dev', 'far0');
    await lab.ip('far', 'addr', 'add', `${NET}.1/24`, 'dev', 'far0');
    await lab.restartDnsmasq([`--dhcp-range=${NET}.50,${NET}.60,255.255.255.0,1h`]);
    appendFileSync(lab.paths.mainConf, 'Enable6to4=true\n');
    await lab.startDaemon('switchyard');
    // (not waitForWiredReady: it looks for the lab's usual 10.233.83.0/24 lease)
    await lab.waitUntil(async () => (await lab.services()).find((x) => x.id === lab.serviceId && x.state === 'ready'),
      { timeoutMs: 25_000, what: 'cable service ready' });
    const v4 = await lab.waitUntil(async () => new RegExp(`inet (${NET.replace(/\./g, '\\.')}\\.\\d+)/24`)
      .exec(await lab.ip('near', '-4', 'addr', 'show', 'dev', 'eth0'))?.[1], { timeoutMs: 5_000, what: 'public lease' });
    const last = Number(v4.split('.')[3]);
    const want = `2002:cb00:71${last.toString(16).padStart(2, '0')}::1/64`;
    const addr = await lab.waitUntil(async () => {
      const r = await lab.exec('near', ['ip', '-6', 'addr', 'show', 'dev', 'tun6to4']);
      return r.code === 0 && r.stdout.includes(want) ? r.stdout : undefined;
    }, { timeoutMs: 10_000, what: `tun6to4 with ${want}` });
    const route = await lab.ip('near', '-6', 'route', 'show', 'dev', 'tun6to4');
    const link = await lab.ip('near', '-d', 'link', 'show', 'dev', 'tun6to4');
    process.stdout.write(`# lease ${v4}\n# ip -6 addr show dev tun6to4:\n${addr}# ip -6 route show dev tun6to4:\n${route}# ${link.split('\n')[2]?.trim()}\n`);
    assert.match(addr, new RegExp(`inet6 ${want.replace(/\//, '\\/')} scope global`));
    assert.match(route, /^default via ::192\.88\.99\.1 metric 1 /m);
    assert.match(route, /^2002:cb00:71[0-9a-f]{2}::\/64 proto kernel metric 256/m);
    assert.match(link, new RegExp(`sit ip6ip remote any local ${v4.replace(/\./g, '\\.')} ttl 64 pmtudisc`));
    assert.match(link, /mtu 1472/);

    await lab.ctl('disconnect', lab.serviceId);
    await lab.waitUntil(async () => (await lab.exec('near', ['ip', 'link', 'show', 'dev', 'tun6to4'])).code !== 0,
      { timeoutMs: 10_000, what: 'tun6to4 gone after disconnect' });
    assert.doesNotMatch(await lab.ip('near', '-6', 'route', 'show'), /192\.88\.99\.1|2002:/);
    assert.doesNotMatch(await lab.ip('near', '-6', 'addr', 'show'), /2002:/);
  } catch (err) {
    throw new Error(`${(err as Error).message}\n--- daemon log tail\n${lab.daemonLog().split('\n').slice(-30).join('\n')}`);
  } finally {
    await lab.teardown();
  }
});
