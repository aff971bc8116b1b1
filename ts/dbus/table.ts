// One declarative table per ConnMan interface. GetProperties, SetProperty, PropertyChanged and the
// introspection all come from it, so a property's type, access and presence rule live in one place.
import { ConnmanError } from '../core/errors';
import { CallContext, InterfaceDef, MethodDef, SignalDef, Variant } from './bus';

export interface PropertyDef<T> {
  name: string;
  /** D-Bus signature of the value inside the variant */
  type: string;
  access: 'read' | 'readwrite';
  /** the value, or undefined when ConnMan leaves the key out of the dict */
  get(obj: T): unknown | undefined;
  /** value sent in PropertyChanged when get() says absent (e.g. Error clears with "") */
  cleared?: unknown;
  /** receives the already type-checked value */
  set?(obj: T, value: unknown, ctx: CallContext): void | Promise<void>;
}

export interface TableMethod<T> {
  name: string;
  in: { name: string; type: string }[];
  out: { name: string; type: string }[];
  deprecated?: boolean;
  handler(obj: T, args: unknown[], ctx: CallContext): unknown[] | Promise<unknown[]>;
}

export interface InterfaceTable<T> {
  name: string;
  /** adds GetProperties/SetProperty/PropertyChanged; deprecated GetProperties per ConnMan's tables */
  legacyProperties: { getPropertiesDeprecated: boolean; setProperty: boolean };
  properties: PropertyDef<T>[];
  methods: TableMethod<T>[];
  signals: SignalDef[];
}

export type PropertyDict = Record<string, Variant>;

/** The a{sv} dict of an object, in table order, leaving out absent keys. */
export function propertyDict<T>(table: InterfaceTable<T>, obj: T): PropertyDict {
  const d: PropertyDict = {};
  for (const p of table.properties) {
    const v = p.get(obj);
    if (v !== undefined) d[p.name] = new Variant(p.type, v);
  }
  return d;
}

/** The variant PropertyChanged carries for `name`, or undefined if this property cannot be signalled. */
export function changedValue<T>(table: InterfaceTable<T>, obj: T, name: string): Variant | undefined {
  const p = table.properties.find((x) => x.name === name);
  if (!p) return undefined;
  const v = p.get(obj);
  if (v !== undefined) return new Variant(p.type, v);
  if (p.cleared !== undefined) return new Variant(p.type, p.cleared);
  return undefined;
}

/** validate -> mutate through the property's setter. Unknown and read-only names are InvalidProperty. */
export async function setProperty<T>(table: InterfaceTable<T>, obj: T, name: unknown, value: unknown, ctx: CallContext): Promise<void> {
  const p = table.properties.find((x) => x.name === name);
  if (!p || p.access !== 'readwrite' || !p.set) throw new ConnmanError('InvalidProperty');
  const v = value as Variant;
  if (!(v instanceof Variant) || v.signature !== p.type) throw new ConnmanError('InvalidArguments');
  await p.set(obj, v.value, ctx);
}

export const PROPERTY_CHANGED: SignalDef = { name: 'PropertyChanged', args: [{ name: 'name', type: 's' }, { name: 'value', type: 'v' }] };

/** Binds a table to one object, producing what the bus exports. */
export function bindInterface<T>(table: InterfaceTable<T>, obj: T): InterfaceDef {
  const methods: MethodDef[] = [];
  methods.push({
    name: 'GetProperties', in: [], out: [{ name: 'properties', type: 'a{sv}' }],
    deprecated: table.legacyProperties.getPropertiesDeprecated,
    handler: () => [propertyDict(table, obj)],
  });
  if (table.legacyProperties.setProperty) {
    methods.push({
      name: 'SetProperty', in: [{ name: 'name', type: 's' }, { name: 'value', type: 'v' }], out: [],
      handler: async (args, ctx) => { await setProperty(table, obj, args[0], args[1], ctx); return []; },
    });
  }
  for (const m of table.methods) {
    methods.push({ name: m.name, in: m.in, out: m.out, deprecated: m.deprecated, handler: (args, ctx) => m.handler(obj, args, ctx) });
  }
  return { name: table.name, methods, signals: [...table.signals] };
}

// Helpers for dict-valued properties: a{sv} built from plain values with explicit types.
export function dict(entries: [string, string, unknown | undefined][]): PropertyDict {
  const d: PropertyDict = {};
  for (const [k, t, v] of entries) if (v !== undefined) d[k] = new Variant(t, v);
  return d;
}
