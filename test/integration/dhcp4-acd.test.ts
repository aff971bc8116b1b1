// main.conf AddressConflictDetection=true: the daemon probes a leased address before using it (RFC 5227)
// and, when another host answers for it, sends DHCPDECLINE (RFC 2131 4.4.1) instead of configuring it.
// The "other host" is a small ARP responder on the far side answering for the one address dnsmasq may
// hand out (the address cannot simply be put on far0: dnsmasq's unicast OFFER would then stay local).
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Lab, MAIN_CONF, sleep } from '../harness';
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
