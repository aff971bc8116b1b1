// A minimal DNS A-record lookup, run as a script inside a lab namespace:
//   ip netns exec <ns> node dist/test/harness/dns-query.js <server> <name> [timeoutMs]
// It prints {"rcode":N,"addresses":[...]} so tests can check a daemon's DNS path without dig.
import { createSocket } from 'node:dgram';
import { randomBytes } from 'node:crypto';

export function buildQuery(id: number, name: string): Buffer {
  const labels = name.split('.').filter(Boolean).map((l) => Buffer.concat([Buffer.from([l.length]), Buffer.from(l)]));
  const header = Buffer.alloc(12);
  header.writeUInt16BE(id, 0);
  header.writeUInt16BE(0x0100, 2); // RD
  header.writeUInt16BE(1, 4); // QDCOUNT
  return Buffer.concat([header, ...labels, Buffer.from([0, 0, 1, 0, 1])]); // root, QTYPE A, QCLASS IN
}

function skipName(buf: Buffer, off: number): number {
  for (;;) {
    const len = buf[off];
    if (len === undefined) throw new Error('truncated name');
    if ((len & 0xc0) === 0xc0) return off + 2;
    if (len === 0) return off + 1;
    off += len + 1;
  }
}

export function parseAnswer(buf: Buffer, id: number): { rcode: number; addresses: string[] } {
  if (buf.length < 12 || buf.readUInt16BE(0) !== id) throw new Error('not our answer');
  const rcode = buf[3] & 0x0f;
  const qd = buf.readUInt16BE(4);
  const an = buf.readUInt16BE(6);
  let off = 12;
  for (let i = 0; i < qd; i++) off = skipName(buf, off) + 4;
  const addresses: string[] = [];
  for (let i = 0; i < an; i++) {
    off = skipName(buf, off);
    const type = buf.readUInt16BE(off);
    const rdlen = buf.readUInt16BE(off + 8);
    if (type === 1 && rdlen === 4) addresses.push([...buf.subarray(off + 10, off + 14)].join('.'));
    off += 10 + rdlen;
  }
  return { rcode, addresses };
}

function main(): void {
  const [server, name, timeout] = process.argv.slice(2);
  const id = randomBytes(2).readUInt16BE(0);
  const sock = createSocket(server.includes(':') ? 'udp6' : 'udp4');
  const timer = setTimeout(() => {
    process.stdout.write(JSON.stringify({ error: 'timeout' }) + '\n');
    process.exit(2);
  }, Number(timeout ?? 3000));
  sock.on('message', (msg) => {
    try {
      process.stdout.write(JSON.stringify(parseAnswer(msg, id)) + '\n');
      clearTimeout(timer);
      sock.close();
    } catch {
      // someone else's datagram; keep waiting
    }
  });
  sock.send(buildQuery(id, name), 53, server);
}

if (require.main === module) main();
