// Router advertisements from dnsmasq (--enable-ra) read by the native RA watcher: RDNSS and DNSSL
// (RFC 8106) with their lifetimes, the M / O flags the kernel keeps for the last RA, SLAAC left to
// the kernel (accept_ra), and forged netlink from userspace ignored (CVE-2012-2320).
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import type { RaEvent } from '../../ts/platform/types';
import { COMMON_OPTIONS, DNS6, Ipv6Lab, PREFIX, skipReason } from './dhcp6-lab';

const labs: Ipv6Lab[] = [];
after(() => labs.forEach((l) => l.teardown()));

async function watch(range: string, extra: { spoof?: boolean } = {}) {
  const l = Ipv6Lab.create();
  labs.push(l);
  await l.startDnsmasq([`--dhcp-range=${range}`, ...COMMON_OPTIONS]);
  // holdMs: the flags are asked for again every second; the last answer is after the RA.
  const r = await l.runChild({ mode: 'none', until: ['rdnss', 'dnssl'], holdMs: 1500, release: false, timeoutMs: 15_000, ...extra });
  assert.ok(r.met, `no RDNSS/DNSSL within 15 s: ${JSON.stringify(r.ra)}`);
  return { lab: l, r };
}

function rdnssOf(ra: RaEvent[]) {
  return ra.find((e): e is Extract<RaEvent, { type: 'rdnss' }> => e.type === 'rdnss');
}

function lastFlags(ra: RaEvent[]): { managed: boolean; other: boolean } {
  const f = ra.filter((e): e is Extract<RaEvent, { type: 'raflags' }> => e.type === 'raflags').pop();
  assert.ok(f, 'no raflags event');
  return { managed: f.managed, other: f.other };
}

function checkRdnssDnssl(ra: RaEvent[]): void {
  const rdnss = ra.find((e): e is Extract<RaEvent, { type: 'rdnss' }> => e.type === 'rdnss');
  const dnssl = ra.find((e): e is Extract<RaEvent, { type: 'dnssl' }> => e.type === 'dnssl');
  assert.ok(rdnss && dnssl);
  assert.deepEqual(rdnss.servers, [DNS6]);
  assert.deepEqual(dnssl.domains, ['lab6.test', 'corp.example']);
  // dnsmasq 2.90 gives both its router lifetime, 1800 s, when the range has a lease time.
  assert.equal(rdnss.lifetime, 1800);
  assert.equal(dnssl.lifetime, 1800);
  assert.match(rdnss.router, /^fe80::/);
  assert.equal(dnssl.router, rdnss.router);
}

describe('RA watcher against dnsmasq router advertisements', { skip: skipReason }, () => {
  it('stateful range: M and O set, RDNSS and DNSSL with lifetimes', async () => {
    const { r } = await watch('::100,::1ff,constructor:far0,10m');
    checkRdnssDnssl(r.ra);
    assert.deepEqual(lastFlags(r.ra), { managed: true, other: true });
  });

  it('ra-stateless: O only, RDNSS and DNSSL, SLAAC address from the kernel', async () => {
    const { r } = await watch('::,constructor:far0,ra-stateless,10m');
    checkRdnssDnssl(r.ra);
    assert.deepEqual(lastFlags(r.ra), { managed: false, other: true });
    assert.match(r.addrs, new RegExp(`inet6 ${PREFIX.slice(0, -1)}0:[0-9a-f:]+/64 scope global`));
  });

  it('slaac: neither M nor O (dnsmasq 2.90), RDNSS and DNSSL, SLAAC address from the kernel', async () => {
    const { r } = await watch('::,constructor:far0,slaac,10m');
    checkRdnssDnssl(r.ra);
    assert.deepEqual(lastFlags(r.ra), { managed: false, other: false });
    assert.match(r.addrs, new RegExp(`inet6 ${PREFIX.slice(0, -1)}0:[0-9a-f:]+/64 scope global`));
  });

  it('CVE-2012-2320: an ND user option forged by a userspace socket is dropped', async () => {
    const { r } = await watch('::,constructor:far0,ra-stateless', { spoof: true });
    assert.ok(r.diagnostics.spoofedDropped >= 1, JSON.stringify(r.diagnostics));
    const servers = r.ra.flatMap((e) => (e.type === 'rdnss' ? e.servers : []));
    assert.ok(!servers.includes('2001:db8:666::1'), `forged server reported: ${servers.join(' ')}`);
    assert.ok(servers.includes(DNS6), 'the real RA still gets through');
    // With no lease time on the range dnsmasq advertises RDNSS as infinite: reported as is.
    assert.equal(rdnssOf(r.ra)?.lifetime, 0xffffffff);
  });
});
