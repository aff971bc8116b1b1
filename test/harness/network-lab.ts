// A Lab is one wired network in two namespaces: "near" holds eth0 and the daemon under test, "far"
// holds the other veth end and dnsmasq. Everything a test needs to drive and observe it hangs off
// the Lab: the private bus, connmanctl, ip output, dnsmasq's leases and logs.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { LabRecord, reapStaleLabs, register, unregister, sweepSync, LAB_PREFIX } from './cleanup';
import { Daemon, DaemonKind, daemonArgv, LabPaths } from './daemon';
import { Dnsmasq, FAR_ADDR, FAR_IF, PREFIX_LEN, SUBNET, UPLINK2, Uplink, readLeases, readOr, startDnsmasq, Lease } from './far-side';
import { nameHasOwner, PrivateBus, startPrivateBus } from './private-bus';
import { Background, run, runOk, RunResult } from './proc';
import { waitUntil, WaitAborted, WaitOptions } from './wait';
import { parseServices, ServiceLine } from './connmanctl';

export const NEAR_IF = 'eth0';
export const MAIN_CONF = '[General]\nEnableOnlineCheck=false\n';

export type Side = 'near' | 'far';

export interface LabOptions {
  /** 2 adds eth1 <-> far1 on 10.233.84.0/24 with a second dnsmasq (UPLINK2); default 1 */
  uplinks?: 1 | 2;
  /** extra dnsmasq options for the first / second uplink */
  dnsmasqArgs?: string[];
  dnsmasq2Args?: string[];
  /** more D-Bus policy files for the lab bus (e.g. RESOLVE1_POLICY from ./resolved) */
  busPolicies?: string[];
}

export function requireRoot(): void {
  if (process.getuid?.() !== 0) throw new Error('the lab needs root for network namespaces');
}

function randomMac(): string {
  const b = randomBytes(6);
  b[0] = (b[0] & 0xfc) | 0x02; // locally administered, unicast
  return [...b].map((x) => x.toString(16).padStart(2, '0')).join(':');
}

export class Lab {
  readonly tag = `${LAB_PREFIX}${process.pid}-${randomBytes(3).toString('hex')}`;
  readonly near = `${this.tag}-near`;
  readonly far = `${this.tag}-far`;
  readonly mac = randomMac();
  /** MAC of eth1 when the lab has two uplinks */
  readonly mac2 = randomMac();
  readonly paths: LabPaths;
  daemon?: Daemon;
  private dnsmasq?: Dnsmasq;
  private dnsmasq2?: Dnsmasq;
  private bus?: PrivateBus;
  private monitors: Background[] = [];
  private record: LabRecord;
  private tornDown = false;

  /** Builds the namespaces, dnsmasq and the bus; any failure tears down what was already built. */
  static async create(opts: LabOptions = {}): Promise<Lab> {
    requireRoot();
    reapStaleLabs();
    const lab = new Lab(opts);
    try {
      await lab.build();
    } catch (err) {
      await lab.teardown();
      throw err;
    }
    return lab;
  }

  private constructor(readonly opts: LabOptions = {}) {
    const dir = mkdtempSync(join(tmpdir(), `${this.tag}.`));
    this.paths = {
      dir,
      mainConf: join(dir, 'main.conf'),
      stateDir: join(dir, 'state'),
      runDir: join(dir, 'run'),
      resolvConf: join(dir, 'resolv.conf'),
    };
    this.record = {
      namespaces: [this.near, this.far],
      dir,
      pids: () => [this.daemon?.proc.pid, ...this.monitors.map((m) => m.pid), this.dnsmasq?.proc.pid,
        this.dnsmasq2?.proc.pid, this.bus?.proc.pid],
    };
    register(this.record);
  }

  /** Process-group leaders this lab started (daemon, monitors, dnsmasq, dbus-daemon). */
  processIds(): number[] {
    return this.record.pids().filter((p): p is number => p !== undefined);
  }

  get dir(): string {
    return this.paths.dir;
  }

  get busAddress(): string {
    if (!this.bus) throw new Error('lab bus is not running');
    return this.bus.address;
  }

  /** The id ConnMan gives the cable service of eth0. */
  get serviceId(): string {
    return `ethernet_${this.mac.replace(/:/g, '')}_cable`;
  }

  /** The cable service id of eth1 (second uplink). */
  get serviceId2(): string {
    return `ethernet_${this.mac2.replace(/:/g, '')}_cable`;
  }

  get leasePath(): string {
    return join(this.dir, 'dnsmasq.leases');
  }

  /** Environment for D-Bus clients (connmanctl, dbus-send, busctl) that should talk to this lab. */
  clientEnv(): NodeJS.ProcessEnv {
    return { ...process.env, DBUS_SYSTEM_BUS_ADDRESS: this.busAddress };
  }

  private async build(): Promise<void> {
    mkdirSync(this.paths.stateDir);
    mkdirSync(this.paths.runDir);
    writeFileSync(this.paths.mainConf, MAIN_CONF);
    writeFileSync(this.paths.resolvConf, '');
    await runOk(['ip', 'netns', 'add', this.near]);
    await runOk(['ip', 'netns', 'add', this.far]);
    await runOk(['ip', '-n', this.near, 'link', 'set', 'lo', 'up']);
    await runOk(['ip', '-n', this.far, 'link', 'set', 'lo', 'up']);
    // Created inside near with the peer sent straight to far: the host namespace never sees either end.
    await runOk(['ip', '-n', this.near, 'link', 'add', NEAR_IF, 'address', this.mac, 'type', 'veth',
      'peer', 'name', FAR_IF, 'netns', this.far]);
    // veth passes UDP on with its checksum left to offload; DHCP clients reading raw sockets
    // (connmand's gdhcp, our engine) would see bad checksums and drop every reply.
    await runOk(['ip', 'netns', 'exec', this.far, 'ethtool', '-K', FAR_IF, 'tx', 'off']);
    await runOk(['ip', 'netns', 'exec', this.near, 'ethtool', '-K', NEAR_IF, 'tx', 'off']);
    await runOk(['ip', '-n', this.far, 'addr', 'add', `${FAR_ADDR}/${PREFIX_LEN}`, 'dev', FAR_IF]);
    await runOk(['ip', '-n', this.far, 'link', 'set', FAR_IF, 'up']);
    this.dnsmasq = await startDnsmasq(this.far, this.dir, undefined, this.opts.dnsmasqArgs);
    if (this.opts.uplinks === 2) {
      const u = UPLINK2;
      await runOk(['ip', '-n', this.near, 'link', 'add', u.nearIf, 'address', this.mac2, 'type', 'veth',
        'peer', 'name', u.farIf, 'netns', this.far]);
      await runOk(['ip', 'netns', 'exec', this.far, 'ethtool', '-K', u.farIf, 'tx', 'off']);
      await runOk(['ip', 'netns', 'exec', this.near, 'ethtool', '-K', u.nearIf, 'tx', 'off']);
      await runOk(['ip', '-n', this.far, 'addr', 'add', `${u.subnet}.1/${PREFIX_LEN}`, 'dev', u.farIf]);
      await runOk(['ip', '-n', this.far, 'link', 'set', u.farIf, 'up']);
      this.dnsmasq2 = await startDnsmasq(this.far, this.dir, u, this.opts.dnsmasq2Args);
    }
    this.bus = await startPrivateBus(this.dir, this.opts.busPolicies);
  }

  /** Plugs (true) or pulls (false) the cable of an uplink: the far end goes up or down, so the near
   * interface gains or loses carrier while the daemon keeps it administratively up. */
  async setCable(uplink: Uplink | 1 | 2, on: boolean): Promise<void> {
    const farIf = uplink === 1 ? FAR_IF : uplink === 2 ? UPLINK2.farIf : uplink.farIf;
    await runOk(['ip', '-n', this.far, 'link', 'set', farIf, on ? 'up' : 'down']);
  }

  /** The leased IPv4 address on a near interface (eth0 by default), if any. */
  async uplinkAddress(uplink: 1 | 2): Promise<string | undefined> {
    const [ifname, subnet] = uplink === 1 ? [NEAR_IF, SUBNET] : [UPLINK2.nearIf, UPLINK2.subnet];
    const out = await this.ip('near', '-4', 'addr', 'show', 'dev', ifname);
    const m = new RegExp(`inet (${subnet.replace(/\./g, '\\.')}\\.\\d+)/`).exec(out);
    return m?.[1];
  }

  /** Starts connmand 1.41 or Switchyard in near; resolves once it owns net.connman on the bus. */
  async startDaemon(kind: DaemonKind, extraArgs: string[] = [], timeoutMs = 20_000): Promise<Daemon> {
    if (this.daemon?.running) throw new Error(`a ${this.daemon.kind} is already running in this lab`);
    const daemon = new Daemon(kind, daemonArgv(kind, this.paths, extraArgs), this.near, this.paths, this.busAddress);
    this.daemon = daemon;
    await this.waitForBusName('net.connman', { timeoutMs });
    return daemon;
  }

  async stopDaemon(): Promise<void> {
    await this.daemon?.stop();
  }

  /** The daemon's stderr so far: connmand logs there with -n, and failures explain themselves. */
  daemonLog(): string {
    return this.daemon ? readOr(this.daemon.stderrPath) + readOr(this.daemon.stdoutPath) : '';
  }

  private checkDaemon(): void {
    if (this.daemon && !this.daemon.running) {
      throw new WaitAborted(`${this.daemon.kind} exited; its log:\n${this.daemonLog().slice(-4000)}`);
    }
  }

  async waitForBusName(name = 'net.connman', opts: WaitOptions = {}): Promise<void> {
    await waitUntil(async () => {
      this.checkDaemon();
      return nameHasOwner(this.busAddress, name);
    }, { what: `${name} on the lab bus`, ...opts });
  }

  waitUntil<T>(probe: () => Promise<T | undefined | false> | T | undefined | false, opts: WaitOptions = {}): Promise<T> {
    return waitUntil(async () => {
      this.checkDaemon();
      return probe();
    }, opts);
  }

  /** connmanctl against the lab bus. It runs in the host namespace but only ever reaches the lab bus. */
  connmanctl(args: string[], timeoutMs = 15_000): Promise<RunResult> {
    return run(['connmanctl', ...args], { env: this.clientEnv(), timeoutMs });
  }

  /** connmanctl that must succeed; returns stdout. */
  async ctl(...args: string[]): Promise<string> {
    const r = await this.connmanctl(args);
    if (r.code !== 0 || r.timedOut) throw new Error(`connmanctl ${args.join(' ')} failed: ${r.stderr || r.stdout}`);
    return r.stdout;
  }

  async services(): Promise<ServiceLine[]> {
    return parseServices(await this.ctl('services'));
  }

  /**
   * Waits until eth0 holds a leased address and connmanctl shows the cable service ready (or online).
   * The address is checked first so the bus stays quiet while DHCP is still running.
   */
  async waitForWiredReady(opts: WaitOptions = {}): Promise<ServiceLine> {
    return this.waitUntil(async () => {
      if (!(await this.nearAddress())) return undefined;
      const svc = (await this.services()).find((s) => s.id === this.serviceId);
      return svc && (svc.state === 'ready' || svc.state === 'online') ? svc : undefined;
    }, { timeoutMs: 30_000, what: `${this.serviceId} ready`, ...opts });
  }

  /** The IPv4 address on near's eth0 inside the lab subnet, if any. */
  async nearAddress(): Promise<string | undefined> {
    const out = await this.ip('near', '-4', 'addr', 'show', 'dev', NEAR_IF);
    const m = new RegExp(`inet (${SUBNET.replace(/\./g, '\\.')}\\.\\d+)/`).exec(out);
    return m?.[1];
  }

  /** `ip -n <ns> ...`; stdout. */
  ip(side: Side, ...args: string[]): Promise<string> {
    return runOk(['ip', '-n', side === 'near' ? this.near : this.far, ...args]);
  }

  ipAddr(side: Side = 'near'): Promise<string> {
    return this.ip(side, 'addr');
  }

  ipRoute(side: Side = 'near', family: '-4' | '-6' = '-4'): Promise<string> {
    return this.ip(side, family, 'route');
  }

  /** Runs a command inside a lab namespace (never in the host's). */
  exec(side: Side, argv: string[], timeoutMs = 15_000): Promise<RunResult> {
    return run(['ip', 'netns', 'exec', side === 'near' ? this.near : this.far, ...argv], { timeoutMs });
  }

  /** Freezes (SIGSTOP) or thaws (SIGCONT) the first uplink's dnsmasq: the DHCP server goes silent while
   * the link and its carrier stay as they are (a server that is gone, not a cable that is pulled). */
  pauseDnsmasq(paused: boolean): void {
    const pid = this.dnsmasq?.proc.pid;
    if (pid === undefined) throw new Error('dnsmasq is not running');
    process.kill(pid, paused ? 'SIGSTOP' : 'SIGCONT');
  }

  /** Kills the first uplink's dnsmasq outright (SIGKILL: no chance to tidy up), as a crashed server. */
  async killDnsmasq(): Promise<void> {
    const d = this.dnsmasq;
    if (!d) throw new Error('dnsmasq is not running');
    process.kill(d.proc.pid!, 'SIGKILL');
    await d.proc.exited;
    this.dnsmasq = undefined;
  }

  /** Starts the first uplink's dnsmasq again with the same lease file (a restarted server); `extraArgs`
   * replace the options given to Lab.create, e.g. per-MAC settings known only once the lab exists. */
  async restartDnsmasq(extraArgs = this.opts.dnsmasqArgs): Promise<void> {
    if (this.dnsmasq?.proc.running) throw new Error('dnsmasq is still running');
    this.dnsmasq = await startDnsmasq(this.far, this.dir, undefined, extraArgs);
  }

  /** Kills the lab's dbus-daemon (SIGKILL, as a crash) and starts a new one on the same socket path,
   * so peers that reconnect by address find it again; every connection to the old bus is gone. */
  async restartBus(): Promise<void> {
    const old = this.bus;
    if (!old) throw new Error('lab bus is not running');
    process.kill(old.proc.pid!, 'SIGKILL');
    await old.proc.exited;
    this.bus = undefined;
    // the new daemon's printed address is awaited in bus.out, so the old one must not be read back
    rmSync(join(this.dir, 'bus.out'), { force: true });
    rmSync(join(this.dir, 'bus.sock'), { force: true });
    this.bus = await startPrivateBus(this.dir, this.opts.busPolicies);
  }

  leases(): Lease[] {
    return readLeases(this.leasePath);
  }

  dnsmasqLog(): string {
    return readOr(join(this.dir, 'dnsmasq.log'));
  }

  /** Records bus traffic (optionally filtered by match rules) into a file until teardown or stop(). */
  startMonitor(file: string, matchRules: string[] = []): Background {
    const m = new Background('dbus-monitor', ['dbus-monitor', '--address', this.busAddress, ...matchRules], file, file);
    this.monitors.push(m);
    return m;
  }

  /** Lets teardown stop a helper process the test started in the lab (with the monitors). */
  adopt(p: Background): void {
    this.monitors.push(p);
  }

  /** Stops everything and removes the namespaces and the lab dir. Safe to call more than once. */
  async teardown(): Promise<void> {
    if (this.tornDown) return;
    this.tornDown = true;
    await Promise.allSettled([this.daemon?.stop(), ...this.monitors.map((m) => m.stop(1000))]);
    await Promise.allSettled([this.dnsmasq?.proc.stop(2000), this.dnsmasq2?.proc.stop(2000), this.bus?.proc.stop(2000)]);
    for (const ns of [this.near, this.far]) await run(['ip', 'netns', 'del', ns]);
    // Whatever survived the graceful path (a process stuck in a namespace) is swept here.
    sweepSync(this.record);
    rmSync(this.dir, { recursive: true, force: true });
    unregister(this.record);
  }
}
