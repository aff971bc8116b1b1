// One network interface as wpa_supplicant manages it (fi.w1.wpa_supplicant1.Interface): its state, the
// BSSs it has seen, scans and the network blocks we give it. Signals arrive through Supplicant, which
// routes everything under this object's path here.
import { Emitter } from '../../core/emitter';
import type { Logger } from '../../core/log';
import { Bss, parseBss } from './bss';
import { DbusClient, SignalLike, errorName, unwrap } from './dbus-client';
import { NetworkConfig, networkArgs } from './network-config';

export const SERVICE = 'fi.w1.wpa_supplicant1';
export const INTERFACE_IFACE = 'fi.w1.wpa_supplicant1.Interface';
export const BSS_IFACE = 'fi.w1.wpa_supplicant1.BSS';
export const PROPERTIES = 'org.freedesktop.DBus.Properties';

/** wpa_supplicant's interface states, as its D-Bus API spells them. */
export type SupplicantState = 'disconnected' | 'inactive' | 'scanning' | 'authenticating' | 'associating'
  | 'associated' | '4way_handshake' | 'group_handshake' | 'completed' | 'unknown' | 'interface_disabled';

export interface InterfaceEvents {
  state: [SupplicantState, SupplicantState];
  'bss-added': [Bss];
  'bss-removed': [Bss];
  'bss-changed': [Bss];
  'scan-done': [boolean];
  'network-selected': [string];
  /** IEEE 802.11 reason code of the last disconnection; negative when the AP sent it. */
  'disconnect-reason': [number];
  'current-bss': [string | undefined];
  /** wpa_supplicant dropped the interface or went away: this object is dead. */
  gone: [];
}

export interface ScanOptions {
  /** Probe for these SSIDs (hidden networks) besides the wildcard. */
  ssids?: (Buffer | string)[];
  /** Only these frequencies (MHz). */
  frequencies?: number[];
  passive?: boolean;
  timeoutMs?: number;
}

/** BSS property reads in flight at once while loading an interface. */
const BSS_LOAD_CONCURRENCY = 16;

export class SupplicantInterfaceGone extends Error {
  constructor(ifname: string) { super(`wpa_supplicant no longer manages ${ifname}`); }
}

const noPath = (p: unknown) => (typeof p === 'string' && p !== '/' ? p : undefined);

export class SupplicantInterface extends Emitter<InterfaceEvents> {
  state: SupplicantState = 'unknown';
  scanning = false;
  currentBss?: string;
  currentNetwork?: string;
  disconnectReason = 0;
  readonly bsss = new Map<string, Bss>();
  alive = true;
  private scanWaiters: { resolve(ok: boolean): void; reject(e: Error): void }[] = [];

  constructor(private readonly bus: DbusClient, readonly path: string, readonly ifname: string, private readonly log: Logger) {
    super();
  }

  /** Reads the current state and every known BSS (signals are already routed here). */
  async load(): Promise<void> {
    const [props] = await this.call(PROPERTIES, 'GetAll', 's', [INTERFACE_IFACE]);
    this.applyProperties(unwrap(props));
    const paths = unwrap(props).BSSs;
    if (!Array.isArray(paths)) return;
    // A few calls at a time: the system bus refuses more than max_replies_per_connection (128 by
    // default) outstanding calls per client, and a busy site lists hundreds of BSSs.
    const queue = paths.map(String);
    const worker = async () => { for (let p = queue.shift(); p !== undefined; p = queue.shift()) await this.loadBss(p); };
    await Promise.all(Array.from({ length: Math.min(BSS_LOAD_CONCURRENCY, queue.length) }, worker));
  }

  /** Resolves with ScanDone's success flag. A scan already running is joined rather than refused. */
  async scan(opts: ScanOptions = {}): Promise<boolean> {
    const args: Record<string, unknown> = { Type: this.bus.variant('s', opts.passive ? 'passive' : 'active') };
    if (!opts.passive && opts.ssids?.length) {
      args.SSIDs = this.bus.variant('aay', [Buffer.alloc(0), ...opts.ssids.map((s) => (Buffer.isBuffer(s) ? s : Buffer.from(s)))]);
    }
    if (opts.frequencies?.length) args.Channels = this.bus.variant('a(uu)', opts.frequencies.map((f) => [f, 20]));
    const timeoutMs = opts.timeoutMs ?? 30_000;
    let waiter!: { resolve(ok: boolean): void; reject(e: Error): void };
    const done = new Promise<boolean>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.scanWaiters = this.scanWaiters.filter((w) => w !== waiter);
        reject(new Error(`scan on ${this.ifname} did not finish in ${timeoutMs} ms`));
      }, timeoutMs);
      waiter = {
        resolve: (ok) => { clearTimeout(timer); resolve(ok); },
        reject: (e) => { clearTimeout(timer); reject(e); },
      };
    });
    this.scanWaiters.push(waiter);
    try {
      await this.call(INTERFACE_IFACE, 'Scan', 'a{sv}', [args]);
    } catch (e) {
      // "Scan request rejected" while one is in flight: its ScanDone answers us too.
      if (!(errorName(e) === `${INTERFACE_IFACE}.ScanError` && this.scanning)) {
        this.scanWaiters = this.scanWaiters.filter((w) => w !== waiter);
        waiter.reject(e as Error);
      }
    }
    return done;
  }

  /** Adds a network block; returns its object path. */
  async addNetwork(cfg: NetworkConfig): Promise<string> {
    const [path] = await this.call(INTERFACE_IFACE, 'AddNetwork', 'a{sv}', [networkArgs(this.bus, cfg)]);
    return String(path);
  }

  async selectNetwork(network: string): Promise<void> { await this.call(INTERFACE_IFACE, 'SelectNetwork', 'o', [network]); }
  async removeNetwork(network: string): Promise<void> { await this.call(INTERFACE_IFACE, 'RemoveNetwork', 'o', [network]); }
  async removeAllNetworks(): Promise<void> { await this.call(INTERFACE_IFACE, 'RemoveAllNetworks'); }
  async disconnect(): Promise<void> { await this.call(INTERFACE_IFACE, 'Disconnect'); }
  async reassociate(): Promise<void> { await this.call(INTERFACE_IFACE, 'Reassociate'); }

  /** Link quality of the current association (RSSI dBm, frequency MHz, link speed Mb/s). */
  async signalPoll(): Promise<{ rssi?: number; frequency?: number; linkSpeed?: number }> {
    const [d] = await this.call(INTERFACE_IFACE, 'SignalPoll');
    const p = unwrap(d);
    const n = (v: unknown) => (typeof v === 'number' ? v : undefined);
    return { rssi: n(p.rssi), frequency: n(p.frequency), linkSpeed: n(p.linkspeed) };
  }

  /** A signal from under this interface's path (routed by Supplicant, sender already checked). */
  handleSignal(s: SignalLike): void {
    if (!this.alive) return;
    if (s.path !== this.path) {
      if (s.path.startsWith(this.path + '/BSSs/')) this.handleBssSignal(s);
      return;
    }
    if (s.interface === PROPERTIES && s.member === 'PropertiesChanged') {
      if (s.body[0] === INTERFACE_IFACE) this.applyProperties(unwrap(s.body[1]));
      return;
    }
    if (s.interface !== INTERFACE_IFACE) return;
    switch (s.member) {
      case 'PropertiesChanged': this.applyProperties(unwrap(s.body[0])); break;
      case 'ScanDone': {
        const ok = s.body[0] === true;
        const waiters = this.scanWaiters;
        this.scanWaiters = [];
        for (const w of waiters) w.resolve(ok);
        this.emit('scan-done', ok);
        break;
      }
      case 'BSSAdded': {
        const bss = parseBss(String(s.body[0]), s.body[1]);
        this.bsss.set(bss.path, bss);
        this.emit('bss-added', bss);
        break;
      }
      case 'BSSRemoved': {
        const bss = this.bsss.get(String(s.body[0]));
        if (!bss) break;
        this.bsss.delete(bss.path);
        this.emit('bss-removed', bss);
        break;
      }
      case 'NetworkSelected': this.emit('network-selected', String(s.body[0])); break;
      default: break;
    }
  }

  /** wpa_supplicant dropped us (InterfaceRemoved) or left the bus. */
  markGone(): void {
    if (!this.alive) return;
    this.alive = false;
    const err = new SupplicantInterfaceGone(this.ifname);
    for (const w of this.scanWaiters) w.reject(err);
    this.scanWaiters = [];
    this.emit('gone');
  }

  private handleBssSignal(s: SignalLike): void {
    let props: unknown;
    if (s.interface === PROPERTIES && s.member === 'PropertiesChanged' && s.body[0] === BSS_IFACE) props = s.body[1];
    else if (s.interface === BSS_IFACE && s.member === 'PropertiesChanged') props = s.body[0];
    else return;
    const prev = this.bsss.get(s.path);
    if (!prev) return; // BSSAdded has not arrived yet or it is already removed
    const next = parseBss(s.path, props, prev);
    this.bsss.set(s.path, next);
    if (JSON.stringify(next) !== JSON.stringify(prev)) this.emit('bss-changed', next);
  }

  private applyProperties(p: Record<string, unknown>): void {
    if (typeof p.Scanning === 'boolean') this.scanning = p.Scanning;
    if ('CurrentNetwork' in p) this.currentNetwork = noPath(p.CurrentNetwork);
    if ('CurrentBSS' in p && noPath(p.CurrentBSS) !== this.currentBss) {
      this.currentBss = noPath(p.CurrentBSS);
      this.emit('current-bss', this.currentBss);
    }
    if (typeof p.DisconnectReason === 'number' && p.DisconnectReason !== this.disconnectReason) {
      this.disconnectReason = p.DisconnectReason;
      if (p.DisconnectReason !== 0) this.emit('disconnect-reason', p.DisconnectReason);
    }
    if (typeof p.State === 'string' && p.State !== this.state) {
      const old = this.state;
      this.state = p.State as SupplicantState;
      this.log.debug('supplicant', `${this.ifname}: ${old} -> ${this.state}`);
      this.emit('state', this.state, old);
    }
  }

  private async loadBss(path: string): Promise<void> {
    try {
      const [props] = await this.call(PROPERTIES, 'GetAll', 's', [BSS_IFACE], path);
      if (this.bsss.has(path)) return; // a BSSAdded signal won the race
      const bss = parseBss(path, props);
      this.bsss.set(path, bss);
      this.emit('bss-added', bss);
    } catch (e) {
      // Expired between the listing and the read: BSSRemoved follows, nothing to keep.
      if (errorName(e) !== 'org.freedesktop.DBus.Error.UnknownObject') this.log.debug('supplicant', `BSS ${path}: ${(e as Error).message}`);
    }
  }

  private call(iface: string, member: string, signature = '', body: unknown[] = [], path = this.path): Promise<unknown[]> {
    if (!this.alive) return Promise.reject(new SupplicantInterfaceGone(this.ifname));
    return this.bus.call(SERVICE, path, iface, member, signature, body);
  }
}
