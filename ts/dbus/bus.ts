// Our small bus module: the only file that imports dbus-next. It routes method calls through one
// low-level handler (no decorators), checks input signatures strictly the way gdbus does (a mismatch is
// UnknownMethod), generates introspection for every node, and serves ObjectManager on "/".
import './lazy-deps'; // before dbus-next: defers its unused dependencies
import * as dbus from '@particle/dbus-next';
import { ConnmanError } from '../core/errors';

export const Variant = dbus.Variant;
export type Variant = dbus.Variant;

export interface CallContext { sender: string }

export interface MethodDef {
  name: string;
  in: { name: string; type: string }[];
  out: { name: string; type: string }[];
  deprecated?: boolean;
  /** returns the output values; throw ConnmanError for a net.connman.Error reply */
  handler(args: unknown[], ctx: CallContext): unknown[] | Promise<unknown[]>;
}

export interface SignalDef { name: string; args: { name: string; type: string }[] }

export interface InterfaceDef {
  name: string;
  methods: MethodDef[];
  signals: SignalDef[];
}

const NO_REPLY_EXPECTED = 1;
const INTROSPECTABLE = 'org.freedesktop.DBus.Introspectable';
const OBJECT_MANAGER = 'org.freedesktop.DBus.ObjectManager';
const DOCTYPE = '<!DOCTYPE node PUBLIC "-//freedesktop//DTD D-BUS Object Introspection 1.0//EN"\n"http://www.freedesktop.org/standards/dbus/1.0/introspect.dtd">\n';

function xmlEscape(s: string): string { return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/"/g, '&quot;'); }

// Byte-exact with gdbus (ConnMan's D-Bus helper): each <arg/> ends a line, nothing else does except
// </signal>. Clients never parse whitespace, but the reference captures compare byte for byte.
function argsXml(args: { name: string; type: string }[], direction?: 'in' | 'out'): string {
  return args.map((a) => `<arg name="${xmlEscape(a.name)}" type="${a.type}"${direction ? ` direction="${direction}"` : ''}/>\n`).join('');
}

export function interfaceXml(def: InterfaceDef): string {
  let x = `<interface name="${def.name}">`;
  for (const m of def.methods) {
    x += `<method name="${m.name}">` + argsXml(m.in, 'in') + argsXml(m.out, 'out');
    if (m.deprecated) x += '<annotation name="org.freedesktop.DBus.Deprecated" value="true"/>';
    x += '</method>';
  }
  for (const s of def.signals) x += `<signal name="${s.name}">` + argsXml(s.args) + '</signal>\n';
  return x + '</interface>';
}

const INTROSPECTABLE_DEF: InterfaceDef = {
  name: INTROSPECTABLE,
  methods: [{ name: 'Introspect', in: [], out: [{ name: 'xml', type: 's' }], handler: () => [] }],
  signals: [],
};
const OBJECT_MANAGER_DEF: InterfaceDef = {
  name: OBJECT_MANAGER,
  methods: [{ name: 'GetManagedObjects', in: [], out: [{ name: 'objects', type: 'a{oa{sa{sv}}}' }], handler: () => [] }],
  signals: [
    { name: 'InterfacesAdded', args: [{ name: 'object', type: 'o' }, { name: 'interfaces', type: 'a{sa{sv}}' }] },
    { name: 'InterfacesRemoved', args: [{ name: 'object', type: 'o' }, { name: 'interfaces', type: 'as' }] },
  ],
};

/**
 * Introspection of `path` given the exported objects. A registered object is described the gdbus way
 * (ObjectManager right after Introspectable on "/"); a bare parent node the way libdbus answers for it.
 */
export function introspectXml(objects: ReadonlyMap<string, ReadonlyMap<string, InterfaceDef>>, path: string): string {
  const prefix = path === '/' ? '/' : path + '/';
  const children = [...new Set([...objects.keys()].filter((p) => p !== path && p.startsWith(prefix))
    .map((p) => p.slice(prefix.length).split('/')[0]))].sort();
  const ifaces = objects.get(path);
  if (!ifaces) return DOCTYPE + '<node>\n' + children.map((c) => `  <node name="${c}"/>\n`).join('') + '</node>\n';
  let x = DOCTYPE + '<node>' + interfaceXml(INTROSPECTABLE_DEF);
  if (path === '/') x += interfaceXml(OBJECT_MANAGER_DEF);
  for (const d of ifaces.values()) x += interfaceXml(d);
  return x + children.map((c) => `<node name="${c}"/>`).join('') + '</node>';
}

/** Thrown by an exported handler to answer with an error outside net.connman.Error (an agent's Retry). */
export class ReplyError extends Error {
  constructor(readonly errorName: string, message: string) { super(message); }
}

/** A method call to another peer failed: `errorName` is the D-Bus error name it answered with. */
export class RemoteCallError extends Error {
  constructor(readonly errorName: string, message: string) { super(`${errorName}: ${message}`); }
}

/** Which signals to receive; fields left out match anything. */
export interface SignalMatch {
  /** A unique name is also checked here; a well-known name only by the bus daemon's match rule. */
  sender?: string;
  path?: string;
  pathNamespace?: string;
  interface?: string;
  member?: string;
  arg0?: string;
}

export interface ReceivedSignal {
  sender: string;
  path: string;
  interface: string;
  member: string;
  body: unknown[];
}

function matchRule(m: SignalMatch): string {
  const q = (v: string) => `'${v.replace(/'/g, "'\\''")}'`;
  const parts = ["type='signal'"];
  if (m.sender) parts.push(`sender=${q(m.sender)}`);
  if (m.path) parts.push(`path=${q(m.path)}`);
  if (m.pathNamespace) parts.push(`path_namespace=${q(m.pathNamespace)}`);
  if (m.interface) parts.push(`interface=${q(m.interface)}`);
  if (m.member) parts.push(`member=${q(m.member)}`);
  if (m.arg0 !== undefined) parts.push(`arg0=${q(m.arg0)}`);
  return parts.join(',');
}

function signalMatches(m: SignalMatch, msg: dbus.Message): boolean {
  if (m.sender?.startsWith(':') && msg.sender !== m.sender) return false;
  if (m.path && msg.path !== m.path) return false;
  if (m.pathNamespace && m.pathNamespace !== '/' && msg.path !== m.pathNamespace && !msg.path?.startsWith(m.pathNamespace + '/')) return false;
  if (m.interface && msg.interface !== m.interface) return false;
  if (m.member && msg.member !== m.member) return false;
  if (m.arg0 !== undefined && (msg.body ?? [])[0] !== m.arg0) return false;
  return true;
}

const SIGNAL = dbus.MessageType.SIGNAL as unknown as number;

const DISCONNECTED = 'org.freedesktop.DBus.Error.Disconnected';

async function open(address?: string): Promise<dbus.MessageBus> {
  const conn = address ? dbus.sessionBus({ busAddress: address }) : dbus.systemBus();
  await new Promise<void>((resolve, reject) => {
    conn.once('connect', () => resolve());
    conn.once('error', (e: Error) => {
      reject(e);
      conn.disconnect();
    });
  });
  return conn;
}

export class Bus {
  private objects = new Map<string, Map<string, InterfaceDef>>();
  private subscriptions = new Set<{ match: SignalMatch; fn: (s: ReceivedSignal) => void }>();
  private ownedName?: string;
  private connected = true;
  /** rejecters of calls in flight: a lost bus never answers them */
  private inFlight = new Set<(e: Error) => void>();
  private lostListeners: ((why: Error) => void)[] = [];

  private constructor(private conn: dbus.MessageBus, private readonly address?: string) {
    this.attach(conn);
  }

  /** Connects to the system bus (DBUS_SYSTEM_BUS_ADDRESS honoured) or to an explicit address. */
  static async connect(address?: string): Promise<Bus> {
    return new Bus(await open(address), address);
  }

  private attach(conn: dbus.MessageBus): void {
    conn.addMethodHandler((msg: dbus.Message) => this.dispatch(msg));
    if (this.subscriptions.size > 0) conn.on('message', this.onMessage);
    // dbus-next reports a closed socket only on the next write; the stream says it at once.
    const stream = (conn as unknown as { _connection: { stream: NodeJS.EventEmitter } })._connection.stream;
    stream.once('close', () => this.lost(conn, new Error('the bus closed the connection')));
    conn.on('error', (e: Error) => {
      if ((stream as unknown as { destroyed?: boolean }).destroyed) this.lost(conn, e);
      else process.stderr.write(`switchyardd: D-Bus: ${e.message}\n`);
    });
  }

  private lost(conn: dbus.MessageBus, why: Error): void {
    if (conn !== this.conn || !this.connected) return;
    this.connected = false;
    for (const reject of [...this.inFlight]) reject(new RemoteCallError(DISCONNECTED, why.message));
    this.inFlight.clear();
    for (const fn of this.lostListeners) fn(why);
  }

  /** True while the connection to the bus daemon is up. */
  get isConnected(): boolean { return this.connected; }

  /** Called once each time the connection to the bus daemon is lost (say, dbus-daemon restarted). */
  onLost(fn: (why: Error) => void): void { this.lostListeners.push(fn); }

  /**
   * Opens a new connection to the same bus after a loss and puts back what peers saw of us: the
   * well-known name (false when another peer owns it now), our match rules and, since the object
   * table lives here, every exported object. Rejects when the bus cannot be reached yet.
   */
  async reconnect(): Promise<boolean> {
    if (this.connected) return true;
    const conn = await open(this.address);
    this.conn = conn;
    this.attach(conn);
    this.connected = true;
    if (this.ownedName && !(await this.requestName(this.ownedName))) return false;
    for (const sub of this.subscriptions) {
      await this.call('org.freedesktop.DBus', '/org/freedesktop/DBus', 'org.freedesktop.DBus', 'AddMatch', 's', [matchRule(sub.match)]);
    }
    return true;
  }

  /** Takes `name` without queueing; false when someone else has it. */
  async requestName(name: string): Promise<boolean> {
    const r = await this.conn.requestName(name, dbus.NameFlag.DO_NOT_QUEUE);
    if (r === dbus.RequestNameReply.PRIMARY_OWNER || r === dbus.RequestNameReply.ALREADY_OWNER) {
      this.ownedName = name;
      return true;
    }
    return false;
  }

  async releaseName(): Promise<void> {
    if (this.ownedName) await this.conn.releaseName(this.ownedName);
    this.ownedName = undefined;
  }

  disconnect(): void {
    this.connected = false;
    this.conn.disconnect();
  }

  // ---- client side: calling other peers (wpa_supplicant, iwd, ...) and receiving their signals ----

  /** Our unique name on the bus. */
  get uniqueName(): string { return (this.conn as unknown as { name: string }).name; }

  /** A Variant for an a{sv} value; plugins build dictionaries without importing dbus-next. */
  variant(signature: string, value: unknown): Variant { return new dbus.Variant(signature, value); }

  /** Calls a method on another peer; resolves with the reply body, rejects with RemoteCallError. */
  async call(destination: string, path: string, iface: string, member: string, signature = '', body: unknown[] = []): Promise<unknown[]> {
    const msg = new dbus.Message({ destination, path, interface: iface, member, signature, body });
    if (!this.connected) throw new RemoteCallError(DISCONNECTED, 'not connected to the bus');
    let reject!: (e: Error) => void;
    const gone = new Promise<never>((_, r) => { reject = r; });
    this.inFlight.add(reject);
    try {
      const reply = await Promise.race([this.conn.call(msg), gone]);
      return reply?.body ?? [];
    } catch (e) {
      if (e instanceof dbus.DBusError) throw new RemoteCallError(e.type, e.text);
      throw e;
    } finally {
      this.inFlight.delete(reject);
    }
  }

  /** A method call with NO_REPLY_EXPECTED set (Agent.Release, Agent.Cancel): nothing comes back. */
  send(destination: string, path: string, iface: string, member: string, signature = '', body: unknown[] = []): void {
    if (!this.connected) return;
    this.conn.send(new dbus.Message({ destination, path, interface: iface, member, signature, body, flags: NO_REPLY_EXPECTED }));
  }

  /** Receives signals matching `match` until the returned function is called. */
  async subscribe(match: SignalMatch, fn: (s: ReceivedSignal) => void): Promise<() => Promise<void>> {
    if (this.subscriptions.size === 0) this.conn.on('message', this.onMessage);
    const sub = { match, fn };
    this.subscriptions.add(sub);
    const rule = matchRule(match);
    await this.call('org.freedesktop.DBus', '/org/freedesktop/DBus', 'org.freedesktop.DBus', 'AddMatch', 's', [rule]);
    return async () => {
      if (!this.subscriptions.delete(sub)) return;
      if (this.subscriptions.size === 0) this.conn.off('message', this.onMessage);
      await this.call('org.freedesktop.DBus', '/org/freedesktop/DBus', 'org.freedesktop.DBus', 'RemoveMatch', 's', [rule])
        .catch(() => undefined); // the connection may be gone already
    };
  }

  /** The unique name owning `name` now, or undefined when nobody does. */
  async nameOwner(name: string): Promise<string | undefined> {
    try {
      const [owner] = await this.call('org.freedesktop.DBus', '/org/freedesktop/DBus', 'org.freedesktop.DBus', 'GetNameOwner', 's', [name]);
      return owner as string;
    } catch (e) {
      if (e instanceof RemoteCallError && e.errorName === 'org.freedesktop.DBus.Error.NameHasNoOwner') return undefined;
      throw e;
    }
  }

  private onMessage = (msg: dbus.Message): void => {
    if ((msg.type as unknown as number) !== SIGNAL) return;
    const s: ReceivedSignal = { sender: msg.sender, path: msg.path, interface: msg.interface, member: msg.member, body: msg.body ?? [] };
    for (const sub of [...this.subscriptions]) {
      if (!signalMatches(sub.match, msg)) continue;
      try { sub.fn(s); } catch (e) {
        process.stderr.write(`switchyardd: signal handler for ${s.interface}.${s.member} failed: ${(e as Error)?.stack ?? e}\n`);
      }
    }
  };

  /** Registers interfaces at a path; "/" also carries ObjectManager, which announces later objects. */
  export(path: string, defs: InterfaceDef[]): void {
    const ifaces = this.objects.get(path) ?? new Map<string, InterfaceDef>();
    for (const d of defs) ifaces.set(d.name, d);
    this.objects.set(path, ifaces);
    if (path !== '/') {
      const dict: Record<string, Record<string, Variant>> = {};
      for (const d of defs) dict[d.name] = {};
      this.signal('/', OBJECT_MANAGER, 'InterfacesAdded', 'oa{sa{sv}}', [path, dict]);
    }
  }

  unexport(path: string): void {
    const ifaces = this.objects.get(path);
    if (!ifaces) return;
    this.objects.delete(path);
    if (path !== '/') this.signal('/', OBJECT_MANAGER, 'InterfacesRemoved', 'oas', [path, [...ifaces.keys()]]);
  }

  signal(path: string, iface: string, name: string, signature: string, body: unknown[]): void {
    // Without a bus nobody can hear it; clients read state afresh when we are back on the bus.
    if (!this.connected) return;
    this.conn.send(dbus.Message.newSignal(path, iface, name, signature, body));
  }

  /** The introspection document for any path (ours or a parent of ours). */
  introspect(path: string): string { return introspectXml(this.objects, path); }

  private isNode(path: string): boolean {
    if (this.objects.has(path)) return true;
    const prefix = path === '/' ? '/' : path + '/';
    for (const p of this.objects.keys()) if (p.startsWith(prefix)) return true;
    return false;
  }

  private dispatch(msg: dbus.Message): boolean {
    const path = msg.path;
    const sig = msg.signature ?? '';
    // libdbus introspects any path, known or not, as a bare node listing what lies below it
    if (msg.interface === INTROSPECTABLE && msg.member === 'Introspect' && sig === '') {
      this.reply(msg, 's', [this.introspect(path)]);
      return true;
    }
    if (!this.isNode(path)) {
      // libdbus answers any other call on a path that is neither an object nor a parent of one with
      // UnknownObject and its "doesn't exist" text (newline included); the Peer interface is served on
      // every path (dbus-next does that when we decline).
      if (msg.interface === 'org.freedesktop.DBus.Peer') return false;
      if (!((msg.flags ?? 0) & NO_REPLY_EXPECTED)) {
        const newError = dbus.Message.newError as unknown as (m: dbus.Message, name: string, text: string) => dbus.Message;
        this.conn.send(newError(msg, 'org.freedesktop.DBus.Error.UnknownObject',
          `Method "${msg.member}" with signature "${sig}" on interface "${msg.interface ?? '(null)'}" doesn't exist\n`));
      }
      return true;
    }
    if (path === '/' && msg.interface === OBJECT_MANAGER && msg.member === 'GetManagedObjects' && sig === '') {
      const out: Record<string, Record<string, Record<string, Variant>>> = {};
      for (const [p, ifaces] of this.objects) {
        if (p === '/') continue;
        out[p] = {};
        for (const n of ifaces.keys()) out[p][n] = {};
      }
      this.reply(msg, 'a{oa{sa{sv}}}', [out]);
      return true;
    }
    const ifaces = this.objects.get(path);
    if (!ifaces) return false;
    let method: MethodDef | undefined;
    if (msg.interface) method = ifaces.get(msg.interface)?.methods.find((m) => m.name === msg.member);
    else for (const d of ifaces.values()) { method = d.methods.find((m) => m.name === msg.member); if (method) break; }
    // gdbus matches name and signature together; anything else is "unknown method".
    if (!method || method.in.map((a) => a.type).join('') !== sig) return false;
    const m = method;
    const ctx: CallContext = { sender: msg.sender };
    Promise.resolve()
      .then(() => m.handler(msg.body ?? [], ctx))
      .then((out) => this.reply(msg, m.out.map((a) => a.type).join(''), out))
      .catch((e) => this.replyError(msg, e));
    return true;
  }

  private reply(msg: dbus.Message, signature: string, body: unknown[]): void {
    if ((msg.flags ?? 0) & NO_REPLY_EXPECTED) return;
    this.conn.send(dbus.Message.newMethodReturn(msg, signature, body));
  }

  private replyError(msg: dbus.Message, e: unknown): void {
    if ((msg.flags ?? 0) & NO_REPLY_EXPECTED) return;
    const newError = dbus.Message.newError as unknown as (m: dbus.Message, name: string, text: string) => dbus.Message;
    if (e instanceof ConnmanError) {
      this.conn.send(newError(msg, `net.connman.Error.${e.errorName}`, e.message));
    } else if (e instanceof ReplyError) {
      this.conn.send(newError(msg, e.errorName, e.message));
    } else {
      process.stderr.write(`switchyardd: ${msg.interface}.${msg.member} failed: ${(e as Error)?.stack ?? e}\n`);
      this.conn.send(newError(msg, 'net.connman.Error.Failed', 'Input/output error'));
    }
  }
}
