// DHCP extras from dnsmasq, checked where a user looks: MTU (26) in `ip link`, classless static routes
// (121) and the host route to an off-subnet nameserver (6) in `ip route`, domain (15) and search list
// (119) in the Domains property, hostname (12) and domain name in the daemon's private UTS namespace
// (`nsenter -t <pid> -u`), only when AllowHostnameUpdates / AllowDomainnameUpdates allow it, and never
// one with shell metacharacters (CVE-2012-2321). connmand 1.41 runs the same scenarios where it behaves
// alike; it does not ask for options 119 and 121, so those are Switchyard's alone.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { DaemonKind, Lab, MAIN_CONF, run, sleep } from '../harness';

const skip = process.getuid?.() !== 0 ? 'needs root for network namespaces' : false;

const EXTRAS = [
  '--no-ping', '--dhcp-option=26,1400', '--dhcp-option=121,198.51.100.0/24,10.233.83.1,0.0.0.0/0,10.233.83.1',
  '--dhcp-option=119,corp.example,eng.example', '--dhcp-option=6,10.233.83.1,192.0.2.53', '--dhcp-option=12,labhost',
];

interface Seen { link: string; routes: string; props: string; hostname: string; domainname: string; hostHostname: string }

async function observe(kind: DaemonKind, conf = '', dnsmasqArgs = EXTRAS): Promise<Seen> {
  const lab = await Lab.create({ dnsmasqArgs });
  try {
    writeFileSync(lab.paths.mainConf, MAIN_CONF + conf);
    const daemon = await lab.startDaemon(kind);
    await lab.waitForWiredReady({ timeoutMs: 30_000 });
    await lab.waitUntil(async () => /^192\.0\.2\.53 /m.test(await lab.ipRoute('near')) || undefined, { timeoutMs: 3000 }).catch(() => undefined);
    await sleep(300);
    const uts = async (cmd: string) => (await run(['nsenter', '-t', String(daemon.proc.pid), '-u', cmd])).stdout.trim();
    return {
      link: await lab.ip('near', 'link', 'show', 'eth0'),
      routes: await lab.ipRoute('near'),
      props: await lab.ctl('services', lab.serviceId),
      hostname: await uts('hostname'),
      domainname: await uts('domainname'),
      hostHostname: (await run(['hostname'])).stdout.trim(),
    };
  } catch (err) {
    throw new Error(`${kind}: ${(err as Error).message}\n--- log tail\n${lab.daemonLog().split('\n').slice(-20).join('\n')}`);
  } finally {
    await lab.teardown();
  }
}

function checkCommon(s: Seen): void {
  assert.match(s.link, /mtu 1400 /, 'option 26 sets the link MTU');
  assert.match(s.props, /Ethernet = \[ .*MTU=1400 \]/);
  assert.match(s.routes, /^192\.0\.2\.53 via 10\.233\.83\.1 dev eth0/m, 'host route to the nameserver outside the subnet');
  assert.doesNotMatch(s.routes, /^10\.233\.83\.1 via/m, 'an on-link nameserver gets no such route');
  assert.match(s.props, /Nameservers = \[ 10\.233\.83\.1, 192\.0\.2\.53 \]/);
  assert.equal(s.hostname, 'labhost', 'option 12 becomes the hostname (AllowHostnameUpdates defaults to true)');
  assert.equal(s.domainname, 'lab.test', 'option 15 becomes the domain name (AllowDomainnameUpdates defaults to true)');
}

describe('DHCP extras: MTU, classless routes, search list, domain, hostname', { skip }, () => {
  const seen: Partial<Record<DaemonKind, Seen>> = {};

  it('connmand 1.41 (reference): MTU, nameserver host route, hostname', async () => {
    seen.connmand = await observe('connmand');
    checkCommon(seen.connmand);
  });

  it('Switchyard: the same, plus option 121 routes and the 119 search list after the domain', async () => {
    const s = seen.switchyard = await observe('switchyard');
    checkCommon(s);
    assert.match(s.routes, /^198\.51\.100\.0\/24 via 10\.233\.83\.1 dev eth0/m, 'classless static route');
    assert.match(s.routes, /^default via 10\.233\.83\.1 dev eth0/m, 'the 121 default entry is the gateway');
    assert.match(s.props, /Domains = \[ lab\.test, corp\.example, eng\.example \]/);
  });

  for (const kind of ['connmand', 'switchyard'] as const) {
    it(`${kind}: AllowHostnameUpdates=false and AllowDomainnameUpdates=false leave the names alone`, async () => {
      const s = await observe(kind, 'AllowHostnameUpdates=false\nAllowDomainnameUpdates=false\n');
      assert.match(s.link, /mtu 1400 /);
      assert.equal(s.hostname, s.hostHostname, 'the hostname stayed what the namespace started with');
      assert.equal(s.domainname, '(none)');
    });

    it(`${kind}: a hostname with shell metacharacters ("a;reboot") is refused`, async () => {
      const s = await observe(kind, '', ['--no-ping', '--dhcp-option=12,a;reboot']);
      assert.equal(s.hostname, s.hostHostname);
      assert.match(s.props, /State = (ready|online)/, 'the lease itself is still used');
    });
  }
});
