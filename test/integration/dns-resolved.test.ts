// The systemd-resolved backend (main.conf DnsBackend=systemd-resolved) against the REAL
// systemd-resolved: unpacked from Debian's package (never installed, see
// test/harness/fetch-resolved.sh) and run in the lab's near namespace on the lab bus. Switchyard must
// hand it the wired service's server and domain for eth0, names must resolve through resolved's stub
// on 127.0.0.53, a restarted resolved must get the settings again, and a stopped Switchyard must take
// them back.
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { Lab, LabResolved, MAIN_CONF, RESOLVE1_POLICY, resolveIn, resolvedRoot } from '../harness';

const isRoot = process.getuid?.() === 0;

describe('DNS through systemd-resolved', { skip: !isRoot ? 'needs root for network namespaces' : false }, () => {
  it('pushes the service DNS to resolved, resolves through its stub, survives a resolved restart, reverts at stop', async () => {
    const root = resolvedRoot();
    const lab = await Lab.create({ busPolicies: [RESOLVE1_POLICY] });
    const resolved = new LabResolved(lab, root);
    try {
      await resolved.start();
      writeFileSync(lab.paths.mainConf, `${MAIN_CONF}DnsBackend=systemd-resolved\n`);
      await lab.startDaemon('switchyard');
      await lab.waitForWiredReady();

      const linkDns = () => resolved.resolvectl('dns', 'eth0');
      const dns = await lab.waitUntil(async () => { const t = await linkDns(); return /10\.233\.83\.1\b/.test(t) ? t : false; },
        { timeoutMs: 15_000, what: 'eth0 DNS server in resolved' });
      assert.match(dns, /\(eth0\): 10\.233\.83\.1\s*$/m);
      assert.match(await resolved.resolvectl('domain', 'eth0'), /\(eth0\): lab\.test\s*$/m);
      assert.equal(readFileSync(lab.paths.resolvConf, 'utf8'), '', 'resolv.conf is left to resolved');

      const viaStub = await lab.waitUntil(async () => {
        const r = await resolveIn(lab.near, '127.0.0.53', 'alpha.lab.test');
        return r.addresses?.includes('10.233.83.10') ? r : false;
      }, { timeoutMs: 15_000, what: 'alpha.lab.test through 127.0.0.53' });
      assert.deepEqual(viaStub.addresses, ['10.233.83.10']);
      assert.match(lab.dnsmasqLog(), /query\[A\] alpha\.lab\.test/, 'resolved asked the service\'s server');

      // resolved keeps link settings in memory only: a new instance must be told again.
      await resolved.stop();
      await resolved.start();
      await lab.waitUntil(async () => /10\.233\.83\.1\b/.test(await linkDns()), { timeoutMs: 15_000, what: 'DNS pushed again after restart' });
      assert.match(await resolved.resolvectl('domain', 'eth0'), /lab\.test/);

      await lab.stopDaemon();
      const after = await linkDns();
      assert.doesNotMatch(after, /10\.233\.83\.1\b/, `links reverted when Switchyard stops: ${after}`);
    } finally {
      await resolved.stop();
      await lab.teardown();
    }
  });
});
