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

export interface DbusClient {
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
