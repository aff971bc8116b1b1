// Runs INSIDE a network namespace created by platform-native.test.ts (`ip netns exec <ns> node this
// <mode>`), drives the native Platform against the real kernel and prints one JSON object with what
// it observed. It must end on its own: a lingering libuv handle after stop() would keep it alive and
// the parent reports that as a timeout.
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { createNativePlatform } from '../../ts/platform/native';
import { PlatformError, type AddressEvent, type Dhcp4Event, type LinkEvent } from '../../ts/platform/types';

const IFF_UP = 0x1;

function sh(...argv: string[]): string {
  return execFileSync(argv[0], argv.slice(1), { encoding: 'utf8' });
}

function waitFor<T>(seen: T[], pred: (ev: T) => boolean, what: string, ms = 5000): Promise<T> {
  return new Promise((resolve, reject) => {
    const deadline = Date.now() + ms;
    const tick = (): void => {
      const hit = seen.find(pred);
      if (hit !== undefined) return resolve(hit);
      if (Date.now() > deadline) return reject(new Error(`timed out waiting for ${what}`));
      setTimeout(tick, 20);
    };
    tick();
  });
}

function waitUntil(cond: () => boolean, what: string, ms: number): Promise<void> {
  return waitFor([0], () => cond(), what, ms).then(() => undefined);
}

async function errnoOf(p: Promise<void> | (() => void)): Promise<number | string> {
  try {
    if (typeof p === 'function') p();
    else await p;
    return 'no error';
  } catch (e) {
    return e instanceof PlatformError ? e.errno : `not a PlatformError: ${String(e)}`;
  }
}

// A forged RTM_NEWLINK for a link that does not exist, sent from userspace (nl_pid != 0) both
// unicast to the monitor's port and to the RTNLGRP_LINK multicast group: CVE-2012-2320's shape.
const SPOOFER = `
import socket, struct, sys
port = int(sys.argv[1])
name = b"spoof0\\0"
attr = struct.pack("HH", 4 + len(name), 3) + name          # IFLA_IFNAME
attr += b"\\0" * ((4 - len(attr) % 4) % 4)
body = struct.pack("BxHiII", 0, 1, 4242, 0x41, 0xffffffff) + attr  # ifinfomsg: ether, idx 4242, UP|RUNNING
msg = struct.pack("IHHII", 16 + len(body), 16, 0, 0, 0) + body     # RTM_NEWLINK
s = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, socket.NETLINK_ROUTE)
s.bind((0, 0))
sent = 0
for dest in ((port, 0), (0, 1)):                                 # unicast, then group RTNLGRP_LINK
    s.sendto(msg, dest)
    sent += 1
print(sent)
`;

async function netlinkScenario(): Promise<Record<string, unknown>> {
  const platform = createNativePlatform();
  const nl = platform.netlink;
  const links: LinkEvent[] = [];
  const addrs: AddressEvent[] = [];
  nl.onLink((ev) => links.push(ev));
  // The listener's picture of the kernel, as core would keep it: index -> name.
  const view = new Map<number, string>();
  nl.onLink((ev) => (ev.type === 'new' ? view.set(ev.link.index, ev.link.name) : view.delete(ev.link.index)));
  nl.onAddress((ev) => addrs.push(ev));
  const out: Record<string, unknown> = {};

  out.nowStart = platform.now();
  out.dump = nl.start();
  for (const l of out.dump as { index: number; name: string }[]) view.set(l.index, l.name);

  sh('ip', 'link', 'add', 'sy-veth0', 'type', 'veth', 'peer', 'name', 'sy-veth1');
  const created = await waitFor(links, (e) => e.type === 'new' && e.link.name === 'sy-veth0', 'veth link event');
  out.vethEvent = created;
  const index = created.link.index;
  const peer = await waitFor(links, (e) => e.link.name === 'sy-veth1', 'peer link event');

  await nl.setLinkUp(index, true);
  out.upEvent = await waitFor(links, (e) => e.link.index === index && (e.link.flags & IFF_UP) !== 0, 'up event');
  links.length = 0; // so the down wait cannot match the state from before the up
  await nl.setLinkUp(index, false);
  out.downEvent = await waitFor(
    links,
    (e) => e.link.index === index && (e.link.flags & IFF_UP) === 0,
    'down event',
  );
  out.ipLinkAfterDown = sh('ip', '-o', 'link', 'show', 'dev', 'sy-veth0');
  await nl.setLinkUp(index, true);
  await nl.setLinkUp(peer.link.index, true);

  const spec = { index, family: 4 as const, address: '10.77.0.2', prefixLength: 24, broadcast: '10.77.0.255' };
  await nl.addAddress({ ...spec, validLifetime: 3600, preferredLifetime: 1800 });
  out.addrNewEvent = await waitFor(addrs, (e) => e.type === 'new' && e.address.address === '10.77.0.2', 'address event');
  out.ipAddrAfterAdd = sh('ip', '-4', 'addr', 'show', 'dev', 'sy-veth0');
  out.listAddresses = nl.listAddresses(index, 4);
  out.duplicateAddressErrno = await errnoOf(nl.addAddress(spec));
  out.noDeviceErrno = await errnoOf(nl.setLinkUp(999999, true));
  out.badAddressErrno = await errnoOf(nl.addAddress({ ...spec, address: '10.77.0.999' }));

  const route = { family: 4 as const, dst: '', prefixLength: 0, gateway: '10.77.0.1', oif: index, metric: 100 };
  await nl.addRoute(route);
  out.ipRouteAfterAdd = sh('ip', '-4', 'route', 'show');
  await nl.addRoute(route); // NLM_F_REPLACE: adding the same route again is not an error
  out.ipRouteAfterReplace = sh('ip', '-4', 'route', 'show');
  await nl.addRoute({ family: 4, dst: '192.168.50.0', prefixLength: 24, oif: index, scope: 253, prefsrc: '10.77.0.2', table: 100 });
  out.ipRouteTable100 = sh('ip', '-4', 'route', 'show', 'table', '100');
  await nl.delRoute(route);
  out.ipRouteAfterDel = sh('ip', '-4', 'route', 'show');
  out.delMissingRouteErrno = await errnoOf(nl.delRoute(route));

  await nl.delAddress(spec);
  out.addrDelEvent = await waitFor(addrs, (e) => e.type === 'del' && e.address.address === '10.77.0.2', 'address del event');
  out.ipAddrAfterDel = sh('ip', '-4', 'addr', 'show', 'dev', 'sy-veth0');

  // Spoofing: forge, then cause a real change and wait for it. A netlink socket queue is ordered,
  // so once the real event is here the forged ones have been read (and must have been dropped).
  const { portId } = nl.diagnostics();
  out.spoofSent = Number(sh('python3', '-c', SPOOFER, String(portId)).trim());
  sh('ip', 'link', 'set', 'sy-veth1', 'mtu', '1400');
  await waitFor(links, (e) => e.link.name === 'sy-veth1' && e.link.mtu === 1400, 'mtu event');
  out.spoofReported = links.some((e) => e.link.name === 'spoof0' || e.link.index === 4242);
  out.diagnostics = nl.diagnostics();

  // Burst: links made and removed while the JS loop is blocked (execFileSync), so events pile up
  // in the socket beyond its buffer; after a resync the listener's view must still match the kernel.
  const kernelNames = (): string[] =>
    sh('ip', '-o', 'link', 'show').split('\n').filter(Boolean).map((l) => l.split(': ')[1].split('@')[0]).sort();
  const viewNames = (): string[] => [...view.values()].sort();
  const batch = path.join(os.tmpdir(), `sy-burst-${process.pid}`);
  const N = 600; // veth pairs (the dummy driver may be absent): 1200 links
  fs.writeFileSync(batch, Array.from({ length: N }, (_, i) => `link add sy-b${i} group 7 type veth peer name sy-c${i}\n`).join(''));
  try {
    sh('ip', '-batch', batch);
  } finally {
    fs.rmSync(batch, { force: true });
  }
  await waitUntil(() => viewNames().join() === kernelNames().join(), 'view after burst add', 10000);
  out.burstAddConsistent = viewNames().filter((n) => /^sy-[bc]\d/.test(n)).length === 2 * N;
  out.overrunsAfterAdd = nl.diagnostics().overruns;
  sh('ip', 'link', 'del', 'group', '7'); // one kernel operation: fast, and a burst of RTM_DELLINK
  await waitUntil(() => viewNames().join() === kernelNames().join(), 'view after burst del', 10000);
  out.burstDelConsistent = !viewNames().some((n) => /^sy-[bc]\d/.test(n));
  out.burstDiagnostics = nl.diagnostics();

  sh('ip', 'link', 'del', 'sy-veth0');
  out.delEvent = await waitFor(links, (e) => e.type === 'del' && e.link.name === 'sy-veth0', 'link del event');
  out.nowEnd = platform.now();
  nl.stop();
  return out;
}

// The DHCP server (dnsmasq) runs in a second namespace on the other end of a veth pair the parent
// made; here we only run the client on our end and report what it was granted.
async function dhcpScenario(ifname: string): Promise<Record<string, unknown>> {
  const platform = createNativePlatform();
  const link = platform.netlink.listLinks().find((l) => l.name === ifname);
  if (!link) throw new Error(`no link ${ifname}`);
  await platform.netlink.setLinkUp(link.index, true);
  const out: Record<string, unknown> = {};
  let client;
  try {
    client = platform.createDhcp4Client({ ifindex: link.index, ifname, mac: link.mac, hostname: 'switchyard-test' });
  } catch (e) {
    out.createError = { errno: (e as PlatformError).errno, message: (e as Error).message };
    return out;
  }
  const events: Dhcp4Event[] = [];
  client.onEvent((ev) => events.push(ev));
  client.start();
  out.stateAfterStart = client.state;
  out.bound = await waitFor(events, (e) => e.type === 'bound', 'DHCP bound', 20000);
  out.stateBound = client.state;
  // As core would: apply the lease, so the release can go out unicast from the leased address.
  const lease = (out.bound as Extract<Dhcp4Event, { type: 'bound' }>).lease;
  await platform.netlink.addAddress({
    index: link.index, family: 4, address: lease.address, prefixLength: lease.prefixLength, broadcast: lease.broadcast,
  });
  out.ipAddrBound = sh('ip', '-4', 'addr', 'show', 'dev', ifname);
  client.stop(true);
  out.stopped = await waitFor(events, (e) => e.type === 'stopped', 'DHCP stopped', 5000).catch(() => null);
  out.stateAfterStop = client.state;
  return out;
}

async function main(): Promise<void> {
  const mode = process.argv[2];
  try {
    const result = mode === 'dhcp' ? await dhcpScenario(process.argv[3]) : await netlinkScenario();
    process.stdout.write(JSON.stringify({ ok: true, result }) + '\n');
  } catch (e) {
    process.stdout.write(JSON.stringify({ ok: false, error: (e as Error).stack ?? String(e) }) + '\n');
    // A failed scenario leaves the monitor or client running (that keeps the loop alive, by design).
    process.exit(1);
  }
}

void main();
