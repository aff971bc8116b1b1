// Provisioning a wired service from a *.config file in the lab: the service is Immutable, the static
// IPv4 address from the file is on eth0 and refuses changes; when the file is removed at run time the
// service is handed back (not Immutable, DHCP again after a user Connect).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Lab } from '../harness';

const skip = process.getuid?.() !== 0 ? 'needs root for network namespaces' : false;

describe('provisioning *.config (wired)', { skip }, () => {
  it('applies the file, makes the service Immutable, and gives it back when the file is removed', async () => {
    const lab = await Lab.create();
    try {
      const cfg = path.join(lab.paths.stateDir, 'lab.config');
      fs.writeFileSync(cfg, `[global]\nName=lab\n\n[service_wired]\nType=ethernet\nMAC=${lab.mac.toUpperCase()}\nIPv4=10.233.83.201/255.255.255.0/10.233.83.1\nNameservers=10.233.83.1\n`);
      await lab.startDaemon('switchyard');
      const id = lab.serviceId;
      const svc = await lab.waitUntil(async () => {
        const out = await lab.ctl('services', id);
        return /State = ready/.test(out) ? out : undefined;
      }, { timeoutMs: 30_000, what: `${id} ready from the provisioning file` });
      assert.match(svc, /Immutable = True/);
      assert.match(svc, /IPv4 = \[ Method=fixed, Address=10\.233\.83\.201, Netmask=255\.255\.255\.0, Gateway=10\.233\.83\.1 \]/);
      assert.match(await lab.ipAddr('near'), /inet 10\.233\.83\.201\/24/);
      const refused = await lab.connmanctl(['config', id, '--nameservers', '192.0.2.1']);
      assert.match(refused.stdout + refused.stderr, /Not supported/);
      const saved = fs.readFileSync(path.join(lab.paths.stateDir, id, 'settings'), 'utf8');
      assert.match(saved, /Config\.file=lab\nConfig\.ident=service_wired\n/);

      fs.rmSync(cfg);
      await lab.waitUntil(async () => {
        const out = await lab.ctl('services', id);
        return /Immutable = False/.test(out) && /State = idle/.test(out) ? out : undefined;
      }, { timeoutMs: 10_000, what: 'service handed back after the file went' });
      assert.doesNotMatch(await lab.ipAddr('near'), /10\.233\.83\.201/);
      assert.equal(fs.existsSync(path.join(lab.paths.stateDir, id, 'settings')), false, 'saved settings removed with the provisioning');
      await lab.ctl('connect', id);
      const back = await lab.waitUntil(async () => {
        const out = await lab.ctl('services', id);
        return /State = ready/.test(out) ? out : undefined;
      }, { timeoutMs: 30_000, what: 'DHCP again after a user Connect' });
      assert.match(back, /IPv4 = \[ Method=dhcp, Address=10\.233\.83\.\d+/);
    } finally {
      await lab.teardown();
    }
  });
});
