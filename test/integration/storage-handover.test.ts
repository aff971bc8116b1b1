// State directories handed over between daemons. A state dir written by our storage code must be
// picked up by connmand 1.41 as if it had written it: the manual IPv4 address is configured on eth0 and
// connmanctl shows every saved configuration value. The reverse direction (a dir connmand wrote, read by
// us) is covered byte for byte by test/unit/storage-settings.test.ts against lab captures, and end to
// end below: connmand configures a service, Switchyard runs on its state dir with that configuration in
// force, changes it, and connmand then runs on what Switchyard wrote.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Lab } from '../harness';
import { run } from '../harness/proc';
import { KeyFile } from '../../ts/config/keyfile';
import { ServiceStore } from '../../ts/config/service-store';
import { writeGlobalSettings, writeTechnologySettings } from '../../ts/config/global-settings';
import { writeFileAtomic } from '../../ts/config/atomic-write';

const skip = process.getuid?.() !== 0 ? 'needs root for network namespaces' : false;

describe('storage handover', { skip }, () => {
  it('connmand 1.41 picks up a state directory Switchyard wrote', async () => {
    const lab = await Lab.create();
    try {
      const dir = lab.paths.stateDir;
      const global = new KeyFile();
      writeGlobalSettings(global, { offlineMode: false });
      writeTechnologySettings(global, 'ethernet', { enable: true, tethering: false, tetheringFreq: 0 });
      writeFileAtomic(path.join(dir, 'settings'), global.toString());
      const id = lab.serviceId;
      new ServiceStore(dir).save({
        id, name: 'Wired', favorite: true, autoconnect: true, modified: new Date(2024, 4, 6, 7, 8, 9), mdns: true, hidden: false,
        ipv4: { method: 'manual', prefixLength: 24, localAddress: '10.233.83.77', gateway: '10.233.83.1' },
        ipv6: { method: 'off', privacy: 'disabled' },
        nameservers: ['10.233.83.1', '192.0.2.53'], timeservers: ['ntp.lab.test'], domains: ['lab.test', 'example.org'],
        proxyMethod: 'manual', proxyServers: ['http://proxy.lab.test:3128'], proxyExcludes: ['localhost'],
      });
      const written = fs.readFileSync(path.join(dir, id, 'settings'), 'utf8');

      await lab.startDaemon('connmand');
      const svc = await lab.waitUntil(async () => {
        const out = await lab.ctl('services', id);
        return /State = (ready|online)/.test(out) ? out : undefined;
      }, { timeoutMs: 30_000, what: `${id} ready with the saved configuration` });
      const want = [
        'IPv4 = [ Method=manual, Address=10.233.83.77, Netmask=255.255.255.0, Gateway=10.233.83.1 ]',
        'IPv4.Configuration = [ Method=manual, Address=10.233.83.77, Netmask=255.255.255.0, Gateway=10.233.83.1 ]',
        'IPv6.Configuration = [ Method=off ]',
        'Nameservers.Configuration = [ 10.233.83.1, 192.0.2.53 ]',
        'Timeservers.Configuration = [ ntp.lab.test ]',
        'Domains.Configuration = [ lab.test, example.org ]',
        'Proxy.Configuration = [ Servers=[ http://proxy.lab.test:3128 ], Excludes=[ localhost ], Method=manual ]',
        'mDNS.Configuration = True',
        'AutoConnect = True',
        'Favorite = True',
      ];
      const missing = want.filter((w) => !svc.includes(w));
      assert.deepEqual(missing, [], `connmanctl services ${id}:\n${svc}\nour file:\n${written}`);
      assert.match(await lab.ipAddr('near'), /inet 10\.233\.83\.77\/24/);
      assert.match(await lab.ctl('technologies'), /Type = ethernet\n\s+Powered = True/);
    } finally {
      await lab.teardown();
    }
  });

  it('connmand -> Switchyard -> connmand: saved configuration and offline/technology settings stay in force', async () => {
    const lab = await Lab.create();
    try {
      const id = lab.serviceId;
      const wantIn = async (kind: string, want: string[]) => {
        const out = await lab.waitUntil(async () => {
          const o = await lab.ctl('services', id);
          return /State = (ready|online)/.test(o) ? o : undefined;
        }, { timeoutMs: 30_000, what: `${id} ready under ${kind}` });
        const missing = want.filter((w) => !out.includes(w));
        assert.deepEqual(missing, [], `${kind}: connmanctl services ${id}:\n${out}`);
      };
      await lab.startDaemon('connmand');
      await lab.waitForWiredReady();
      await lab.ctl('config', id, '--ipv4', 'manual', '10.233.83.78', '255.255.255.0', '10.233.83.1');
      await lab.ctl('config', id, '--nameservers', '10.233.83.1', '192.0.2.53');
      await lab.ctl('config', id, '--domains', 'lab.test');
      await lab.ctl('config', id, '--timeservers', 'ntp.lab.test');
      await lab.ctl('config', id, '--proxy', 'manual', 'http://proxy.lab.test:3128');
      // connmanctl 1.41 cannot set clock properties; busctl speaks to the lab bus directly
      const r = await run(['busctl', '--system', 'call', 'net.connman', '/', 'net.connman.Clock', 'SetProperty', 'sv', 'TimeUpdates', 's', 'manual'], { env: lab.clientEnv() });
      assert.equal(r.code, 0, r.stderr);
      await wantIn('connmand', ['Address=10.233.83.78']);
      await lab.stopDaemon();

      await lab.startDaemon('switchyard');
      const fromConnmand = [
        'IPv4 = [ Method=manual, Address=10.233.83.78, Netmask=255.255.255.0, Gateway=10.233.83.1 ]',
        'Nameservers.Configuration = [ 10.233.83.1, 192.0.2.53 ]',
        'Timeservers.Configuration = [ ntp.lab.test ]',
        'Domains.Configuration = [ lab.test ]',
        'Proxy.Configuration = [ Servers=[ http://proxy.lab.test:3128 ], Method=manual ]',
        'AutoConnect = True',
      ];
      await wantIn('switchyard', fromConnmand);
      assert.match(await lab.ctl('clock'), /TimeUpdates = manual/);
      assert.match(await lab.ipAddr('near'), /inet 10\.233\.83\.78\/24/);
      // change through Switchyard, then hand the directory back
      await lab.ctl('config', id, '--nameservers', '192.0.2.54');
      await lab.ctl('config', id, '--mdns', 'yes');
      await lab.stopDaemon();

      await lab.startDaemon('connmand');
      await wantIn('connmand again', [
        'IPv4 = [ Method=manual, Address=10.233.83.78, Netmask=255.255.255.0, Gateway=10.233.83.1 ]',
        'Nameservers.Configuration = [ 192.0.2.54 ]',
        'Proxy.Configuration = [ Servers=[ http://proxy.lab.test:3128 ], Method=manual ]',
        'mDNS.Configuration = True',
      ]);
      assert.match(await lab.ctl('clock'), /TimeUpdates = manual/);
    } finally {
      await lab.teardown();
    }
  });
});
