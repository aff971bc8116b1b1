// Guest-side helpers for the daemon Wi-Fi tests: the daemon under test (Switchyard or connmand) in the
// station namespace and a private mount namespace, connmanctl, a test agent on the system bus, and
// reads of service properties. Runs INSIDE the guest.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Bus, ReplyError, Variant } from '../../../ts/dbus/bus';
import { unwrap } from '../../../ts/plugins/wifi/dbus-client';
import { DaemonKind, LabPaths, daemonArgv } from '../../harness/daemon';
import { Background, run } from '../../harness/proc';
import { sleep, waitUntil } from '../../harness/wait';
import assert from 'node:assert/strict';
import { STATION, STATION_MAC, STA_NS, WORLD, apBssid, apDown, apUp } from './daemon-world';

export const SYSTEM_BUS = 'unix:path=/run/dbus/system_bus_socket';
const CONNMAN = 'net.connman';

export function serviceId(ssid: string | null, security: 'none' | 'psk' | 'wep' | 'ieee8021x'): string {
  const mac = STATION_MAC.replace(/:/g, '');
  return `wifi_${mac}_${ssid === null ? 'hidden' : Buffer.from(ssid).toString('hex')}_managed_${security}`;
}

export const servicePath = (id: string) => `/net/connman/service/${id}`;

/** The services the guest's access points (daemon-world.ts) give, by role; both backends' tests use them. */
export const SERVICE_IDS = {
  open: serviceId('sy-open', 'none'),
  wpa2: serviceId('sy-wpa2', 'psk'),
  sae: serviceId('sy-sae', 'psk'),
  mixed: serviceId('sy-mixed', 'psk'),
  hiddenPlaceholder: serviceId(null, 'psk'),
  hidden: serviceId('sy-hidden', 'psk'),
  eap: serviceId('sy-eap', 'ieee8021x'),
  wep: serviceId('sy-wep', 'wep'),
  roam: serviceId('sy-roam', 'psk'),
};

/** What the agent answers: per service path (or "*"), the fields to return; the requests it saw. */
export class TestAgent {
  readonly path = '/sy/test/agent';
  answers = new Map<string, Record<string, string>>();
  readonly requests: { service: string; fields: Record<string, Record<string, unknown>> }[] = [];
  readonly errors: { service: string; error: string }[] = [];
  /** how many ReportError calls to answer with Retry (as a user saying "try again" would) */
  retries = 0;
  /** runs on every ReportError before it is answered (to change the next answer, say) */
  onError?: (service: string, error: string) => void;

  constructor(private readonly bus: Bus) {
    bus.export(this.path, [{
      name: 'net.connman.Agent',
      signals: [],
      methods: [
        { name: 'Release', in: [], out: [], handler: () => [] },
        { name: 'Cancel', in: [], out: [], handler: () => [] },
        { name: 'ReportError', in: [{ name: 'service', type: 'o' }, { name: 'error', type: 's' }], out: [],
          handler: (a) => {
            this.errors.push({ service: String(a[0]), error: String(a[1]) });
            this.onError?.(String(a[0]), String(a[1]));
            if (this.retries > 0) { this.retries--; throw new ReplyError('net.connman.Agent.Error.Retry', 'retry'); }
            return [];
          } },
        { name: 'RequestBrowser', in: [{ name: 'service', type: 'o' }, { name: 'url', type: 's' }], out: [], handler: () => [] },
        { name: 'RequestInput', in: [{ name: 'service', type: 'o' }, { name: 'fields', type: 'a{sv}' }], out: [{ name: 'values', type: 'a{sv}' }],
          handler: (a) => {
            const service = String(a[0]);
            const fields: Record<string, Record<string, unknown>> = {};
            for (const [k, v] of Object.entries(unwrap(a[1]))) fields[k] = unwrap(v);
            this.requests.push({ service, fields });
            const ans = this.answers.get(service) ?? this.answers.get('*') ?? {};
            return [Object.fromEntries(Object.entries(ans).map(([k, v]) => [k, new Variant('s', v)]))];
          } },
      ],
    }]);
  }

  register(): Promise<unknown> {
    return this.bus.call(CONNMAN, '/', 'net.connman.Manager', 'RegisterAgent', 'o', [this.path]);
  }
}

// The host harness's mount script, less its /dev/null over /dev/rfkill: connmand reads /dev/rfkill in a
// loop, and on /dev/null (end of file at once) that loop spins and starves it under emulation. The guest
// is thrown away, so its own rfkill (the hwsim radios) may be seen.
const MOUNT_SCRIPT = `set -e
mkdir -p /var/lib/connman /run/connman
mount --bind "$1" /var/lib/connman
mount --bind "$2" /run/connman
mount --bind "$3" /etc/resolv.conf
shift 3
exec "$@"`;

export class WifiLab {
  daemon?: Background;
  readonly paths: LabPaths;

  constructor(readonly bus: Bus, readonly dir: string) {
    this.paths = { dir, mainConf: join(dir, 'main.conf'), stateDir: join(dir, 'state'), runDir: join(dir, 'run'), resolvConf: join(dir, 'resolv.conf') };
  }

  /** A fresh state directory and the daemon running in the station namespace; resolves once it owns net.connman. */
  async start(kind: DaemonKind, extra: string[] = []): Promise<void> {
    mkdirSync(this.paths.stateDir, { recursive: true });
    mkdirSync(this.paths.runDir, { recursive: true });
    writeFileSync(this.paths.resolvConf, '');
    writeFileSync(this.paths.mainConf, '[General]\nEnableOnlineCheck=false\n');
    const p = this.paths;
    this.daemon = new Background(kind, ['ip', 'netns', 'exec', STA_NS, 'unshare', '--mount', '--uts', '--propagation', 'private', '--',
      'sh', '-c', MOUNT_SCRIPT, 'sh', p.stateDir, p.runDir, p.resolvConf, ...daemonArgv(kind, p, extra)],
      join(p.dir, `${kind}.out`), join(p.dir, `${kind}.err`), { ...process.env, DBUS_SYSTEM_BUS_ADDRESS: SYSTEM_BUS });
    await waitUntil(async () => (await this.bus.nameOwner(CONNMAN)) !== undefined, { timeoutMs: 30_000, what: `${kind} on the bus` });
  }

  async stop(): Promise<void> {
    await this.daemon?.stop(10_000);
    this.daemon = undefined;
    await waitUntil(async () => (await this.bus.nameOwner(CONNMAN)) === undefined, { timeoutMs: 10_000, what: 'net.connman released' });
  }

  /** connmanctl with its output (stdout and stderr); never throws. */
  async ctl(...args: string[]): Promise<string> {
    const r = await run(['connmanctl', ...args], { timeoutMs: 60_000, env: { ...process.env, DBUS_SYSTEM_BUS_ADDRESS: SYSTEM_BUS } });
    return (r.stdout + r.stderr).trim();
  }

  async sh(cmd: string, timeoutMs = 30_000): Promise<string> {
    const r = await run(['sh', '-c', cmd], { timeoutMs });
    if (r.code !== 0) throw new Error(`${cmd}: exited ${r.code}${r.timedOut ? ' (timed out)' : ''}\n${r.stderr}${r.stdout}`);
    return r.stdout;
  }

  async props(id: string): Promise<Record<string, unknown> | undefined> {
    try {
      const [d] = await this.bus.call(CONNMAN, servicePath(id), 'net.connman.Service', 'GetProperties');
      const p = unwrap(d);
      for (const k of ['IPv4', 'Ethernet']) if (p[k]) p[k] = unwrap(p[k]);
      return p;
    } catch { return undefined; }
  }

  async services(): Promise<Map<string, Record<string, unknown>>> {
    const [list] = await this.bus.call(CONNMAN, '/', 'net.connman.Manager', 'GetServices');
    const out = new Map<string, Record<string, unknown>>();
    for (const [path, d] of list as [string, unknown][]) out.set(path.split('/').pop()!, unwrap(d));
    return out;
  }

  state(id: string): Promise<string | undefined> { return this.props(id).then((p) => p?.State as string | undefined); }

  waitState(id: string, want: string[], timeoutMs = 60_000): Promise<string> {
    return waitUntil(async () => { const s = await this.state(id); return s && want.includes(s) ? s : false; },
      { timeoutMs, intervalMs: 300, what: `${id} ${want.join('|')}` });
  }

  /** Records every State the service announces (PropertyChanged from net.connman). */
  async watchStates(id: string): Promise<{ states: string[]; timeline(): string; stop(): Promise<void> }> {
    const states: string[] = [];
    const at: number[] = [];
    const t0 = performance.now();
    const owner = await this.bus.nameOwner(CONNMAN);
    const off = await this.bus.subscribe({ sender: owner, path: servicePath(id), interface: 'net.connman.Service', member: 'PropertyChanged' },
      (s) => { if (s.body[0] === 'State') { states.push(String(unwrap({ v: s.body[1] }).v)); at.push(performance.now()); } });
    // "state@seconds since the watch began", to see where a slow scenario spent its time
    const timeline = () => states.map((st, i) => `${st}@${((at[i] - t0) / 1000).toFixed(1)}`).join(' -> ');
    return { states, timeline, stop: off };
  }

  /** `iw dev <station> link`: the BSSID the station is associated with, if any. */
  async bssid(station: string): Promise<string | undefined> {
    const out = await this.sh(`ip netns exec ${STA_NS} iw dev ${station} link`);
    return /Connected to ([0-9a-f:]{17})/.exec(out)?.[1];
  }

  /**
   * Roaming, whichever backend: the access point the station is on goes away; the station must move to
   * the other one of the pair with the service staying ready (no State change at all) on its address.
   */
  /**
   * The access point the station is on goes away (hostapd stops it, deauthenticating the station). With
   * wpa_supplicant that is a roam: the service stays ready throughout. iwd 2.3 instead treats the
   * deauthentication as a disconnect and reconnects by itself, which under emulation can outlast the
   * 10 s grace (docs/wifi.md); `reconnects` then asks only that it ends ready on the other access point
   * with the same address, without anyone acting, and prints the states it went through.
   */
  async roamAndCheck(id: string, opts: { reconnects?: boolean } = {}): Promise<void> {
    const ipv4 = async () => ((await this.props(id))?.IPv4 as Record<string, unknown> | undefined)?.Address;
    const first = await this.bssid(STATION);
    const a = WORLD.findIndex((ap, i) => ap.bridged && apBssid(i) === first);
    assert.ok(a >= 0, `associated with one of the roaming pair (${first})`);
    const address = await ipv4();
    const watch = await this.watchStates(id);
    await this.sh(apDown(a));
    const second = await waitUntil(async () => { const b = await this.bssid(STATION); return b && b !== first ? b : false; },
      { timeoutMs: opts.reconnects ? 90_000 : 30_000, what: 'association with the other access point' });
    if (opts.reconnects) await this.waitState(id, ['ready'], 60_000);
    await sleep(2000);
    await watch.stop();
    await this.sh(apUp(a));
    assert.notEqual(second, first);
    if (opts.reconnects) process.stdout.write(`# states while moving to the other access point: ${watch.states.join(' -> ') || '(none)'}\n`);
    else assert.deepEqual(watch.states, [], `State changes while roaming: ${watch.states.join(' -> ')}`);
    assert.equal(await this.state(id), 'ready');
    assert.equal(await ipv4(), address, 'same address after the roam');
  }

  /** Service.Remove on every favourite, so autoconnect leaves the next scenario alone. */
  async removeFavourites(): Promise<void> {
    for (const [id, p] of await this.services()) {
      if (p.Favorite === true && p.Immutable !== true) await this.remove(id);
    }
  }

  /**
   * Service.Remove as a user checks it: the call succeeds, the service ends disconnected and not a
   * favourite (or leaves the list), what stays saved of it is not a favourite and has no passphrase,
   * and no address of it stays on the station.
   */
  async removeAndCheck(id: string, addressPrefix: RegExp): Promise<void> {
    await this.bus.call(CONNMAN, servicePath(id), 'net.connman.Service', 'Remove');
    await waitUntil(async () => {
      const p = await this.props(id);
      return !p || (p.State === 'idle' && p.Favorite === false);
    }, { timeoutMs: 20_000, what: `${id} idle and not a favourite after Remove` });
    const settings = join(this.paths.stateDir, id, 'settings');
    if (existsSync(settings)) assert.doesNotMatch(readFileSync(settings, 'utf8'), /Favorite=true|Passphrase=/, 'saved as forgotten');
    await waitUntil(async () => !addressPrefix.test(await this.sh(`ip -n ${STA_NS} -4 addr show`)),
      { timeoutMs: 20_000, what: `no ${addressPrefix.source} address left on the station` });
  }

  /** Service.Remove (what `connmanctl config <id> --remove` sends), without a connmanctl start-up. */
  async remove(id: string): Promise<void> {
    await this.bus.call(CONNMAN, servicePath(id), 'net.connman.Service', 'Remove').catch(() => undefined);
  }
}
