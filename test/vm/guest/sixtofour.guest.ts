// Runs INSIDE the test guest (test/vm/sixtofour-guest.test.ts starts it), where the sit module loads:
// the lab's dnsmasq hands out a public-looking address (203.0.113.0/24, TEST-NET-3) and sends no
// router advertisements, and Switchyard runs with Enable6to4=true. The far namespace plays the 6to4
// relay (192.88.99.1, RFC 3068) with an HTTP server behind it, which is the status page the tunnel
// check fetches (OnlineCheckIPv6URL): while it answers 200 the tunnel stays, and after Disconnect
// everything is gone; once the page answers 404 the tunnel is removed again right after it is made.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { appendFileSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Lab } from '../../harness';

const NET = '203.0.113';
const RELAY_V6 = '2002:c058:6301::1'; // 6to4 address of 192.88.99.1
const URL = `http://[${RELAY_V6}]:8080/status.html`;

test('Enable6to4: tun6to4 from a public DHCP address, checked through a relay, removed on disconnect', { timeout: 100_000 }, async () => {
  const lab = await Lab.create();
  const www = join(lab.dir, 'www');
  let httpLog = '';
  let server: ReturnType<typeof spawn> | undefined;
  const tunnel = async () => {
    const r = await lab.exec('near', ['ip', '-6', 'addr', 'show', 'dev', 'tun6to4']);
    return r.code === 0 ? r.stdout : undefined;
  };
  try {
    // The lab's dnsmasq serves 10.233.83.0/24; swap far0 to a public-looking subnet and restart it
    // with a range there (its built-in range no longer matches any address on far0).
    await lab.killDnsmasq();
    await lab.ip('far', 'addr', 'flush', 'dev', 'far0');
    await lab.ip('far', 'addr', 'add', `${NET}.1/24`, 'dev', 'far0');
    await lab.restartDnsmasq([`--dhcp-range=${NET}.50,${NET}.60,255.255.255.0,1h`]);
    // the relay: the anycast address, a sit tunnel from it, its 6to4 address, and a web server there
    await lab.ip('far', 'addr', 'add', '192.88.99.1/32', 'dev', 'lo');
    await lab.ip('far', 'link', 'add', 'tun6to4', 'type', 'sit', 'remote', 'any', 'local', '192.88.99.1', 'ttl', '64');
    await lab.ip('far', 'link', 'set', 'tun6to4', 'up');
    await lab.ip('far', 'addr', 'add', `${RELAY_V6}/16`, 'dev', 'tun6to4', 'nodad');
    mkdirSync(www);
    writeFileSync(join(www, 'status.html'), 'ok\n');
    server = spawn('ip', ['netns', 'exec', lab.far, 'python3', '-m', 'http.server', '8080', '--bind', RELAY_V6, '--directory', www],
      { stdio: ['ignore', 'ignore', 'pipe'] });
    server.stderr?.on('data', (d: Buffer) => { httpLog += d.toString(); });
    appendFileSync(lab.paths.mainConf, `Enable6to4=true\nOnlineCheckIPv6URL=${URL}\n`);

    // a node start reading dist/ over 9p under TCG can take well over the default 20 s on a loaded host
    await lab.startDaemon('switchyard', [], 45_000);
    // (not waitForWiredReady: it looks for the lab's usual 10.233.83.0/24 lease)
    await lab.waitUntil(async () => (await lab.services()).find((x) => x.id === lab.serviceId && x.state === 'ready'),
      { timeoutMs: 25_000, what: 'cable service ready' });
    const v4 = await lab.waitUntil(async () => new RegExp(`inet (${NET.replace(/\./g, '\\.')}\\.\\d+)/24`)
      .exec(await lab.ip('near', '-4', 'addr', 'show', 'dev', 'eth0'))?.[1], { timeoutMs: 5_000, what: 'public lease' });
    const want = `2002:cb00:71${Number(v4.split('.')[3]).toString(16).padStart(2, '0')}::1/64`;
    const addr = await lab.waitUntil(async () => (await tunnel())?.includes(want) && await tunnel(), { timeoutMs: 10_000, what: `tun6to4 with ${want}` });
    await lab.waitUntil(() => /"GET \/status\.html HTTP\/1\.1" 200/.test(httpLog), { timeoutMs: 15_000, what: 'the status page fetched through the tunnel' });
    const route = await lab.ip('near', '-6', 'route', 'show', 'dev', 'tun6to4');
    const link = await lab.ip('near', '-d', 'link', 'show', 'dev', 'tun6to4');
    process.stdout.write(`# lease ${v4}\n# ip -6 addr show dev tun6to4:\n${addr}# ip -6 route show dev tun6to4:\n${route}` +
      `# ${link.split('\n')[2]?.trim()}\n# relay's web server: ${httpLog.trim().split('\n').pop()}\n`);
    assert.match(addr, new RegExp(`inet6 ${want.replace(/\//, '\\/')} scope global`));
    assert.match(route, /^default via ::192\.88\.99\.1 metric 1 /m);
    assert.match(route, /^2002:cb00:71[0-9a-f]{2}::\/64 proto kernel metric 256/m);
    assert.match(link, new RegExp(`sit ip6ip remote any local ${v4.replace(/\./g, '\\.')} ttl 64 pmtudisc`));
    assert.match(link, /mtu 1472/);
    assert.match(httpLog, new RegExp(`^${want.split('/')[0].replace(/:/g, ':')} - - .*"GET /status\\.html`, 'm'), 'the GET came from the tunnel address');
    assert.ok(await tunnel(), 'a 200 keeps the tunnel');

    await lab.ctl('disconnect', lab.serviceId);
    await lab.waitUntil(async () => !(await tunnel()), { timeoutMs: 10_000, what: 'tun6to4 gone after disconnect' });
    assert.doesNotMatch(await lab.ip('near', '-6', 'route', 'show'), /192\.88\.99\.1|2002:/);
    assert.doesNotMatch(await lab.ip('near', '-6', 'addr', 'show'), /2002:/);

    // the status page now answers 404: ConnMan's rule removes the tunnel after the check
    rmSync(join(www, 'status.html'));
    await lab.ctl('connect', lab.serviceId);
    await lab.waitUntil(() => /"GET \/status\.html HTTP\/1\.1" 404/.test(httpLog), { timeoutMs: 20_000, what: 'a 404 from the status page' });
    await lab.waitUntil(async () => !(await tunnel()), { timeoutMs: 10_000, what: 'tun6to4 removed after the 404' });
    assert.ok((await lab.services()).some((x) => x.id === lab.serviceId && x.state === 'ready'), 'the service itself stays ready');
  } catch (err) {
    throw new Error(`${(err as Error).message}\n--- web server\n${httpLog}\n--- daemon log tail\n${lab.daemonLog().split('\n').slice(-30).join('\n')}`);
  } finally {
    server?.kill('SIGKILL');
    await lab.teardown();
  }
});
