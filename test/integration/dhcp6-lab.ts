// A small two-namespace IPv6 lab for dhcp6-*.test.ts and ra-*.test.ts: near `eth0` <-> far `far0`
// (2001:db8:83::1/64) with dnsmasq on the far side sending RAs and serving DHCPv6 as each test
// asks. The native code runs in dhcp6-ra-child.js inside the near namespace. Names are unique per
// run; teardown deletes both namespaces, so nothing touches the machine's own network.
import { execFile, execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { closeSync, existsSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import type { Dhcp6Event, RaEvent } from '../../ts/platform/types';
import type { ChildSpec } from './dhcp6-ra-child';

const CHILD = path.join(__dirname, 'dhcp6-ra-child.js');

export const skipReason =
  process.getuid?.() !== 0
    ? 'needs root to create network namespaces'
    : !existsSync('/usr/sbin/dnsmasq')
      ? 'needs dnsmasq (Debian package dnsmasq-base)'
      : false;

export const PREFIX = '2001:db8:83::';
export const DNS6 = '2001:db8:83::53';
export const NTP6 = '2001:db8:83::123';

/** dnsmasq options shared by every mode: DNS server, search domains, NTP, for DHCPv6 and RA alike. */
export const COMMON_OPTIONS = [
  `--dhcp-option=option6:dns-server,[${DNS6}]`,
  '--dhcp-option=option6:domain-search,lab6.test,corp.example',
  `--dhcp-option=option6:ntp-server,[${NTP6}]`,
];

export interface ChildResult {
  ra: (RaEvent & { atMs: number })[];
  dhcp6: (Dhcp6Event & { atMs: number })[];
  duid?: string;
  state?: string;
  addrs: string;
  diagnostics: { portId: number; spoofedDropped: number; malformedDropped: number };
  met: boolean;
  error?: string;
}

export class Ipv6Lab {
  readonly near: string;
  readonly far: string;
  readonly dir: string;
  private dnsmasq?: ChildProcess;
  private dhcpd?: ChildProcess;

  private constructor() {
    const tag = `${process.pid}-${randomBytes(3).toString('hex')}`;
    this.near = `sy-d6-${tag}-near`;
    this.far = `sy-d6-${tag}-far`;
    this.dir = mkdtempSync(path.join(tmpdir(), `sy-d6-${tag}-`));
  }

  /** Both namespaces and the veth pair; near `eth0` stays down until the child brings it up. */
  static create(): Ipv6Lab {
    const lab = new Ipv6Lab();
    try {
      const run = (...argv: string[]): void => void execFileSync(argv[0]!, argv.slice(1), { stdio: 'pipe' });
      run('ip', 'netns', 'add', lab.near);
      run('ip', 'netns', 'add', lab.far);
      run('ip', 'link', 'add', 'eth0', 'netns', lab.near, 'type', 'veth', 'peer', 'name', 'far0', 'netns', lab.far);
      for (const ns of [lab.near, lab.far]) run('ip', '-n', ns, 'link', 'set', 'lo', 'up');
      // DAD costs a second per address and proves nothing here.
      run('ip', 'netns', 'exec', lab.far, 'sysctl', '-qw', 'net.ipv6.conf.far0.accept_dad=0');
      run('ip', 'netns', 'exec', lab.near, 'sysctl', '-qw', 'net.ipv6.conf.eth0.accept_dad=0', 'net.ipv6.conf.eth0.accept_ra=1');
      run('ip', '-n', lab.far, 'addr', 'add', `${PREFIX}1/64`, 'dev', 'far0');
      run('ip', '-n', lab.far, 'link', 'set', 'far0', 'up');
    } catch (e) {
      lab.teardown();
      throw e;
    }
    return lab;
  }

  get dnsmasqLog(): string {
    const p = path.join(this.dir, 'dnsmasq.log');
    return existsSync(p) ? readFileSync(p, 'utf8') : '';
  }

  async startDnsmasq(args: string[]): Promise<void> {
    const argv = [
      'netns', 'exec', this.far, '/usr/sbin/dnsmasq', '--keep-in-foreground', '--conf-file=/dev/null', '--pid-file',
      '--user=root', '--port=0', '--interface=far0', '--bind-interfaces', '--enable-ra', '--log-dhcp',
      `--log-facility=${path.join(this.dir, 'dnsmasq.log')}`, `--dhcp-leasefile=${path.join(this.dir, 'leases')}`,
      ...args,
    ];
    const proc = spawn('ip', argv, { stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    proc.stderr?.on('data', (d: Buffer) => (err += d.toString()));
    this.dnsmasq = proc;
    for (let i = 0; i < 100; i++) {
      if (proc.exitCode !== null) throw new Error(`dnsmasq exited: ${err}`);
      if (this.dnsmasqLog.includes('started')) return;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error(`dnsmasq did not start: ${err}`);
  }

  get dhcpdLog(): string {
    const p = path.join(this.dir, 'dhcpd.log');
    return existsSync(p) ? readFileSync(p, 'utf8') : '';
  }

  /**
   * ISC dhcpd in DHCPv6 mode on far0 (Debian isc-dhcp-server), for what dnsmasq cannot do: prefix
   * delegation. `conf` is a whole dhcpd6.conf; it logs to dhcpd.log in the lab dir.
   */
  async startDhcpd(conf: string): Promise<void> {
    const cf = path.join(this.dir, 'dhcpd6.conf');
    const lf = path.join(this.dir, 'dhcpd6.leases');
    writeFileSync(cf, conf);
    writeFileSync(lf, '');
    const log = openSync(path.join(this.dir, 'dhcpd.log'), 'a');
    const proc = spawn('ip', ['netns', 'exec', this.far, '/usr/sbin/dhcpd', '-6', '-f', '-d', '-cf', cf, '-lf', lf,
      '-pf', path.join(this.dir, 'dhcpd6.pid'), 'far0'], { stdio: ['ignore', log, log] });
    closeSync(log);
    this.dhcpd = proc;
    for (let i = 0; i < 100; i++) {
      if (proc.exitCode !== null) throw new Error(`dhcpd exited:\n${this.dhcpdLog}`);
      if (this.dhcpdLog.includes('Sending on   Socket')) return;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error(`dhcpd did not start:\n${this.dhcpdLog}`);
  }

  runChild(spec: Omit<ChildSpec, 'ifname'>): Promise<ChildResult> {
    const full: ChildSpec = { ifname: 'eth0', ...spec };
    return new Promise((resolve, reject) => {
      execFile(
        'ip',
        ['netns', 'exec', this.near, process.execPath, CHILD, JSON.stringify(full)],
        { timeout: spec.timeoutMs + 15_000, killSignal: 'SIGKILL', maxBuffer: 4 << 20, env: { ...process.env, SY_DEBUG_DHCP6: '1' } },
        (err, stdout, stderr) => {
          const line = stdout.trim().split('\n').pop() ?? '';
          try {
            const r = JSON.parse(line) as ChildResult;
            if (r.error) return reject(new Error(`child failed: ${r.error}\n${stderr}`));
            resolve(r);
          } catch {
            reject(new Error(`child printed no JSON (${err?.message ?? 'no error'}):\n${stdout}\n${stderr}`));
          }
        },
      );
    });
  }

  teardown(): void {
    if (this.dnsmasq && this.dnsmasq.exitCode === null) this.dnsmasq.kill('SIGKILL');
    if (this.dhcpd && this.dhcpd.exitCode === null) this.dhcpd.kill('SIGKILL');
    for (const ns of [this.near, this.far]) {
      try {
        execFileSync('ip', ['netns', 'del', ns], { stdio: 'pipe' });
      } catch {
        // already gone
      }
    }
    rmSync(this.dir, { recursive: true, force: true });
  }
}
