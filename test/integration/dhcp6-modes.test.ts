// The native DHCPv6 client (RFC 8415) against dnsmasq 2.90 in network namespaces, in each mode
// dnsmasq serves: stateful (IA_NA, with and without Rapid Commit, renewal, release) and stateless
// (INFORMATION-REQUEST). dnsmasq does not delegate prefixes (IA_PD): that is tested against the
// in-process server in test/native/dhcp6-client-test.cc only.
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import type { Dhcp6Lease } from '../../ts/platform/types';
import { COMMON_OPTIONS, DNS6, Ipv6Lab, NTP6, PREFIX, skipReason } from './dhcp6-lab';

const labs: Ipv6Lab[] = [];
after(() => labs.forEach((l) => l.teardown()));

async function lab(args: string[]): Promise<Ipv6Lab> {
  const l = Ipv6Lab.create();
  labs.push(l);
  await l.startDnsmasq([...args, ...COMMON_OPTIONS]);
  return l;
}

function inRange(address: string): boolean {
  // --dhcp-range=::100,::1ff: the last group is 100..1ff hex.
  if (!address.startsWith(PREFIX)) return false;
  const last = parseInt(address.slice(PREFIX.length), 16);
  return last >= 0x100 && last <= 0x1ff;
}

function leaseOf(events: { type: string; lease?: Dhcp6Lease }[], type: string): Dhcp6Lease {
  const e = events.find((x) => x.type === type);
  assert.ok(e?.lease, `no ${type} event in ${JSON.stringify(events)}`);
  return e.lease;
}

describe('dhcp6 client against dnsmasq', { skip: skipReason }, () => {
  it('stateful with Rapid Commit: an IA_NA address, DNS, domains, NTP; RELEASE on stop', async () => {
    const l = await lab(['--dhcp-range=::100,::1ff,constructor:far0,10m']);
    const r = await l.runChild({ mode: 'stateful', until: ['bound'], release: true, timeoutMs: 20_000 });
    assert.ok(r.met, `not bound: ${JSON.stringify(r)}`);
    const lease = leaseOf(r.dhcp6, 'bound');
    assert.equal(lease.addresses.length, 1);
    assert.ok(inRange(lease.addresses[0]!.address), lease.addresses[0]!.address);
    assert.equal(lease.addresses[0]!.prefixLength, 128);
    assert.equal(lease.addresses[0]!.validLifetime, 600);
    assert.deepEqual(lease.dns, [DNS6]);
    assert.deepEqual(lease.domains, ['lab6.test', 'corp.example']);
    assert.deepEqual(lease.ntp, [NTP6]);
    assert.equal(lease.t1, 300);
    assert.match(r.duid ?? '', /^00030001[0-9a-f]{12}$/); // DUID-LL from the MAC
    const log = l.dnsmasqLog;
    assert.match(log, /DHCPSOLICIT\(far0\)/);
    assert.match(log, /rapid-commit/);
    assert.doesNotMatch(log, /DHCPREQUEST\(far0\)/, 'Rapid Commit needs no REQUEST');
    assert.match(log, /DHCPRELEASE\(far0\)/);
    assert.match(log, /release received/);
  });

  it('stateful without Rapid Commit: SOLICIT, ADVERTISE, REQUEST, REPLY', async () => {
    const l = await lab(['--dhcp-range=::100,::1ff,constructor:far0,10m']);
    const r = await l.runChild({ mode: 'stateful', rapidCommit: false, until: ['bound'], release: false, timeoutMs: 20_000 });
    assert.ok(r.met, `not bound: ${JSON.stringify(r)}`);
    assert.ok(inRange(leaseOf(r.dhcp6, 'bound').addresses[0]!.address));
    const log = l.dnsmasqLog;
    assert.match(log, /DHCPADVERTISE\(far0\)/);
    assert.match(log, /DHCPREQUEST\(far0\)/);
    assert.match(log, /DHCPREPLY\(far0\)/);
    assert.doesNotMatch(log, /DHCPRELEASE/, 'stop(false) sends nothing');
  });

  it('stateful renewal at T1 (2 min lease: RENEW after 60 s) is seen by dnsmasq', { timeout: 120_000 }, async () => {
    const l = await lab(['--dhcp-range=::100,::1ff,constructor:far0,2m']);
    const r = await l.runChild({ mode: 'stateful', until: ['bound'], untilRenewed: true, release: true, timeoutMs: 90_000 });
    assert.ok(r.met, `no renewal: ${JSON.stringify(r.dhcp6)}`);
    const bound = r.dhcp6.find((e) => e.type === 'bound')!;
    const renewed = r.dhcp6.find((e) => e.type === 'renewed')!;
    const gap = renewed.atMs - bound.atMs;
    assert.ok(gap >= 59_000 && gap <= 65_000, `renewed ${gap} ms after binding, T1 is 60 s`);
    const before = leaseOf(r.dhcp6, 'bound').addresses[0]!.address;
    assert.equal(leaseOf(r.dhcp6, 'renewed').addresses[0]!.address, before);
    assert.match(l.dnsmasqLog, /DHCPRENEW\(far0\)/);
  });

  it('stateless (ra-stateless): INFORMATION-REQUEST gives DNS and domains, no address', async () => {
    const l = await lab(['--dhcp-range=::,constructor:far0,ra-stateless']);
    const r = await l.runChild({ mode: 'stateless', until: ['info'], release: true, timeoutMs: 20_000 });
    assert.ok(r.met, `no info: ${JSON.stringify(r)}`);
    const info = leaseOf(r.dhcp6, 'info');
    assert.deepEqual(info.addresses, []);
    assert.deepEqual(info.prefixes, []);
    assert.deepEqual(info.dns, [DNS6]);
    assert.deepEqual(info.domains, ['lab6.test', 'corp.example']);
    assert.equal(r.state, 'INFORMED');
    assert.match(l.dnsmasqLog, /DHCPINFORMATION-REQUEST\(far0\)/);
    assert.doesNotMatch(l.dnsmasqLog, /DHCPSOLICIT/);
  });

  it('IA_PD: dnsmasq cannot delegate prefixes; the client keeps to the Solicit schedule', async () => {
    const l = await lab(['--dhcp-range=::100,::1ff,constructor:far0,10m']);
    const r = await l.runChild({
      mode: 'stateful', requestAddress: false, requestPrefix: true, until: ['bound'], release: false, timeoutMs: 8_000,
    });
    assert.equal(r.met, false);
    assert.equal(r.state, 'SOLICITING');
    assert.deepEqual(r.dhcp6.map((e) => e.type), ['stopped']);
    const log = l.dnsmasqLog;
    assert.match(log, /no addresses available/); // its Rapid Commit answer to an IA_PD-only Solicit
    // RFC 8415 section 15 from SOL_TIMEOUT 1 s, doubling: about 4 Solicits in 8 s, not a storm.
    const solicits = (log.match(/DHCPSOLICIT\(far0\)/g) ?? []).length;
    assert.ok(solicits >= 2 && solicits <= 5, `${solicits} SOLICITs in 8 s`);
  });
});
