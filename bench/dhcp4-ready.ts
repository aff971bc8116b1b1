// Link up to address applied, connmand 1.41 against Switchyard: in one lab per daemon, Technology
// `ethernet` Powered false -> true, timed from the SetProperty call to the wired service's State
// PropertyChanged to ready (address and default route applied). Runs interleave the two daemons.
// Usage: node dist/bench/dhcp4-ready.js [--runs N] [--no-write]
import * as dbus from '@particle/dbus-next';
import { Lab, DaemonKind } from '../test/harness';
import { Bench, fmt, machine, ratio, standalone, stats, Stats } from './lib';

const TECH = '/net/connman/technology/ethernet';

interface Rig { kind: DaemonKind; lab: Lab; bus: dbus.MessageBus; state: string }

async function setup(kind: DaemonKind): Promise<Rig> {
  // --no-ping: dnsmasq otherwise probes each new address for ~3 s before offering it, which would
  // swamp what is measured here (the client's own cost) for both daemons.
  const lab = await Lab.create({ dnsmasqArgs: ['--no-ping'] });
  const bus = dbus.sessionBus({ busAddress: lab.busAddress });
  const rig: Rig = { kind, lab, bus, state: '' };
  try {
    await lab.startDaemon(kind, [], 30_000);
    await lab.waitForWiredReady({ timeoutMs: 30_000 });
    const path = `/net/connman/service/${lab.serviceId}`;
    await bus.call(new dbus.Message({
      destination: 'org.freedesktop.DBus', path: '/org/freedesktop/DBus', interface: 'org.freedesktop.DBus',
      member: 'AddMatch', signature: 's',
      body: [`type='signal',interface='net.connman.Service',member='PropertyChanged',path='${path}'`],
    }));
    // A daemon may also drop the service object while powered off and announce it again, State
    // included, through ServicesChanged: that counts as the same state change.
    await bus.call(new dbus.Message({
      destination: 'org.freedesktop.DBus', path: '/org/freedesktop/DBus', interface: 'org.freedesktop.DBus',
      member: 'AddMatch', signature: 's',
      body: ["type='signal',interface='net.connman.Manager',member='ServicesChanged'"],
    }));
    bus.on('message', (m: dbus.Message) => {
      if (m.member === 'ServicesChanged') {
        for (const [p, props] of m.body[0] as [string, Record<string, dbus.Variant>][]) {
          if (p === path && props.State) rig.state = props.State.value as string;
        }
      }
      if (m.path === path && m.member === 'PropertyChanged' && m.body[0] === 'State') rig.state = m.body[1].value;
    });
    return rig;
  } catch (e) {
    bus.disconnect();
    await lab.teardown();
    throw e;
  }
}

function setPowered(r: Rig, on: boolean): Promise<unknown> {
  return r.bus.call(new dbus.Message({
    destination: 'net.connman', path: TECH, interface: 'net.connman.Technology', member: 'SetProperty',
    signature: 'sv', body: ['Powered', new dbus.Variant('b', on)],
  }));
}

async function until(what: string, ok: () => boolean, timeoutMs: number): Promise<void> {
  const end = performance.now() + timeoutMs;
  while (!ok()) {
    if (performance.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 2));
  }
}

/** One Powered false -> true cycle; returns ms from the Powered true call to State ready. */
async function cycle(r: Rig): Promise<number> {
  await setPowered(r, false);
  await until(`${r.kind} service idle`, () => r.state === 'idle' || r.state === 'disconnect', 15_000);
  await r.lab.waitUntil(async () => (await r.lab.nearAddress()) === undefined, { timeoutMs: 15_000 });
  await new Promise((res) => setTimeout(res, 300)); // let the RELEASE and link-down settle
  r.state = '';
  const t0 = performance.now();
  await setPowered(r, true);
  await until(`${r.kind} service ready`, () => r.state === 'ready' || r.state === 'online', 60_000);
  return performance.now() - t0;
}

export async function benchDhcp4Ready(runs: number): Promise<Record<DaemonKind, Stats>> {
  const rigs: Rig[] = [];
  const samples: Record<DaemonKind, number[]> = { connmand: [], switchyard: [] };
  try {
    for (const kind of ['connmand', 'switchyard'] as const) rigs.push(await setup(kind));
    for (let i = 0; i < runs; i++) {
      for (const r of rigs) {
        const ms = await cycle(r);
        samples[r.kind].push(ms);
        process.stderr.write(`${r.kind} run ${i + 1}: Powered true -> ready ${ms.toFixed(0)} ms\n`);
      }
    }
  } finally {
    for (const r of rigs) {
      r.bus.disconnect();
      await r.lab.teardown();
    }
  }
  return { connmand: stats(samples.connmand), switchyard: stats(samples.switchyard) };
}

export function dhcp4Markdown(r: Record<DaemonKind, Stats>, runs: number): string {
  return `## DHCPv4: Technology Powered false -> true until the service is ready

\`npm run bench:dhcp\` (bench/dhcp4-ready.ts): ${runs} cycles per daemon, interleaved, one lab per daemon (one veth
uplink, dnsmasq with \`--no-ping\`, private bus). Timed from the \`SetProperty Powered true\` call on
\`${TECH}\` to the wired service's \`State\` \`ready\` (its PropertyChanged, or ServicesChanged). Powered false
makes both daemons send DHCPRELEASE, so every cycle is a full DISCOVER/OFFER/REQUEST/ACK against a server that has
forgotten the client. In dnsmasq's log connmand's first DHCPDISCOVER leaves about 5 s after Powered true; Switchyard's
leaves as the link comes up, so its time is the two exchanges plus applying address and routes. Lower is better;
the ratio is connmand ÷ Switchyard (above 1× Switchyard is faster).

| figure | connmand 1.41 | Switchyard | ratio |
|---|---|---|---|
| Powered true → service ready (ms) | ${fmt(r.connmand, 0)} | ${fmt(r.switchyard, 0)} | ${ratio(r.connmand, r.switchyard)} |

Machine: ${machine()}.`;
}

export const bench: Bench = {
  id: 'dhcp4-ready',
  async run({ runs = 7 }) { return dhcp4Markdown(await benchDhcp4Ready(runs), runs); },
};

if (require.main === module) standalone(bench);
