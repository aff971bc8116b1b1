// DHCPv6 state that outlives a connection, against dnsmasq (RA with the M flag, stateful range):
// - the DUID is made once (DUID-LLT, as ConnMan makes it), saved as IPv6.DHCP.DUID in the service's
//   settings and used again after the daemon restarts, so dnsmasq hands back the same address;
// - a pulled and replugged cable makes the client CONFIRM the lease it still holds (RFC 8415 18.2.3)
//   rather than SOLICIT afresh, and the address comes back; on a link renumbered meanwhile the
//   CONFIRM is refused (NotOnLink) and the client SOLICITs an address from the new prefix. connmand 1.41 solicits again here
//   (dhcpv6.c: "we do not send CONFIRM message here"), and its DUID does not survive its own
//   service_save; both are Switchyard behaviours, so these scenarios run against Switchyard only.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Lab } from '../harness';

const skip = process.getuid?.() !== 0 ? 'needs root for network namespaces' : false;
const P = 'fd00:87::';
const ADDR = /inet6 (fd00:87::1[0-9a-f]{2})\/128 scope global/;

async function withLab(body: (lab: Lab) => Promise<void>): Promise<void> {
  const lab = await Lab.create({ dnsmasqArgs: ['--no-ping', '--enable-ra', '--ra-param=far0,10,300',
    `--dhcp-range=${P}100,${P}1ff,64,1h`] });
  try {
    // A pulled cable takes far0 down, which would drop its IPv6 address and dnsmasq's DHCPv6 range with it.
    await lab.exec('far', ['sysctl', '-qw', 'net.ipv6.conf.far0.keep_addr_on_down=1']);
    await lab.ip('far', 'addr', 'add', `${P}1/64`, 'dev', 'far0');
    await lab.startDaemon('switchyard', process.env.SY_DEBUG ? ['-d'] : []);
    await lab.waitForWiredReady({ timeoutMs: 30_000 });
    await body(lab);
  } catch (err) {
    throw new Error(`${(err as Error).message}\n--- daemon log tail\n${lab.daemonLog().split('\n').slice(-25).join('\n')}` +
      `\n--- dnsmasq log tail\n${lab.dnsmasqLog().split('\n').filter((l) => /DHCP[A-Z-]+\(far0\)|v6/.test(l)).slice(-20).join('\n')}`);
  } finally {
    await lab.teardown();
  }
}

const leased = (lab: Lab) => lab.waitUntil(async () => ADDR.exec(await lab.ip('near', '-6', 'addr', 'show', 'dev', 'eth0'))?.[1],
  { timeoutMs: 30_000, what: 'DHCPv6 IA_NA address' });
const settings = (lab: Lab) => readFileSync(join(lab.paths.stateDir, lab.serviceId, 'settings'), 'utf8');
/** dnsmasq logs each client message as "DHCPSOLICIT(far0) 00:01:00:01:..." (the DUID, colon-separated) */
const duidsIn = (log: string, msg: string) => [...log.matchAll(new RegExp(`${msg}\\(far0\\) (?:\\S+ )?([0-9a-f]{2}(?::[0-9a-f]{2}){9,})`, 'g'))]
  .map((m) => m[1].replace(/:/g, ''));

describe('DHCPv6 DUID and CONFIRM (Switchyard)', { skip }, () => {
  it('the DUID is saved as IPv6.DHCP.DUID and reused after a restart', { timeout: 150_000 }, async () => {
    await withLab(async (lab) => {
      const first = await leased(lab);
      const duid = await lab.waitUntil(() => /^IPv6\.DHCP\.DUID=([0-9a-f]+)$/m.exec(settings(lab))?.[1], { timeoutMs: 10_000, what: 'IPv6.DHCP.DUID saved' });
      // DUID-LLT (type 1, Ethernet), then 4 bytes of time, then the MAC of eth0
      assert.match(duid, new RegExp(`^00010001[0-9a-f]{8}${lab.mac.replace(/:/g, '')}$`));
      assert.ok(duidsIn(lab.dnsmasqLog(), 'DHCPSOLICIT').includes(duid), 'dnsmasq saw that DUID');
      process.stdout.write(`# IPv6.DHCP.DUID=${duid}, address ${first}\n`);

      await lab.stopDaemon();
      const before = lab.dnsmasqLog().length;
      await lab.startDaemon('switchyard');
      await lab.waitForWiredReady({ timeoutMs: 30_000 });
      const again = await leased(lab);
      await lab.waitUntil(() => /DHCPREPLY\(far0\)/.test(lab.dnsmasqLog().slice(before)), { timeoutMs: 20_000, what: 'REPLY after the restart' });
      const seen = [...duidsIn(lab.dnsmasqLog().slice(before), 'DHCPSOLICIT'), ...duidsIn(lab.dnsmasqLog().slice(before), 'DHCPREQUEST')];
      assert.ok(seen.length > 0, 'the restarted daemon spoke to dnsmasq');
      assert.deepEqual([...new Set(seen)], [duid], 'the same DUID after the restart');
      assert.match(settings(lab), new RegExp(`^IPv6\\.DHCP\\.DUID=${duid}$`, 'm'));
      assert.equal(again, first, 'dnsmasq gave the same client the same address');
    });
  });

  it('a replugged cable CONFIRMs the lease and keeps the address', { timeout: 150_000 }, async () => {
    await withLab(async (lab) => {
      const first = await leased(lab);
      await lab.setCable(1, false);
      await lab.waitUntil(async () => !(await lab.services()).some((s) => s.id === lab.serviceId), { timeoutMs: 15_000, what: 'service gone with the carrier' });
      const before = lab.dnsmasqLog().length;
      await lab.setCable(1, true);
      await lab.waitForWiredReady({ timeoutMs: 30_000 });
      await lab.waitUntil(() => /DHCPCONFIRM\(far0\)/.test(lab.dnsmasqLog().slice(before)), { timeoutMs: 20_000, what: 'DHCPCONFIRM in dnsmasq log' });
      const again = await leased(lab);
      const after = lab.dnsmasqLog().slice(before);
      process.stdout.write(`# after replug: ${after.split('\n').filter((l) => /DHCP[A-Z-]+\(far0\)/.test(l)).join(' | ')}\n`);
      assert.equal(again, first, 'the confirmed address is back on eth0');
      assert.doesNotMatch(after, /DHCPSOLICIT\(far0\)/, 'no fresh SOLICIT after the replug');
      assert.match(after, /DHCPREPLY\(far0\)/, 'dnsmasq answered the CONFIRM');
    });
  });

  it('a replug onto a renumbered link: CONFIRM is answered NotOnLink, then SOLICIT gets a new address', { timeout: 150_000 }, async () => {
    await withLab(async (lab) => {
      const first = await leased(lab);
      await lab.setCable(1, false);
      await lab.waitUntil(async () => !(await lab.services()).some((s) => s.id === lab.serviceId), { timeoutMs: 15_000, what: 'service gone with the carrier' });
      // the far side moves to another /64 while the cable is out
      const Q = 'fd00:88::';
      await lab.killDnsmasq();
      await lab.ip('far', 'addr', 'del', `${P}1/64`, 'dev', 'far0');
      await lab.ip('far', 'addr', 'add', `${Q}1/64`, 'dev', 'far0');
      await lab.restartDnsmasq(['--no-ping', '--enable-ra', '--ra-param=far0,10,300', `--dhcp-range=${Q}100,${Q}1ff,64,1h`]);
      const before = lab.dnsmasqLog().length;
      await lab.setCable(1, true);
      await lab.waitForWiredReady({ timeoutMs: 30_000 });
      const moved = await lab.waitUntil(async () => /inet6 (fd00:88::1[0-9a-f]{2})\/128 scope global/.exec(await lab.ip('near', '-6', 'addr', 'show', 'dev', 'eth0'))?.[1],
        { timeoutMs: 30_000, what: 'an address from the new prefix' });
      const after = lab.dnsmasqLog().slice(before);
      process.stdout.write(`# renumbered: ${first} -> ${moved}; ${after.split('\n').filter((l) => /DHCP[A-Z-]+\(far0\) [0-9a-f]{2}:|DHCPREPLY/.test(l)).map((l) => l.replace(/^.*\]: \d+ /, '')).join(' | ')}\n`);
      const confirmAt = after.search(/DHCPCONFIRM\(far0\)/);
      assert.ok(confirmAt >= 0, 'a CONFIRM went out first');
      assert.ok(after.slice(confirmAt).search(/DHCPSOLICIT\(far0\)/) > 0, 'SOLICIT after the CONFIRM was refused');
      assert.match(after, /DHCPREPLY\(far0\) \S+ \S+ confirm failed/, 'dnsmasq refused the CONFIRM (NotOnLink)');
      assert.ok(!(await lab.ip('near', '-6', 'addr', 'show', 'dev', 'eth0')).includes(`${first}/128`), 'the old address is gone');
    });
  });
});
