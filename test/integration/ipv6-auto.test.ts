// IPv6 method auto against dnsmasq router advertisements in each mode, Switchyard and connmand 1.41:
// - ra-stateless (RA with O flag, RDNSS, DNSSL): SLAAC address, Nameservers/Domains from the RA;
//   Privacy preferred sets use_tempaddr 2 and a temporary address appears;
// - stateful (M flag, range ::100-::1ff): the DHCPv6 IA_NA address /128 in `ip -6 addr` and in the
//   IPv6 property, DNS and domains from the REPLY, RELEASE in dnsmasq's log on disconnect;
// - slaac (A flag and DHCPv6 on the same range): SLAAC address plus RDNSS.
// Both daemons leave accept_ra/autoconf at the kernel's defaults; the test reads them for each.
// Differences from connmand 1.41 are asserted as such below, with the reason at each place.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DaemonKind, Lab, sleep } from '../harness';

const skip = process.getuid?.() !== 0 ? 'needs root for network namespaces' : false;

const opts = (p: string) => [
  '--no-ping', '--enable-ra', '--ra-param=far0,10,300',
  `--dhcp-option=option6:dns-server,[${p}53]`, '--dhcp-option=option6:domain-search,v6.lab.test',
  `--dhcp-option=option6:ntp-server,[${p}123]`,
];

const ipv6Line = (props: string) => /^\s*IPv6 = (\[.*\])$/m.exec(props)?.[1] ?? '';
const listLine = (props: string, key: string) => new RegExp(`^\\s*${key} = \\[ (.*) \\]$`, 'm').exec(props)?.[1] ?? '';

async function sysctl(lab: Lab, key: string): Promise<string> {
  const r = await lab.exec('near', ['cat', `/proc/sys/net/ipv6/conf/eth0/${key}`]);
  return r.stdout.trim();
}

async function withLab(p: string, mode: string[], kind: DaemonKind, body: (lab: Lab) => Promise<void>): Promise<void> {
  const lab = await Lab.create({ dnsmasqArgs: [...opts(p), ...mode] });
  try {
    await lab.ip('far', 'addr', 'add', `${p}1/64`, 'dev', 'far0');
    await lab.startDaemon(kind);
    await lab.waitForWiredReady({ timeoutMs: 30_000 });
    await body(lab);
  } catch (err) {
    throw new Error(`${kind}: ${(err as Error).message}\n--- daemon log tail\n${lab.daemonLog().split('\n').slice(-25).join('\n')}`);
  } finally {
    await lab.teardown();
  }
}

const props = (lab: Lab) => lab.ctl('services', lab.serviceId);
const addr6 = (lab: Lab) => lab.ip('near', '-6', 'addr', 'show', 'dev', 'eth0');

async function stateless(kind: DaemonKind): Promise<void> {
  const p = 'fd00:84::';
  await withLab(p, ['--dhcp-range=fd00:84::,ra-stateless,64,1h'], kind, async (lab) => {
    const re = /inet6 (fd00:84::[0-9a-f:]+)\/64 scope global (?:tentative )?dynamic mngtmpaddr/;
    const a = await lab.waitUntil(async () => re.exec(await addr6(lab))?.[1], { timeoutMs: 20_000, what: 'SLAAC address' });
    await lab.waitUntil(async () => listLine(await props(lab), 'Nameservers').includes(`${p}53`), { timeoutMs: 15_000, what: 'RDNSS in Nameservers' });
    if (kind === 'switchyard') {
      await lab.waitUntil(async () => listLine(await props(lab), 'Domains').includes('v6.lab.test'), { timeoutMs: 15_000, what: 'DNSSL in Domains' });
    } else {
      // Difference: connmand 1.41 hands DNSSL domains to its resolver only; its Domains property
      // stays the DHCPv4 one. Switchyard shows them, since the issue asks for them as the service's.
      await sleep(3000);
      assert.ok(!listLine(await props(lab), 'Domains').includes('v6.lab.test'), 'connmand: no DNSSL in Domains');
    }
    await lab.waitUntil(async () => ipv6Line(await props(lab)) === `[ Method=auto, Address=${a}, PrefixLength=64, Privacy=disabled ]`,
      { timeoutMs: 10_000, what: `IPv6 property with ${a}` });
    // the RA's default route is the kernel's; under load it can trail the address by a moment
    await lab.waitUntil(async () => /^default via fe80::\S+ dev eth0 proto ra /m.test(await lab.ip('near', '-6', 'route', 'show')),
      { timeoutMs: 10_000, what: 'the default route from the RA' });
    // the kernel's SLAAC switches as both daemons leave them (connmand 1.41 writes neither)
    assert.equal(await sysctl(lab, 'accept_ra'), '1');
    assert.equal(await sysctl(lab, 'autoconf'), '1');
    assert.equal(await sysctl(lab, 'use_tempaddr'), '0');
    if (kind === 'switchyard') {
      // O flag: INFORMATION-REQUEST. connmand 1.41 sends one too, but the check is on our daemon.
      await lab.waitUntil(() => /DHCPINFORMATION-REQUEST/.test(lab.dnsmasqLog()), { timeoutMs: 15_000, what: 'INFORMATION-REQUEST' });
    }

    // Privacy preferred: use_tempaddr 2 and a temporary address beside the public one
    await lab.ctl('config', lab.serviceId, '--ipv6', 'auto', 'preferred');
    await lab.waitUntil(async () => (await sysctl(lab, 'use_tempaddr')) === '2', { timeoutMs: 10_000, what: 'use_tempaddr 2' });
    const tmp = await lab.waitUntil(async () => /inet6 (fd00:84::[0-9a-f:]+)\/64 scope global (?:tentative )?temporary dynamic/.exec(await addr6(lab))?.[1],
      { timeoutMs: 20_000, what: 'temporary address' });
    // As connmand 1.41: the IPv6 property shows the newest address, the temporary one.
    await lab.waitUntil(async () => ipv6Line(await props(lab)) === `[ Method=auto, Address=${tmp}, PrefixLength=64, Privacy=prefered ]`,
      { timeoutMs: 10_000, what: 'temporary address and Privacy=prefered in IPv6' });
    process.stdout.write(`# ${kind} privacy preferred: IPv6 = ${ipv6Line(await props(lab))} (temporary ${tmp})\n`);

    await lab.ctl('config', lab.serviceId, '--ipv6', 'auto', 'disable');
    await lab.waitUntil(async () => (await sysctl(lab, 'use_tempaddr')) === '0', { timeoutMs: 10_000, what: 'use_tempaddr 0' });
  });
}

async function stateful(kind: DaemonKind): Promise<void> {
  const p = 'fd00:85::';
  await withLab(p, ['--dhcp-range=fd00:85::100,fd00:85::1ff,64,1h'], kind, async (lab) => {
    const re = /inet6 (fd00:85::1[0-9a-f]{2})\/128 scope global/;
    const a = await lab.waitUntil(async () => re.exec(await addr6(lab))?.[1], { timeoutMs: 30_000, what: 'DHCPv6 IA_NA address' });
    await lab.waitUntil(async () => ipv6Line(await props(lab)).includes(`Address=${a}`), { timeoutMs: 10_000, what: `IPv6 property with ${a}` });
    const pr = await props(lab);
    assert.match(ipv6Line(pr), new RegExp(`^\\[ Method=auto, Address=${a}, PrefixLength=128`));
    await lab.waitUntil(async () => listLine(await props(lab), 'Nameservers').includes(`${p}53`), { timeoutMs: 10_000, what: 'DHCPv6 DNS in Nameservers' });
    await lab.waitUntil(async () => listLine(await props(lab), 'Domains').includes('v6.lab.test'), { timeoutMs: 10_000, what: 'DHCPv6 domain in Domains' });
    // lifetimes as leased (1h): valid_lft counts down from 3600
    const lft = /valid_lft (\d+)sec preferred_lft (\d+)sec/.exec((await addr6(lab)).split(a)[1] ?? '');
    assert.ok(lft && Number(lft[1]) <= 3600 && Number(lft[1]) > 3000, `lease lifetimes on the address: ${lft?.[0]}`);
    if (kind === 'switchyard') {
      await lab.waitUntil(async () => listLine(await props(lab), 'Timeservers').includes(`${p}123`), { timeoutMs: 10_000, what: 'NTP in Timeservers' });
    }
    await lab.ctl('disconnect', lab.serviceId);
    await lab.waitUntil(() => /DHCPRELEASE\(far0\)/.test(lab.dnsmasqLog()), { timeoutMs: 10_000, what: 'DHCPv6 RELEASE' });
    await lab.waitUntil(async () => !re.test(await addr6(lab)), { timeoutMs: 10_000, what: 'IA_NA address removed' });
  });
}

async function slaacMode(kind: DaemonKind): Promise<void> {
  const p = 'fd00:86::';
  await withLab(p, ['--dhcp-range=fd00:86::,slaac,64,1h'], kind, async (lab) => {
    await lab.waitUntil(async () => /inet6 fd00:86::[0-9a-f:]+\/64 scope global/.test(await addr6(lab)), { timeoutMs: 20_000, what: 'SLAAC address' });
    await lab.waitUntil(async () => listLine(await props(lab), 'Nameservers').includes(`${p}53`), { timeoutMs: 15_000, what: 'RDNSS in Nameservers' });
  });
}

describe('IPv6 auto against dnsmasq RAs and DHCPv6', { skip }, () => {
  for (const kind of ['switchyard', 'connmand'] as DaemonKind[]) {
    it(`${kind}: ra-stateless: SLAAC, RDNSS/DNSSL, privacy`, { timeout: 120_000 }, () => stateless(kind));
    // connmand 1.41 got no IA_NA address from dnsmasq within 30 s in this lab (M flag set, RA seen);
    // the stateful comparison is therefore Switchyard only until that is understood.
    it(`${kind}: stateful DHCPv6: IA_NA, DNS, domains, RELEASE`,
      { timeout: 120_000, skip: kind === 'connmand' ? 'connmand 1.41 obtains no DHCPv6 address from dnsmasq in this lab' : false },
      () => stateful(kind));
    it(`${kind}: slaac mode: SLAAC address and RDNSS`, { timeout: 120_000 }, () => slaacMode(kind));
  }
});

