// main.conf AddressConflictDetection=true: the daemon probes a leased address before using it (RFC 5227)
// and, when another host answers for it, sends DHCPDECLINE (RFC 2131 4.4.1) instead of configuring it.
// The "other host" is a small ARP responder on the far side answering for the one address dnsmasq may
// hand out (the address cannot simply be put on far0: dnsmasq's unicast OFFER would then stay local).
// The service's LastAddressConflict property is checked against connmand 1.41 in the same set-up.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as dbus from '@particle/dbus-next';
import { DaemonKind, Lab, MAIN_CONF, sleep } from '../harness';
import { Background } from '../harness/proc';

const skip = process.getuid?.() !== 0 ? 'needs root for network namespaces' : false;
const TAKEN = '10.233.83.77';

// Answers every ARP request (probes included) for argv[1] on far0, as a host holding that address would.
const RESPONDER = `
import socket, struct, sys
s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(0x0806))
s.bind(('far0', 0))
mac = s.getsockname()[4]
ip = socket.inet_aton(sys.argv[1])
while True:
    f = s.recv(2048)
    a = f[14:42]
    if len(a) < 28 or struct.unpack('!H', a[6:8])[0] != 1 or a[24:28] != ip:
        continue
    sha, spa = a[8:14], a[14:18]
    s.send(sha + mac + b'\\x08\\x06' + struct.pack('!HHBBH', 1, 0x800, 6, 4, 2) + mac + ip + sha + spa)
`;

/** The service's LastAddressConflict as plain values, or undefined when the service has none. */
async function lastConflict(lab: Lab): Promise<Record<string, unknown> | undefined> {
  const bus = dbus.sessionBus({ busAddress: lab.busAddress });
  try {
    const reply = await bus.call(new dbus.Message({ destination: 'net.connman', path: `/net/connman/service/${lab.serviceId}`,
      interface: 'net.connman.Service', member: 'GetProperties' }));
    const v = (reply?.body[0] as Record<string, dbus.Variant>)?.LastAddressConflict;
    if (!v) return undefined;
    assert.equal(v.signature, 'a{sv}');
    const d = v.value as Record<string, dbus.Variant>;
    const inner = (k: string) => Object.fromEntries(Object.entries((d[k]?.value ?? {}) as Record<string, dbus.Variant>)
      .map(([ik, iv]) => [ik, `${iv.signature}:${iv.value}`]));
    return { keys: Object.keys(d).join(','), IPv4: inner('IPv4'), Ethernet: inner('Ethernet'),
      Timestamp: d.Timestamp && { sig: d.Timestamp.signature, us: BigInt(d.Timestamp.value as bigint) },
      Resolved: d.Resolved && `${d.Resolved.signature}:${d.Resolved.value}` };
  } finally {
    bus.disconnect();
  }
}

const farMac = async (lab: Lab) => /link\/ether (\S+)/.exec(await lab.ip('far', 'link', 'show', 'far0'))?.[1];

/**
 * The conflict as the daemon reports it. connmand 1.41 is only the reference for the property itself:
 * its DHCPDECLINE never reaches dnsmasq here (gdhcp sends it from a stopped client) and after a second
 * conflict it falls back to IPv4-LL (with a /24 and the old gateway routes), so the conflict never
 * resolves. Switchyard declines, gets another address from the range, probes it, and marks the
 * conflict resolved.
 */
async function conflictSeen(kind: DaemonKind): Promise<{ during?: Record<string, unknown>; after?: Record<string, unknown>; mac?: string; t0: bigint }> {
  const lab = await Lab.create({ dnsmasqArgs: ['--no-ping', `--dhcp-host=*:*:*:*:*:*,${TAKEN}`] });
  const responder = new Background('arp-responder', ['ip', 'netns', 'exec', lab.far, 'python3', '-c', RESPONDER, TAKEN],
    join(lab.dir, 'arp-responder.out'), join(lab.dir, 'arp-responder.err'));
  try {
    writeFileSync(lab.paths.mainConf, `${MAIN_CONF}AddressConflictDetection=true\n`);
    const t0 = BigInt(Date.now()) * 1000n;
    await lab.startDaemon(kind);
    await lab.waitUntil(async () => (await lastConflict(lab))?.Resolved === 'b:false', { timeoutMs: 30_000, what: 'an unresolved conflict' });
    const during = await lastConflict(lab);
    const mac = await farMac(lab);
    if (kind === 'connmand') return { during, mac, t0 };
    await lab.waitUntil(() => lab.dnsmasqLog().includes(`DHCPDECLINE(far0) ${TAKEN}`), { timeoutMs: 10_000, what: 'DHCPDECLINE' });
    await lab.waitForWiredReady({ timeoutMs: 60_000 });
    await lab.waitUntil(async () => (await lastConflict(lab))?.Resolved === 'b:true', { timeoutMs: 10_000, what: 'the conflict resolved' });
    return { during, after: await lastConflict(lab), mac, t0 };
  } catch (e) {
    throw new Error(`${kind}: ${(e as Error).message}\n--- dnsmasq\n${lab.dnsmasqLog().split('\n').slice(-15).join('\n')}\n--- daemon\n${lab.daemonLog().split('\n').slice(-30).join('\n')}`);
  } finally {
    await responder.stop(1000);
    await lab.teardown();
  }
}

describe('LastAddressConflict (Switchyard and connmand 1.41)', { skip }, () => {
  const seen: Partial<Record<DaemonKind, Awaited<ReturnType<typeof conflictSeen>>>> = {};
  const check = (o: Awaited<ReturnType<typeof conflictSeen>>) => {
    assert.equal(o.during?.keys, 'IPv4,Ethernet,Timestamp,Resolved');
    assert.deepEqual(o.during?.IPv4, { Address: `s:${TAKEN}` });
    assert.deepEqual(o.during?.Ethernet, { Address: `s:${o.mac}` }, 'the other host is named by its MAC');
    const ts = o.during?.Timestamp as { sig: string; us: bigint };
    assert.equal(ts.sig, 'x');
    assert.ok(ts.us >= o.t0 - 2_000_000n && ts.us <= BigInt(Date.now()) * 1000n, `Timestamp ${ts.us} is the time of the conflict in µs`);
  };

  it('connmand 1.41 (reference): the conflict with the address, the MAC and its time, unresolved', async () => {
    seen.connmand = await conflictSeen('connmand');
    check(seen.connmand);
  });

  it('Switchyard: the same property; after DHCPDECLINE and a free address it turns Resolved', async () => {
    const o = seen.switchyard = await conflictSeen('switchyard');
    check(o);
    assert.deepEqual({ ...o.after, Resolved: undefined }, { ...o.during, Resolved: undefined }, 'resolving keeps the address, MAC and time');
    assert.equal(o.after?.Resolved, 'b:true');
  });

  it('without AddressConflictDetection the property is absent, as in connmand', async () => {
    const lab = await Lab.create();
    try {
      await lab.startDaemon('switchyard');
      await lab.waitForWiredReady();
      assert.equal(await lastConflict(lab), undefined);
    } finally {
      await lab.teardown();
    }
  });
});

const FREE = '10.233.83.201';
const TAKEN_MANUAL = '10.233.83.200'; // outside dnsmasq's range, so DHCP never hands it out

/**
 * Manual addresses under ACD: a free one is probed and then configured; one another host answers for
 * is not configured, LastAddressConflict names it, and the service falls back to IPv4-LL.
 */
async function manualScenario(kind: DaemonKind): Promise<{ free: string; conflict?: Record<string, unknown>; taken: string; mac?: string; t0: bigint }> {
  const lab = await Lab.create();
  const responder = new Background('arp-responder', ['ip', 'netns', 'exec', lab.far, 'python3', '-c', RESPONDER, TAKEN_MANUAL],
    join(lab.dir, 'arp-responder.out'), join(lab.dir, 'arp-responder.err'));
  const hasAddr = async (re: RegExp) => re.test(await lab.ipAddr('near'));
  try {
    writeFileSync(lab.paths.mainConf, `${MAIN_CONF}AddressConflictDetection=true\n`);
    await lab.startDaemon(kind);
    await lab.waitForWiredReady({ timeoutMs: 40_000 });
    await lab.ctl('config', lab.serviceId, '--ipv4', 'manual', FREE, '255.255.255.0', '10.233.83.1');
    await lab.waitUntil(() => hasAddr(new RegExp(`inet ${FREE.replace(/\./g, '\\.')}/24`)), { timeoutMs: 20_000, what: `${FREE} configured` });
    const free = await lab.ipAddr('near');
    const t0 = BigInt(Date.now()) * 1000n;
    await lab.ctl('config', lab.serviceId, '--ipv4', 'manual', TAKEN_MANUAL, '255.255.255.0', '10.233.83.1');
    await lab.waitUntil(async () => (await lastConflict(lab))?.Resolved === 'b:false', { timeoutMs: 20_000, what: 'an unresolved conflict' });
    const conflict = await lastConflict(lab);
    await lab.waitUntil(() => hasAddr(/inet 169\.254\./), { timeoutMs: 30_000, what: 'an IPv4-LL address' });
    const svc = (await lab.services()).find((x) => x.id === lab.serviceId);
    assert.ok(svc && (svc.state === 'ready' || svc.state === 'online'), `${kind}: service state ${svc?.state}`);
    return { free, conflict, taken: await lab.ipAddr('near'), mac: await farMac(lab), t0 };
  } catch (e) {
    throw new Error(`${kind}: ${(e as Error).message}\n--- daemon\n${lab.daemonLog().split('\n').slice(-30).join('\n')}`);
  } finally {
    await responder.stop(1000);
    await lab.teardown();
  }
}

describe('ACD on a manual address (Switchyard and connmand 1.41)', { skip }, () => {
  const check = (o: Awaited<ReturnType<typeof manualScenario>>) => {
    assert.match(o.free, new RegExp(`inet ${FREE.replace(/\./g, '\\.')}/24`), 'a free manual address is configured');
    assert.deepEqual(o.conflict?.IPv4, { Address: `s:${TAKEN_MANUAL}` });
    assert.deepEqual(o.conflict?.Ethernet, { Address: `s:${o.mac}` });
    assert.ok((o.conflict?.Timestamp as { us: bigint }).us >= o.t0 - 2_000_000n);
    assert.doesNotMatch(o.taken, new RegExp(`inet ${TAKEN_MANUAL.replace(/\./g, '\\.')}/`), 'the taken address is not configured');
    assert.match(o.taken, /inet 169\.254\.\d+\.\d+\//, 'IPv4-LL takes its place');
  };
  it('connmand 1.41 (reference): taken manual address -> conflict reported, IPv4-LL instead', async () => {
    check(await manualScenario('connmand'));
  });
  it('Switchyard: the same, with the link-local address as a /16 (RFC 3927)', async () => {
    const o = await manualScenario('switchyard');
    check(o);
    assert.match(o.taken, /inet 169\.254\.\d+\.\d+\/16/);
  });
});

describe('ACD on a DHCP address (Switchyard vs dnsmasq)', { skip }, () => {
  let lab: Lab;
  let responder: Background | undefined;

  before(async () => {
    // --no-ping: dnsmasq would otherwise notice the address is taken and never offer it.
    lab = await Lab.create({ dnsmasqArgs: ['--no-ping', `--dhcp-host=*:*:*:*:*:*,${TAKEN}`] });
    responder = new Background('arp-responder', ['ip', 'netns', 'exec', lab.far, 'python3', '-c', RESPONDER, TAKEN],
      join(lab.dir, 'arp-responder.out'), join(lab.dir, 'arp-responder.err'));
    writeFileSync(lab.paths.mainConf, `${MAIN_CONF}AddressConflictDetection=true\n`);
    await lab.startDaemon('switchyard');
  });

  after(async () => {
    await responder?.stop(1000);
    await lab?.teardown();
  });

  it('declines an address another host answers for, and never configures it', async () => {
    await lab.waitUntil(() => lab.dnsmasqLog().includes(`DHCPDECLINE(far0) ${TAKEN} ${lab.mac}`),
      { timeoutMs: 20_000, intervalMs: 100, what: 'DHCPDECLINE in dnsmasq.log' });
    assert.doesNotMatch(await lab.ipAddr('near'), new RegExp(`inet ${TAKEN.replace(/\./g, '\\.')}/`));
    await sleep(1000);
    assert.doesNotMatch(await lab.ipAddr('near'), new RegExp(`inet ${TAKEN.replace(/\./g, '\\.')}/`));
  });

  it('starts over with DHCPDISCOVER no sooner than 10 s after the DECLINE (RFC 2131 3.1.5)', async () => {
    const log = lab.dnsmasqLog();
    const from = log.indexOf('DHCPDECLINE(far0)');
    const seen = Date.now() - 1000; // the DECLINE was noticed within the last poll or so
    const discovers = () => lab.dnsmasqLog().slice(from).split('\n').filter((l) => l.includes(`DHCPDISCOVER(far0) ${lab.mac}`));
    await lab.waitUntil(() => discovers().length > 0, { timeoutMs: 20_000, what: 'DHCPDISCOVER after the DECLINE' });
    const s = (Date.now() - seen) / 1000;
    assert.ok(s >= 8, `discovery restarted ${s} s after the DECLINE`);
  });
});
