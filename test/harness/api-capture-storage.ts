// Captures the state directory connmand 1.41 writes, so our storage reader and writer have real bytes to
// match: a wired DHCP service, then the same service after `connmanctl config` set a manual IPv4 address,
// nameservers, timeservers, domains, a manual proxy and mDNS. Also records what connmand makes of a
// hand-written settings file whose Passphrase needs every kind of escaping (it re-saves it verbatim).
// Usage (root): node dist/test/harness/api-capture-storage.js [OUT_DIR]
//   default OUT_DIR: test/fixtures/connmand-1.41-api/storage
import { cpSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Lab } from './network-lab';
import { sleep } from './wait';

const OUT = resolve(process.argv[2] ?? join(__dirname, '../../../test/fixtures/connmand-1.41-api/storage'));

/** Waits until `file` exists and holds `needle`; connmand saves from idle callbacks. */
async function waitFileHas(lab: Lab, file: string, needle: string): Promise<void> {
  await lab.waitUntil(() => { try { return readFileSync(file, 'utf8').includes(needle); } catch { return false; } },
    { timeoutMs: 15_000, what: `${needle} in ${file}` });
}

function snapshot(lab: Lab, name: string): void {
  const dst = join(OUT, name);
  rmSync(dst, { recursive: true, force: true });
  // the statistics ring buffers (`data`) are binary and not ours to match byte for byte; leave them out
  cpSync(lab.paths.stateDir, dst, { recursive: true, filter: (src) => !src.endsWith('/data') });
  const modes: Record<string, string> = {};
  const walk = (d: string, rel: string) => {
    for (const e of readdirSync(d)) {
      const p = join(d, e);
      const st = statSync(p);
      modes[join(rel, e)] = (st.mode & 0o7777).toString(8);
      if (st.isDirectory()) walk(p, join(rel, e));
    }
  };
  walk(lab.paths.stateDir, '');
  writeFileSync(join(OUT, `${name}.meta.json`), JSON.stringify({ serviceId: lab.serviceId, mac: lab.mac, modes }, null, 2) + '\n');
}

async function main(): Promise<void> {
  mkdirSync(OUT, { recursive: true });
  const lab = await Lab.create();
  try {
    await lab.startDaemon('connmand');
    await lab.waitForWiredReady();
    const id = lab.serviceId;
    const file = join(lab.paths.stateDir, id, 'settings');
    await waitFileHas(lab, file, 'IPv4.DHCP.LastAddress');
    await sleep(500);
    snapshot(lab, 'wired-dhcp');

    await lab.ctl('config', id, '--ipv4', 'manual', '10.233.83.77', '255.255.255.0', '10.233.83.1');
    await lab.ctl('config', id, '--nameservers', '10.233.83.1', '192.0.2.53');
    await lab.ctl('config', id, '--timeservers', 'ntp.lab.test', '192.0.2.123');
    await lab.ctl('config', id, '--domains', 'lab.test', 'example.org');
    await lab.ctl('config', id, '--proxy', 'manual', 'http://proxy.lab.test:3128', 'socks5://192.0.2.9', '--excludes', 'localhost', 'lab.test');
    await lab.ctl('config', id, '--mdns', 'yes');
    await lab.ctl('config', id, '--ipv6', 'off');
    await waitFileHas(lab, file, 'mDNS=true');
    await waitFileHas(lab, file, 'IPv6.method=off');
    await sleep(1000);
    snapshot(lab, 'wired-manual');
    await lab.stopDaemon();

    // connmand reads Passphrase for every service type and writes it back through g_strescape, so a
    // hand-made value survives a load/save round trip and shows us the exact escaping on disk.
    const kf = readFileSync(file, 'utf8').replace(/^Passphrase=.*\n/m, '');
    const passLine = 'Passphrase=a b\\\\\\\\c\\\\"d\\\\te\\\\303\\\\251\\\\001;x=\n';
    writeFileSync(file, kf.replace(/^(Modified=.*\n)/m, `$1${passLine}`), { mode: 0o600 });
    writeFileSync(join(OUT, 'passphrase-input.txt'), passLine);
    await lab.startDaemon('connmand');
    await lab.waitUntil(async () => (await lab.services()).some((s) => s.id === id), { timeoutMs: 20_000, what: id });
    await lab.ctl('config', id, '--domains', 'lab.test');
    await waitFileHas(lab, file, 'Domains=lab.test;\n');
    await sleep(500);
    snapshot(lab, 'wired-passphrase-resaved');
  } finally {
    await lab.teardown();
  }
}

main().catch((e) => { process.stderr.write(`${(e as Error).stack ?? e}\n`); process.exit(1); });
