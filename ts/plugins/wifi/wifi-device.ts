// One Wi-Fi link driven through wpa_supplicant: scan results become services (networks.ts), a Connect
// becomes a network block, and wpa_supplicant's state tells when the association is up, lost or refused.
// wpa_supplicant does the roaming (bgscan) and the short reconnects; this file decides when a lost link
// is really gone, and keeps scanning while nothing is connected so favourites come back by themselves.
import type { Device } from '../../core/device';
import type { Manager } from '../../core/manager';
import type { TimerHandle } from '../../core/clock';
import type { Logger } from '../../core/log';
import type { ProvisionedService } from '../../config/provisioning';
import { NetworkDriver, Service, ServiceError, isConnected, isConnecting } from '../../core/service';
import type { Supplicant, SupplicantInterface, SupplicantState } from './supplicant';
import type { Bss } from './bss';
import { NetworkGroup, ScannedBss, groupNetworks, ssidName, wifiServiceId } from './networks';
import { ScanSchedule, retryFailedFavourites } from './scan-schedule';

/** How long wpa_supplicant may be away from "completed" (roaming, a short fade) before the service drops. */
export const LOST_GRACE_MS = 10_000;
/** An association that has not completed by then fails with connect-failed (connmand: assoc timeout). */
export const CONNECT_TIMEOUT_MS = 30_000;
/** wpa_supplicant's background scan while connected: roam when the signal falls below -65 dBm. */
export const BGSCAN = 'simple:30:-65:300';
/** wpa_supplicant's WPAS_MAX_SCAN_SSIDS */
const MAX_SCAN_SSIDS = 16;

export class ConnectError extends Error {
  constructor(readonly serviceError: ServiceError, message: string) { super(message); }
}

interface Attempt {
  svc: Service;
  resolve(v: 'associated'): void;
  reject(e: ConnectError): void;
  timer: TimerHandle;
  /** failures seen in a handshake or in SAE authentication */
  keyFailures: number;
  lastState?: SupplicantState;
}

export interface WifiDeviceDeps {
  manager: Manager;
  supplicant: Supplicant;
  log: Logger;
}

export class WifiDevice implements NetworkDriver {
  iface?: SupplicantInterface;
  private readonly services = new Map<string, Service>();
  private groups = new Map<string, NetworkGroup>();
  private current?: Service;
  private attempt?: Attempt;
  private lostTimer?: TimerHandle;
  private scanTimer?: TimerHandle;
  /** periodic scan while disconnected, fast for a while after a loss (scan-schedule.ts) */
  private readonly schedule = new ScanSchedule();
  private refreshQueued = false;
  private attaching?: Promise<void>;
  private offs: (() => void)[] = [];

  constructor(readonly dev: Device, private readonly d: WifiDeviceDeps) {}

  get attached(): boolean { return this.iface?.alive === true; }
  private get m(): Manager { return this.d.manager; }
  private get clock() { return this.m.deps.clock; }

  /** Takes the link over in wpa_supplicant and starts scanning. */
  attach(): Promise<void> {
    // activation's "appeared" and the power-on path may both ask at once
    this.attaching ??= this.doAttach().finally(() => { this.attaching = undefined; });
    return this.attaching;
  }

  private async doAttach(): Promise<void> {
    if (this.iface?.alive || !this.dev.powered) return;
    const iface = await this.d.supplicant.interface(this.dev.ifname);
    this.iface = iface;
    const refresh = () => this.queueRefresh();
    this.offs.push(iface.on('bss-added', refresh), iface.on('bss-removed', refresh), iface.on('bss-changed', refresh),
      iface.on('state', (s, old) => this.onState(s, old)),
      iface.on('gone', () => { void this.onGone(); }));
    // a previous run (or connmand) may have left networks behind
    await iface.removeAllNetworks().catch(() => undefined);
    this.refresh();
    this.schedule.reset();
    void this.scanNow().catch((e) => this.d.log.debug('wifi', `${this.dev.ifname}: first scan: ${(e as Error).message}`));
  }

  /** Powered off or unplugged: every service goes, and wpa_supplicant lets go of the link. */
  async detach(releaseInterface: boolean): Promise<void> {
    this.stopTimers();
    const iface = this.iface;
    this.iface = undefined;
    for (const off of this.offs.splice(0)) off();
    await this.dropServices();
    if (iface?.alive && releaseInterface) await this.d.supplicant.removeInterface(iface).catch(() => undefined);
  }

  // ---- scanning ----

  /** Technology.Scan and the periodic scan: resolves once the results are services. */
  async scanNow(): Promise<void> {
    const iface = this.iface;
    if (!iface) return;
    await iface.scan({ ssids: this.hiddenSsids() });
    this.refresh();
    // an access point that reboots is back on air long after the first attempt gave up
    retryFailedFavourites(this.m, this.services.values(), (id) => this.groups.has(id));
    this.scheduleScan();
  }

  /**
   * Hidden networks are probed by name so they can autoconnect: the ones known now, and the favourites
   * saved with Hidden=true for this radio, which have no service until a probe answers (connmand's
   * get_hidden_connections). wpa_supplicant takes at most 16 SSIDs per scan, the wildcard included.
   */
  private hiddenSsids(): Buffer[] {
    const hex = new Set([...this.services.values()].filter((s) => s.hidden && s.ssid).map((s) => s.ssid!));
    const prefix = `wifi_${this.dev.mac.replace(/:/g, '').toLowerCase()}_`;
    for (const id of this.m.saved.ids()) {
      const ssid = /^([0-9a-f]+)_managed_/.exec(id.slice(prefix.length))?.[1];
      if (!id.startsWith(prefix) || !ssid) continue;
      const s = this.m.saved.load(id);
      if (s?.favorite && s.hidden) hex.add(ssid);
    }
    return [...hex].slice(0, MAX_SCAN_SSIDS - 1).map((h) => Buffer.from(h, 'hex'));
  }

  private scheduleScan(): void {
    this.scanTimer?.cancel();
    this.scanTimer = undefined;
    if (!this.iface || this.current) return; // connected: wpa_supplicant's bgscan does the rest
    const delay = this.schedule.next(this.clock.now());
    this.scanTimer = this.clock.setTimeout(() => {
      this.scanTimer = undefined;
      this.scanNow().catch((e) => { this.d.log.debug('wifi', `${this.dev.ifname}: scan: ${(e as Error).message}`); this.scheduleScan(); });
    }, delay * 1000);
  }

  // ---- scan results -> services ----

  private queueRefresh(): void {
    if (this.refreshQueued) return;
    this.refreshQueued = true;
    queueMicrotask(() => { this.refreshQueued = false; this.refresh(); });
  }

  private refresh(): void {
    if (!this.iface) return;
    this.groups = groupNetworks(this.dev.mac, [...this.iface.bsss.values()].map(scanned));
    for (const g of this.groups.values()) {
      const svc = this.services.get(g.id);
      if (!svc) { this.addService(g); continue; }
      if (svc.strength !== g.strength) svc.set('strength', g.strength, 'Strength');
      if (svc.wps !== g.wps || svc.wpsAdvertising !== g.wpsAdvertising) {
        svc.wps = g.wps;
        svc.wpsAdvertising = g.wpsAdvertising;
        svc.notify(svc, 'Security');
      }
    }
    for (const [id, svc] of this.services) {
      if (this.groups.has(id) || svc === this.current) continue;
      // a hidden network connected by name has no scan result of its own until it answers a probe
      if (svc === this.attempt?.svc && svc.hidden) continue;
      if (svc === this.attempt?.svc) this.failAttempt('connect-failed', 'the network went out of range');
      this.services.delete(id);
      void this.m.removeService(svc);
    }
  }

  private addService(g: NetworkGroup): Service {
    const link = this.dev;
    const svc = new Service(g.id, 'wifi');
    if (!g.hidden) {
      svc.name = ssidName(g.ssid);
      svc.ssid = g.ssid.toString('hex');
    }
    svc.security = g.security;
    svc.hidden = g.hidden;
    svc.strength = g.strength;
    svc.wps = g.wps;
    svc.wpsAdvertising = g.wpsAdvertising;
    svc.ifindex = link.ifindex;
    svc.ifname = link.ifname;
    svc.mac = link.mac;
    svc.mtu = 1500;
    svc.driver = this;
    this.services.set(g.id, svc);
    this.m.addService(svc);
    return svc;
  }

  private async dropServices(): Promise<void> {
    const all = [...this.services.values()];
    this.services.clear();
    this.current = undefined;
    if (this.attempt) this.failAttempt('connect-failed', 'the device went away');
    for (const s of all) await this.m.removeService(s);
  }

  // ---- NetworkDriver ----

  needsInput(svc: Service): boolean {
    if (svc.hidden && !svc.ssid) return true; // the name first
    if (svc.security === 'ieee8021x') return !this.provisioned(svc);
    return svc.security !== 'none' && !svc.passphrase;
  }

  async connect(svc: Service, input: { name?: string; identity?: string }): Promise<'associated' | 'redirected'> {
    const iface = this.iface;
    if (!iface) throw new ConnectError('connect-failed', 'wpa_supplicant does not manage the link');
    if (svc.hidden && !svc.ssid) return this.connectHidden(svc, input.name);
    if (this.attempt) this.failAttempt('connect-failed', 'superseded');
    if (this.current && this.current !== svc) {
      const other = this.current;
      await this.m.disconnectService(other, false).catch(() => undefined);
    }
    this.scanTimer?.cancel();
    const cfg = this.networkConfig(svc, input);
    await iface.removeAllNetworks();
    let net: string;
    try { net = await iface.addNetwork(cfg); } catch (e) {
      // wpa_supplicant refused the key's format: the same outcome as a handshake that fails
      svc.passphrase = undefined;
      throw new ConnectError('invalid-key', (e as Error).message);
    }
    const done = new Promise<'associated'>((resolve, reject) => {
      const timer = this.clock.setTimeout(() => this.failAttempt(
        this.attempt && this.attempt.keyFailures > 0 ? 'invalid-key' : 'connect-failed', 'association timed out'), CONNECT_TIMEOUT_MS);
      this.attempt = { svc, resolve, reject, timer, keyFailures: 0 };
    });
    await iface.selectNetwork(net);
    if (iface.state === 'completed' && this.attempt?.svc === svc) this.onState('completed', 'associated');
    return done;
  }

  async disconnect(svc: Service): Promise<void> {
    if (this.attempt?.svc === svc) this.failAttempt('connect-failed', 'disconnected');
    if (this.current !== svc && this.attempt) return;
    if (this.current === svc) this.current = undefined;
    this.lostTimer?.cancel();
    this.lostTimer = undefined;
    const iface = this.iface;
    if (iface?.alive) {
      await iface.removeAllNetworks().catch(() => undefined);
      await iface.disconnect().catch(() => undefined);
    }
    this.scheduleScan();
  }

  /** Connect-by-name: the SSID from the agent picks (or makes) the real service, which connects instead. */
  private async connectHidden(placeholder: Service, name: string | undefined): Promise<'redirected'> {
    if (!name) throw new ConnectError('connect-failed', 'no network name');
    const ssid = Buffer.from(name, 'utf8');
    if (ssid.length < 1 || ssid.length > 32) throw new ConnectError('connect-failed', 'SSID must be 1..32 bytes');
    const id = wifiServiceId(this.dev.mac, ssid, placeholder.security);
    const real = this.services.get(id) ?? this.addService({ id, ssid, hidden: false, security: placeholder.security,
      strength: placeholder.strength, sae: true, saeOnly: false, wps: false, wpsAdvertising: false, bsss: [] });
    real.hidden = true;
    if (placeholder.passphrase) real.passphrase = placeholder.passphrase;
    placeholder.passphrase = undefined;
    try {
      await this.m.connectService(real, 'user');
    } catch (e) {
      throw new ConnectError(real.error ?? 'connect-failed', (e as Error).message);
    }
    return 'redirected';
  }

  private provisioned(svc: Service): ProvisionedService | undefined {
    const p = this.m.deps.provisioning?.match({ type: 'wifi', mac: svc.mac, ifname: svc.ifname, ssid: svc.ssid, security: svc.security });
    return p as ProvisionedService | undefined;
  }

  private networkConfig(svc: Service, input: { identity?: string }) {
    const ssid = Buffer.from(svc.ssid ?? '', 'hex');
    const g = this.groups.get(svc.id);
    const base = { ssid, security: svc.security, hidden: svc.hidden, bgscan: BGSCAN };
    switch (svc.security) {
      case 'none': return base;
      case 'wep': return { ...base, passphrase: svc.passphrase };
      case 'psk':
        // SAE is offered next to WPA-PSK, so WPA3-only and WPA2/WPA3 transition networks share one
        // service; a raw 64-digit PSK cannot do SAE.
        return { ...base, passphrase: svc.passphrase, sae: (g?.sae ?? true) && svc.passphrase?.length !== 64 };
      case 'ieee8021x': {
        const p = this.provisioned(svc);
        if (!p?.eap) throw new ConnectError('connect-failed', '802.1X needs a provisioning file with EAP');
        return { ...base, eap: eapFields(p, input.identity, svc.passphrase) };
      }
    }
  }

  // ---- wpa_supplicant's view ----

  private onState(state: SupplicantState, old: SupplicantState): void {
    const a = this.attempt;
    if (a) {
      a.lastState = state;
      if (state === 'completed') {
        this.attempt = undefined;
        a.timer.cancel();
        this.current = a.svc;
        this.d.log.info(`wifi: ${this.dev.ifname} associated with ${this.bssid() ?? '?'} for ${a.svc.id}`);
        a.resolve('associated');
        return;
      }
      if (state === 'disconnected' || state === 'scanning') {
        const handshake = old === '4way_handshake' || old === 'group_handshake';
        // an SAE-only network refuses a wrong password in authentication, before any handshake
        const saeRefused = old === 'authenticating' && this.groups.get(a.svc.id)?.saeOnly === true;
        if (handshake || saeRefused) a.keyFailures++;
        // connmand treats a failed 4-way handshake as a wrong key; one retry covers a lost frame
        if (a.svc.security === 'psk' && (handshake && a.keyFailures >= 1 || saeRefused && a.keyFailures >= 2)) {
          a.svc.passphrase = undefined;
          this.failAttempt('invalid-key', 'the access point refused the key');
        } else if (a.svc.security === 'wep' && handshake) {
          a.svc.passphrase = undefined;
          this.failAttempt('invalid-key', 'the access point refused the key');
        }
      }
      return;
    }
    const svc = this.current;
    if (!svc) return;
    if (state === 'completed') {
      if (this.lostTimer) this.d.log.info(`wifi: ${this.dev.ifname} back on ${this.bssid() ?? '?'} (${svc.id})`);
      this.lostTimer?.cancel();
      this.lostTimer = undefined;
      return;
    }
    if (!this.lostTimer && (isConnected(svc.state) || isConnecting(svc.state))) {
      this.lostTimer = this.clock.setTimeout(() => { this.lostTimer = undefined; void this.lost(svc); }, LOST_GRACE_MS);
    }
  }

  /** The association did not come back in time: the service goes idle and scanning starts over. */
  private async lost(svc: Service): Promise<void> {
    if (this.current !== svc) return;
    this.d.log.info(`wifi: ${this.dev.ifname} lost ${svc.id}`);
    this.current = undefined;
    this.schedule.lost(this.clock.now());
    await this.m.disconnectService(svc, false).catch(() => undefined);
    this.scheduleScan();
  }

  private failAttempt(error: ServiceError, why: string): void {
    const a = this.attempt;
    if (!a) return;
    this.attempt = undefined;
    a.timer.cancel();
    this.d.log.info(`wifi: ${a.svc.id}: ${why}`);
    void this.iface?.removeAllNetworks().catch(() => undefined);
    a.reject(new ConnectError(error, why));
    this.scheduleScan();
  }

  /** wpa_supplicant dropped the interface or left the bus: nothing it reported holds any more. */
  private async onGone(): Promise<void> {
    this.d.log.info(`wifi: wpa_supplicant let go of ${this.dev.ifname}`);
    this.stopTimers();
    for (const off of this.offs.splice(0)) off();
    this.iface = undefined;
    await this.dropServices();
  }

  private bssid(): string | undefined {
    const b = this.iface?.currentBss;
    return b ? this.iface?.bsss.get(b)?.bssid : undefined;
  }

  private stopTimers(): void {
    this.scanTimer?.cancel();
    this.lostTimer?.cancel();
    this.scanTimer = this.lostTimer = undefined;
  }
}

function scanned(b: Bss): ScannedBss {
  const km = [...b.rsnKeyMgmt, ...b.wpaKeyMgmt];
  return { ssid: b.ssid, security: b.security, signal: b.signal, bssid: b.bssid,
    sae: km.some((k) => k.includes('sae')), wpaPsk: km.some((k) => k.includes('psk')), wps: b.wps, wpsAdvertising: b.wpsAdvertising };
}

/** wpa_supplicant network fields for 802.1X from a provisioning section (connmand's EAP keys). */
export function eapFields(p: ProvisionedService, identity?: string, passphrase?: string): Record<string, string> {
  const f: Record<string, string> = { eap: p.eap!.toUpperCase() };
  const id = p.identity ?? identity;
  if (id) f.identity = id;
  if (p.anonymousIdentity) f.anonymous_identity = p.anonymousIdentity;
  if (p.caCertFile) f.ca_cert = p.caCertFile;
  if (p.clientCertFile) f.client_cert = p.clientCertFile;
  if (p.privateKeyFile) f.private_key = p.privateKeyFile;
  if (p.privateKeyPassphrase) f.private_key_passwd = p.privateKeyPassphrase;
  if (p.subjectMatch) f.subject_match = p.subjectMatch;
  if (p.altSubjectMatch) f.altsubject_match = p.altSubjectMatch;
  if (p.domainSuffixMatch) f.domain_suffix_match = p.domainSuffixMatch;
  if (p.domainMatch) f.domain_match = p.domainMatch;
  if (p.phase2) f.phase2 = `auth=${p.phase2.toUpperCase()}`;
  const pass = p.passphrase ?? passphrase;
  if (pass && f.eap !== 'TLS') f.password = pass;
  return f;
}
