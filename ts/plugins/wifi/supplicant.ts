// The typed client of wpa_supplicant's D-Bus service (fi.w1.wpa_supplicant1): the lower half of the Wi-Fi
// plugin. It follows the service's owner through NameOwnerChanged, so wpa_supplicant may start after us
// (or be activated by us), crash and come back: on "vanished" every SupplicantInterface is marked gone,
// on "appeared" the caller asks for its interfaces again.
import { Emitter } from '../../core/emitter';
import { Logger, silentLogger } from '../../core/log';
import { DbusClient, SignalLike, errorName } from './dbus-client';
import { SERVICE, SupplicantInterface } from './supplicant-interface';

export { SupplicantInterface } from './supplicant-interface';
export type { SupplicantState, ScanOptions } from './supplicant-interface';

export const ROOT_PATH = '/fi/w1/wpa_supplicant1';
const ROOT_IFACE = 'fi.w1.wpa_supplicant1';
const DBUS = 'org.freedesktop.DBus';

export interface SupplicantEvents {
  /** wpa_supplicant owns its name (again). */
  appeared: [];
  /** wpa_supplicant left the bus; every interface object is gone. */
  vanished: [];
}

export class Supplicant extends Emitter<SupplicantEvents> {
  private owner?: string;
  private readonly interfaces = new Map<string, SupplicantInterface>();
  private unsubscribe: (() => Promise<void>)[] = [];

  constructor(private readonly bus: DbusClient, private readonly log: Logger = silentLogger) { super(); }

  get running(): boolean { return this.owner !== undefined; }

  /** Starts following wpa_supplicant; emits "appeared" right away when it is already there. */
  async start(): Promise<void> {
    this.unsubscribe.push(await this.bus.subscribe(
      { sender: DBUS, interface: DBUS, member: 'NameOwnerChanged', arg0: SERVICE },
      (s) => this.ownerChanged(String(s.body[1] ?? ''), String(s.body[2] ?? ''))));
    // One rule for everything the service sends; we route by path ourselves.
    this.unsubscribe.push(await this.bus.subscribe({ sender: SERVICE }, (s) => this.route(s)));
    const owner = await this.bus.nameOwner(SERVICE);
    if (owner && !this.owner) this.ownerChanged('', owner);
  }

  async stop(): Promise<void> {
    for (const off of this.unsubscribe.splice(0)) await off();
    for (const i of this.interfaces.values()) i.markGone();
    this.interfaces.clear();
    this.owner = undefined;
  }

  /** Asks the bus to start wpa_supplicant (D-Bus activation) and resolves once it owns its name. */
  async activate(timeoutMs = 10_000): Promise<void> {
    if (this.owner) return;
    let cancel = () => {};
    const up = new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => { off(); reject(new Error(`${SERVICE} did not appear in ${timeoutMs} ms`)); }, timeoutMs);
      const off = this.on('appeared', () => { clearTimeout(timer); off(); resolve(); });
      cancel = () => { clearTimeout(timer); off(); };
    });
    try {
      await this.bus.call(DBUS, '/org/freedesktop/DBus', DBUS, 'StartServiceByName', 'su', [SERVICE, 0]);
      const owner = await this.bus.nameOwner(SERVICE);
      if (owner && !this.owner) this.ownerChanged('', owner);
    } catch (e) {
      // no activation file (or not allowed): nobody waits on `up` any more
      cancel();
      throw e;
    }
    await up;
  }

  /** The interface object for `ifname`, asking wpa_supplicant to manage it when it does not yet. */
  async interface(ifname: string, driver = 'nl80211'): Promise<SupplicantInterface> {
    for (const i of this.interfaces.values()) if (i.ifname === ifname && i.alive) return i;
    let path: string;
    try {
      [path] = (await this.bus.call(SERVICE, ROOT_PATH, ROOT_IFACE, 'GetInterface', 's', [ifname])) as string[];
    } catch (e) {
      if (errorName(e) !== `${ROOT_IFACE}.InterfaceUnknown`) throw e;
      try {
        [path] = (await this.bus.call(SERVICE, ROOT_PATH, ROOT_IFACE, 'CreateInterface', 'a{sv}',
          [{ Ifname: this.bus.variant('s', ifname), Driver: this.bus.variant('s', driver) }])) as string[];
      } catch (e2) {
        // Someone else created it between our two calls.
        if (errorName(e2) !== `${ROOT_IFACE}.InterfaceExists`) throw e2;
        [path] = (await this.bus.call(SERVICE, ROOT_PATH, ROOT_IFACE, 'GetInterface', 's', [ifname])) as string[];
      }
    }
    const existing = this.interfaces.get(path);
    if (existing?.alive) return existing;
    const iface = new SupplicantInterface(this.bus, path, ifname, this.log);
    this.interfaces.set(path, iface); // before load(), so no signal between the two is lost
    try {
      await iface.load();
    } catch (e) {
      this.interfaces.delete(path);
      iface.markGone();
      throw e;
    }
    return iface;
  }

  /** Tells wpa_supplicant to let go of the interface (it disconnects first). */
  async removeInterface(iface: SupplicantInterface): Promise<void> {
    this.interfaces.delete(iface.path);
    iface.markGone();
    try {
      await this.bus.call(SERVICE, ROOT_PATH, ROOT_IFACE, 'RemoveInterface', 'o', [iface.path]);
    } catch (e) {
      if (errorName(e) !== `${ROOT_IFACE}.InterfaceUnknown`) throw e;
    }
  }

  private ownerChanged(oldOwner: string, newOwner: string): void {
    if (oldOwner && this.owner === oldOwner) {
      this.log.info(`${SERVICE} left the bus`);
      this.owner = undefined;
      for (const i of this.interfaces.values()) i.markGone();
      this.interfaces.clear();
      this.emit('vanished');
    }
    if (newOwner && this.owner !== newOwner) {
      if (this.owner) this.ownerChanged(this.owner, '');
      this.log.info(`${SERVICE} is on the bus (${newOwner})`);
      this.owner = newOwner;
      this.emit('appeared');
    }
  }

  private route(s: SignalLike): void {
    // The match rule names the well-known name; a stale owner's last signals are not ours to apply.
    if (!this.owner || s.sender !== this.owner) return;
    if (s.path === ROOT_PATH) {
      if (s.interface === ROOT_IFACE && s.member === 'InterfaceRemoved') {
        const iface = this.interfaces.get(String(s.body[0]));
        if (iface) {
          this.interfaces.delete(iface.path);
          iface.markGone();
        }
      }
      return;
    }
    for (const iface of this.interfaces.values()) {
      if (s.path === iface.path || s.path.startsWith(iface.path + '/')) { iface.handleSignal(s); return; }
    }
  }
}
