// A dbus-daemon per lab on a unix socket in the lab dir. It is configured like a system bus, with
// packaging/dbus/net.connman.conf included, so the daemon under test gets exactly the permissions it
// would get on a device. This and connmanctl are the only lab processes in the host network namespace.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Background, run } from './proc';
import { readOr } from './far-side';
import { waitUntil, WaitAborted } from './wait';

export const REPO_ROOT = join(__dirname, '..', '..', '..');
export const POLICY_FILE = join(REPO_ROOT, 'packaging', 'dbus', 'net.connman.conf');
const TEMPLATE = join(REPO_ROOT, 'test', 'harness', 'lab-bus.conf.in');

export interface PrivateBus {
  proc: Background;
  address: string;
}

/** `extraPolicies`: more policy files to include (another service the lab runs, like resolve1). */
export async function startPrivateBus(dir: string, extraPolicies: readonly string[] = []): Promise<PrivateBus> {
  const sock = join(dir, 'bus.sock');
  const conf = join(dir, 'bus.conf');
  const includes = extraPolicies.map((p) => `  <include>${p}</include>\n`).join('');
  writeFileSync(conf, readFileSync(TEMPLATE, 'utf8').replaceAll('@SOCK@', sock).replaceAll('@POLICY@', POLICY_FILE)
    .replace('</busconfig>', `${includes}</busconfig>`));
  const out = join(dir, 'bus.out');
  const proc = new Background('dbus-daemon', ['dbus-daemon', `--config-file=${conf}`, '--nofork', '--print-address'],
    out, join(dir, 'bus.err'));
  const address = await waitUntil(
    () => {
      if (!proc.running) throw new WaitAborted(`dbus-daemon exited: ${readOr(join(dir, 'bus.err'))}`);
      const printed = readOr(out).split('\n')[0].trim();
      return printed && existsSync(sock) ? `unix:path=${sock}` : undefined;
    },
    { timeoutMs: 10_000, what: 'dbus-daemon to listen' },
  );
  return { proc, address };
}

/** True once some peer owns the well-known name on the bus. */
export async function nameHasOwner(address: string, name: string): Promise<boolean> {
  const r = await run(['dbus-send', `--bus=${address}`, '--print-reply', '--dest=org.freedesktop.DBus',
    '/org/freedesktop/DBus', 'org.freedesktop.DBus.NameHasOwner', `string:${name}`], { timeoutMs: 5000 });
  return r.code === 0 && /boolean true/.test(r.stdout);
}
