// Starting the daemon under test: inside the near namespace, in a private mount (and UTS) namespace
// whose bind mounts give it the lab's state dir, run dir and resolv.conf in place of the real ones,
// and /dev/null for /dev/rfkill, so neither connmand nor Switchyard can touch the host's files or radios.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Background } from './proc';
import { REPO_ROOT } from './private-bus';

export type DaemonKind = 'connmand' | 'switchyard';

export const CONNMAND = '/usr/sbin/connmand';
export const SWITCHYARDD = join(REPO_ROOT, 'bin', 'switchyardd');

export interface LabPaths {
  dir: string;
  mainConf: string;
  stateDir: string;
  runDir: string;
  resolvConf: string;
}

// Positional parameters keep paths out of shell quoting: $1 state, $2 run, $3 resolv.conf, then argv.
// Missing mount points are created empty (a fresh machine may have no /var/lib/connman).
const MOUNT_SCRIPT = `set -e
mkdir -p /var/lib/connman /run/connman
mount --bind "$1" /var/lib/connman
mount --bind "$2" /run/connman
mount --bind "$3" /etc/resolv.conf
if [ -e /dev/rfkill ]; then mount --bind /dev/null /dev/rfkill; fi
shift 3
exec "$@"`;

export function daemonArgv(kind: DaemonKind, paths: LabPaths, extra: string[] = []): string[] {
  switch (kind) {
    case 'connmand':
      return [CONNMAND, '-n', '-c', paths.mainConf, ...extra];
    case 'switchyard':
      // Executed itself, not through `node`, so its shebang's Node flags apply as on a device.
      return [SWITCHYARDD, '-n', '-c', paths.mainConf, `--statedir=${paths.stateDir}`,
        `--rundir=${paths.runDir}`, `--resolv-conf=${paths.resolvConf}`, ...extra];
  }
}

export class Daemon {
  readonly proc: Background;
  readonly stdoutPath: string;
  readonly stderrPath: string;

  constructor(readonly kind: DaemonKind, readonly argv: string[], nearNs: string, paths: LabPaths, busAddress: string) {
    const exe = kind === 'connmand' ? CONNMAND : SWITCHYARDD;
    if (!existsSync(exe)) throw new Error(`${kind}: ${exe} does not exist`);
    this.stdoutPath = join(paths.dir, `${kind}.out`);
    this.stderrPath = join(paths.dir, `${kind}.err`);
    const wrapped = ['ip', 'netns', 'exec', nearNs, 'unshare', '--mount', '--uts', '--propagation', 'private', '--',
      'sh', '-c', MOUNT_SCRIPT, 'sh', paths.stateDir, paths.runDir, paths.resolvConf, ...argv];
    const env = { ...process.env, DBUS_SYSTEM_BUS_ADDRESS: busAddress };
    this.proc = new Background(kind, wrapped, this.stdoutPath, this.stderrPath, env);
  }

  get running(): boolean {
    return this.proc.running;
  }

  stop(graceMs = 5000): Promise<void> {
    return this.proc.stop(graceMs);
  }
}
