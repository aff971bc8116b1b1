// What the Wi-Fi plugin needs from a D-Bus connection. ts/dbus/bus.ts's Bus provides it; the plugin
// takes it as a constructor parameter so it never imports the D-Bus layer, and tests can hand in a fake.

/** A value in an a{sv} dictionary as dbus-next delivers it. */
export interface VariantLike { signature: string; value: unknown }

export interface SignalLike {
  sender: string;
  path: string;
  interface: string;
  member: string;
  body: unknown[];
}

export interface SignalFilter {
  sender?: string;
  path?: string;
  pathNamespace?: string;
  interface?: string;
  member?: string;
  arg0?: string;
}

/** An object the plugin serves (iwd's agent), in the shape ts/dbus/bus.ts exports. */
export interface ServedInterface {
  name: string;
  methods: { name: string; in: { name: string; type: string }[]; out: { name: string; type: string }[];
    handler(args: unknown[], ctx: { sender: string }): unknown[] | Promise<unknown[]> }[];
  signals: { name: string; args: { name: string; type: string }[] }[];
}

export interface DbusClient {
  /** serve an object (only the iwd backend needs one: its agent) */
  export?(path: string, defs: ServedInterface[]): void;
  unexport?(path: string): void;
  call(destination: string, path: string, iface: string, member: string, signature?: string, body?: unknown[]): Promise<unknown[]>;
  subscribe(match: SignalFilter, fn: (s: SignalLike) => void): Promise<() => Promise<void>>;
  nameOwner(name: string): Promise<string | undefined>;
  variant(signature: string, value: unknown): VariantLike;
}

/** The D-Bus error name of a failed call (RemoteCallError carries one), or undefined. */
export function errorName(e: unknown): string | undefined {
  const n = (e as { errorName?: unknown } | null)?.errorName;
  return typeof n === 'string' ? n : undefined;
}

/** Unwraps an a{sv} dictionary into plain values. */
export function unwrap(dict: unknown): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (!dict || typeof dict !== 'object') return out;
  for (const [k, v] of Object.entries(dict as Record<string, unknown>)) {
    out[k] = v && typeof v === 'object' && 'signature' in v && 'value' in v ? (v as VariantLike).value : v;
  }
  return out;
}
