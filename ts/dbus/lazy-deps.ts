// Defers dbus-next's heavier dependencies until they are used, which in the daemon is never or seldom:
// xml2js (+ xmlbuilder, sax) serve dbus-next's own introspection and its proxy objects (we generate
// introspection ourselves and call peers by message), jsbi is for Node without BigInt, crypto is for
// DBUS_COOKIE_SHA1 authentication (the system bus takes EXTERNAL), long only for 64-bit integers read
// from the wire. Together they cost about 2 MiB of memory at start (bench/startup.ts, BENCHMARKS.md).
// Must be imported before @particle/dbus-next (bus.ts does). The hook applies only to requires made by
// dbus-next's own files, and only for the names below; everything else loads as usual.
import Module = require('node:module');
import * as path from 'node:path';

const DEFERRED = new Set(['xml2js', 'jsbi', 'long', 'crypto']);

type Real = Record<PropertyKey, unknown> & ((...a: unknown[]) => unknown) & (new (...a: unknown[]) => object);

/**
 * A stand-in that loads the module on first use: reading any property, calling, constructing.
 * With `deferClasses`, `new mod.Class(...)` loads nothing yet either: the instance is made when one of
 * its properties is first read (dbus-next builds an xml2js.Builder per connection and uses it only to
 * introspect its own service objects, which we never export).
 */
function lazy(load: () => unknown, deferClasses = false): unknown {
  let real: Real | undefined;
  const get = () => (real ??= load() as Real);
  return new Proxy(function deferred() { /* only a target: every trap forwards to the real module */ }, {
    get: (_t, key) => (deferClasses && typeof key === 'string' && /^[A-Z]/.test(key) ? deferredClass(() => get()[key] as Real) : get()[key]),
    has: (_t, key) => key in get(),
    apply: (_t, self, args) => Reflect.apply(get(), self, args),
    construct: (_t, args) => Reflect.construct(get(), args),
  });
}

function deferredClass(cls: () => Real): unknown {
  return new Proxy(function deferred() { /* only a target */ }, {
    get: (_t, key) => cls()[key],
    construct: (_t, args) => {
      let inst: Record<PropertyKey, unknown> | undefined;
      const get = () => (inst ??= Reflect.construct(cls(), args) as Record<PropertyKey, unknown>);
      return new Proxy({}, {
        get: (_o, key) => {
          const v = get()[key];
          return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(get()) : v;
        },
        set: (_o, key, value) => { get()[key] = value; return true; },
        has: (_o, key) => key in get(),
      });
    },
  });
}

let installed = false;

export function deferDbusNextDependencies(): void {
  if (installed) return;
  installed = true;
  const dbusNextDir = path.dirname(require.resolve('@particle/dbus-next/package.json')) + path.sep;
  const m = Module as unknown as { _load(request: string, parent: { filename?: string } | undefined, isMain: boolean): unknown };
  const load = m._load;
  m._load = function (request, parent, isMain) {
    if (DEFERRED.has(request) && parent?.filename?.startsWith(dbusNextDir)) {
      return lazy(() => load.call(this, request, parent, isMain), request === 'xml2js');
    }
    return load.call(this, request, parent, isMain);
  };
}

deferDbusNextDependencies();
