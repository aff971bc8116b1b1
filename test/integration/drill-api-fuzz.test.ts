// Fault drill: every method of every object Switchyard exports (found by introspection from "/") is
// called with random argument signatures, with the right signature and absurd values, on wrong paths
// and on wrong interfaces. Each call must be answered, by a reply or an error, and the daemon must
// live through all of them. Seeded: SY_DRILL_SEED repeats a run, SY_DRILL_CALLS sets calls per method.
import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import * as dbus from '@particle/dbus-next';
import { Lab } from '../harness';

const skip = process.getuid?.() !== 0 ? 'needs root for network namespaces' : false;
const SEED = Number(process.env.SY_DRILL_SEED ?? Date.now() % 1_000_000);
const CALLS = Number(process.env.SY_DRILL_CALLS ?? 12);

/** mulberry32: small, seedable, good enough to pick shapes */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const rand = rng(SEED);
const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)];

// Unix fds ('h') are left out: the bus rejects an 'h' without a passed descriptor before we see it.
const BASIC = ['y', 'b', 'n', 'q', 'i', 'u', 'x', 't', 'd', 's', 'o', 'g'];

function randomType(depth = 0): string {
  const r = rand();
  if (depth > 2 || r < 0.55) return pick(BASIC);
  if (r < 0.7) return 'v';
  if (r < 0.82) return `a${randomType(depth + 1)}`;
  if (r < 0.92) return `a{s${randomType(depth + 1)}}`;
  return `(${randomType(depth + 1)}${randomType(depth + 1)})`;
}

/** Splits a signature into its complete types. */
function splitSignature(sig: string): string[] {
  const out: string[] = [];
  let i = 0;
  const one = (): string => {
    const start = i;
    const c = sig[i++];
    if (c === 'a') one();
    else if (c === '(' || c === '{') {
      while (sig[i] !== (c === '(' ? ')' : '}')) one();
      i++;
    }
    return sig.slice(start, i);
  };
  while (i < sig.length) out.push(one());
  return out;
}

const ABSURD_STRINGS = ['', ' ', 'x'.repeat(65_536), '../../etc/passwd', 'a;reboot', '%s%n%x', '\u00ff\u{1F600}\u200b',
  'net.connman.Error.Failed', 'Powered', 'State', 'Nameservers.Configuration', 'ethernet', '-1', '9'.repeat(40)];
const ABSURD_PATHS = ['/', '/net/connman', '/net/connman/service/x', '/net/connman/technology/wifi', `/${'a'.repeat(255)}`, '/net/connman/service/_'];
const ABSURD_SIGS = ['', 'a{sv}', 'v', 'aaaaaaaai', '(((((s)))))'];

function value(type: string, depth = 0): unknown {
  const ints: Record<string, [number, number]> = { y: [0, 255], n: [-32768, 32767], q: [0, 65535], i: [-2147483648, 2147483647], u: [0, 4294967295] };
  switch (type[0]) {
    case 'b': return rand() < 0.5;
    case 'y': case 'n': case 'q': case 'i': case 'u': {
      const [lo, hi] = ints[type];
      return pick([lo, hi, 0, 1, Math.floor(lo + rand() * (hi - lo))]);
    }
    case 'x': return pick([-(2n ** 63n) + 1n /* dbus-next refuses the true minimum */, 2n ** 63n - 1n, 0n, -1n]);
    case 't': return pick([0n, 2n ** 64n - 1n, 1n, 2n ** 32n]);
    // NaN and the infinities are valid on the wire but dbus-next will not marshal them
    case 'd': return pick([0, -0, 1e308, -1e308, Number.MIN_VALUE, 0.5]);
    case 's': return pick(ABSURD_STRINGS);
    case 'o': return pick(ABSURD_PATHS);
    case 'g': return pick(ABSURD_SIGS);
    case 'v': {
      const inner = depth > 2 ? pick(BASIC) : randomType(depth + 1);
      return new dbus.Variant(inner, value(inner, depth + 1));
    }
    case 'a': {
      const n = pick([0, 1, 3, depth === 0 ? 300 : 2]);
      if (type[1] === '{') {
        const valueType = type.slice(3, -1);
        const dict: Record<string, unknown> = {};
        for (let k = 0; k < n; k++) dict[`${pick(ABSURD_STRINGS).slice(0, 64)}${k}`] = value(valueType, depth + 1);
        return dict;
      }
      return Array.from({ length: Math.min(n, 50) }, () => value(type.slice(1), depth + 1));
    }
    case '(': return splitSignature(type.slice(1, -1)).map((t) => value(t, depth + 1));
    default: throw new Error(`no generator for ${type}`);
  }
}

interface Method { path: string; iface: string; name: string; in: string }

/** Every node below "/" and its methods, parsed from the introspection XML (no XML library needed). */
async function discover(bus: dbus.MessageBus): Promise<Method[]> {
  const methods: Method[] = [];
  const queue = ['/'];
  while (queue.length) {
    const path = queue.shift()!;
    const reply = await bus.call(new dbus.Message({ destination: 'net.connman', path, interface: 'org.freedesktop.DBus.Introspectable', member: 'Introspect' }));
    const xml = reply!.body[0] as string;
    for (const m of xml.matchAll(/<node name="([^"]+)"/g)) queue.push(path === '/' ? `/${m[1]}` : `${path}/${m[1]}`);
    for (const im of xml.matchAll(/<interface name="([^"]+)">([\s\S]*?)<\/interface>/g)) {
      for (const mm of im[2].matchAll(/<method name="([^"]+)">([\s\S]*?)<\/method>/g)) {
        const ins = [...mm[2].matchAll(/<arg [^>]*type="([^"]+)"[^>]*direction="in"/g)].map((a) => a[1]).join('');
        methods.push({ path, iface: im[1], name: mm[1], in: ins });
      }
    }
  }
  return methods;
}

/** Calls that would reach past the lab: Clock.SetProperty sets the host's clock and time zone. */
function unsafe(m: Method, signature: string, body: unknown[]): boolean {
  return m.iface === 'net.connman.Clock' && m.name === 'SetProperty' && signature === 'sv'
    && ['Time', 'Timezone', 'TimeUpdates', 'TimezoneUpdates'].includes(body[0] as string);
}

describe('drill: every D-Bus method with wrong types, wrong paths and absurd values', { skip }, () => {
  let lab: Lab;
  let bus: dbus.MessageBus | undefined;
  after(async () => {
    bus?.disconnect();
    await lab?.teardown();
  });

  it(`is answered every time and the daemon lives (seed ${SEED})`, { timeout: 10 * 60_000 }, async () => {
    lab = await Lab.create({ dnsmasqArgs: ['--no-ping'] });
    const daemon = await lab.startDaemon('switchyard');
    await lab.waitForWiredReady();
    bus = dbus.sessionBus({ busAddress: lab.busAddress });
    const methods = await discover(bus);
    const paths = [...new Set(methods.map((m) => m.path))];
    assert.ok(paths.includes('/net/connman/technology/ethernet') && paths.some((p) => p.startsWith('/net/connman/service/')),
      `introspection found too little: ${paths.join(' ')}`);

    const counts = { calls: 0, replies: 0, errors: 0 };
    const errorNames = new Map<string, number>();
    const call = async (m: Method, path: string, iface: string | undefined, signature: string, body: unknown[], what: string) => {
      if (unsafe(m, signature, body)) return;
      counts.calls++;
      const msg = new dbus.Message({ destination: 'net.connman', path, interface: iface, member: m.name, signature, body });
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<'timeout'>((r) => { timer = setTimeout(() => r('timeout'), 20_000); });
      const answer = await Promise.race([bus!.call(msg).then(() => 'reply', (e: unknown) => e), timeout]);
      clearTimeout(timer);
      assert.notEqual(answer, 'timeout', `no answer to ${what}: ${iface}.${m.name}(${signature}) on ${path} (seed ${SEED})`);
      if (answer === 'reply') counts.replies++;
      else {
        assert.ok(answer instanceof dbus.DBusError, `${what}: not a D-Bus error: ${answer}`);
        counts.errors++;
        errorNames.set(answer.type, (errorNames.get(answer.type) ?? 0) + 1);
      }
      assert.ok(daemon.running, `the daemon died on ${what}: ${iface}.${m.name}(${signature}) on ${path}, seed ${SEED}:\n${lab.daemonLog().slice(-3000)}`);
    };

    for (const m of methods) {
      for (let k = 0; k < CALLS; k++) {
        const kind = k % 4;
        if (kind === 0) {
          // the right signature, absurd values
          const types = splitSignature(m.in);
          await call(m, m.path, m.iface, m.in, types.map((t) => value(t)), 'absurd values');
        } else if (kind === 1) {
          // a random signature of 0..3 arguments
          const types = Array.from({ length: Math.floor(rand() * 4) }, () => randomType());
          await call(m, m.path, m.iface, types.join(''), types.map((t) => value(t)), 'wrong types');
        } else if (kind === 2) {
          // a path that is not this object: absent, a parent, or another object
          const path = pick([...ABSURD_PATHS, ...paths]);
          const types = splitSignature(m.in);
          await call(m, path, m.iface, m.in, types.map((t) => value(t)), 'wrong path');
        } else {
          // no interface, or the wrong one
          const iface = pick([undefined, 'net.connman.Nope', 'org.freedesktop.DBus.Properties', pick(methods).iface]);
          await call(m, m.path, iface, m.in, splitSignature(m.in).map((t) => value(t)), 'wrong interface');
        }
      }
    }
    process.stderr.write(`drill: seed ${SEED}, ${methods.length} methods on ${paths.length} objects, ${counts.calls} calls: ` +
      `${counts.replies} replies, ${counts.errors} errors (${[...errorNames].map(([n, c]) => `${n} ${c}`).join(', ')})\n`);
    assert.ok(daemon.running, 'the daemon exited');
    const props = await bus.call(new dbus.Message({ destination: 'net.connman', path: '/', interface: 'net.connman.Manager', member: 'GetProperties' }));
    assert.ok(props?.body[0] && 'State' in (props.body[0] as object), 'Manager.GetProperties no longer answers');
    assert.doesNotMatch(lab.daemonLog(), /TypeError|RangeError|ReferenceError/, 'a handler threw a programming error');
  });
});
