// The real systemd-resolved in a lab: unpacked from its .deb by fetch-resolved.sh (never installed:
// that would rewrite the host's resolv.conf), run in the near namespace in a private mount namespace
// on the lab's bus. Bind mounts there give it a tmpfs /run/systemd (its state and a drop-in config
// with no fallback servers, no LLMNR/mDNS, no DNSSEC), an empty /etc/resolv.conf (so it imports
// nothing from the host) and a passwd/group naming its user systemd-resolve as nobody (the bus daemon
// runs in the host namespace and must know the uid resolved drops to).
import { execFileSync } from 'node:child_process';
import { chmodSync } from 'node:fs';
import { join } from 'node:path';
import { Background, run } from './proc';
import { nameHasOwner, REPO_ROOT } from './private-bus';
import { waitUntil, WaitAborted } from './wait';
import { readOr } from './far-side';
import type { Lab } from './network-lab';

export const RESOLVE1_POLICY = join(REPO_ROOT, 'test', 'harness', 'resolve1-lab.conf');
const FETCH = join(REPO_ROOT, 'test', 'harness', 'fetch-resolved.sh');

// $1 lab dir, $2 the resolved binary
const RUN_SCRIPT = `set -e
mkdir -p /run/systemd
mount -t tmpfs -o mode=0755 tmpfs /run/systemd
mkdir -p /run/systemd/resolve /run/systemd/resolved.conf.d
chown 65534:65534 /run/systemd/resolve
printf '[Resolve]\\nFallbackDNS=\\nLLMNR=no\\nMulticastDNS=no\\nDNSSEC=no\\nDNSStubListener=yes\\n' > /run/systemd/resolved.conf.d/lab.conf
{ cat /etc/passwd; echo 'systemd-resolve:x:65534:65534:resolved in a lab:/:/usr/sbin/nologin'; } > "$1/resolved.passwd"
{ cat /etc/group; echo 'systemd-resolve:x:65534:'; } > "$1/resolved.group"
: > "$1/resolved.resolv.conf"
mount --bind "$1/resolved.passwd" /etc/passwd
mount --bind "$1/resolved.group" /etc/group
mount --bind "$1/resolved.resolv.conf" /etc/resolv.conf
exec "$2"`;

/** The unpacked package root, fetching it first if needed; throws with apt's message if that fails. */
export function resolvedRoot(): string {
  return execFileSync('bash', [FETCH], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim().split('\n').pop()!;
}

export class LabResolved {
  private proc?: Background;
  private starts = 0;

  constructor(private readonly lab: Lab, readonly root: string) {}

  /** Starts resolved and waits until it owns org.freedesktop.resolve1 on the lab bus. */
  async start(): Promise<void> {
    const n = ++this.starts;
    // resolved runs as nobody and reaches the bus socket through the lab dir (mkdtemp made it 0700)
    chmodSync(this.lab.dir, 0o711);
    const err = join(this.lab.dir, `resolved.${n}.err`);
    const argv = ['ip', 'netns', 'exec', this.lab.near, 'unshare', '--mount', '--propagation', 'private', '--',
      'sh', '-c', RUN_SCRIPT, 'sh', this.lab.dir, join(this.root, 'lib', 'systemd', 'systemd-resolved')];
    const p = new Background('systemd-resolved', argv, join(this.lab.dir, `resolved.${n}.out`), err,
      { ...process.env, DBUS_SYSTEM_BUS_ADDRESS: this.lab.busAddress, SYSTEMD_LOG_LEVEL: 'debug', SYSTEMD_LOG_TARGET: 'console' });
    this.proc = p;
    this.lab.adopt(p);
    await waitUntil(async () => {
      if (!p.running) throw new WaitAborted(`systemd-resolved exited: ${readOr(err).slice(-2000)}`);
      return nameHasOwner(this.lab.busAddress, 'org.freedesktop.resolve1');
    }, { timeoutMs: 15_000, what: 'systemd-resolved on the lab bus' });
  }

  async stop(): Promise<void> {
    await this.proc?.stop(2000);
    this.proc = undefined;
  }

  /** resolvectl from the same package, in the near namespace, talking to the lab bus. */
  async resolvectl(...args: string[]): Promise<string> {
    const r = await run(['ip', 'netns', 'exec', this.lab.near, join(this.root, 'usr', 'bin', 'resolvectl'), ...args],
      { env: { ...process.env, DBUS_SYSTEM_BUS_ADDRESS: this.lab.busAddress, SYSTEMD_COLORS: '0', SYSTEMD_PAGER: '' }, timeoutMs: 10_000 });
    if (r.code !== 0) throw new Error(`resolvectl ${args.join(' ')}: ${r.stderr.trim()}`);
    return r.stdout;
  }
}
