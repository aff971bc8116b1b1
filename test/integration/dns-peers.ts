// Misbehaving DNS upstreams for the proxy tests, run inside the far namespace:
//   node dns-peers.js <silent-ip> <garbage-ip> <tcp-silent-ip>
// silent: reads UDP and TCP queries and never answers; garbage: answers every UDP query with random
// bytes that reuse the query's ID, and TCP with a 5-byte message (CVE-2022-23096); tcp-silent:
// answers UDP with TC set (so the client must retry over TCP), accepts TCP and never answers
// (CVE-2022-23098). Prints "ready" once every socket is bound.
import { createSocket } from 'node:dgram';
import { createServer, Socket } from 'node:net';
import { randomBytes } from 'node:crypto';

const [silent, garbage, tcpSilent] = process.argv.slice(2);
const held: Socket[] = [];
let pending = 6;
const up = () => { if (--pending === 0) process.stdout.write('ready\n'); };

function udp(ip: string, onMsg: (msg: Buffer, reply: (b: Buffer) => void) => void): void {
  const s = createSocket('udp4');
  s.on('message', (msg, rinfo) => onMsg(msg, (b) => s.send(b, rinfo.port, rinfo.address)));
  s.bind(53, ip, up);
}

function tcp(ip: string, onData: (sock: Socket) => void): void {
  const srv = createServer((sock) => { held.push(sock); sock.on('error', () => undefined); onData(sock); });
  srv.listen(53, ip, up);
}

udp(silent, () => undefined);
tcp(silent, () => undefined);
udp(garbage, (msg, reply) => {
  const junk = randomBytes(40);
  msg.copy(junk, 0, 0, 2);
  junk[2] |= 0x80;
  reply(junk);
});
tcp(garbage, (sock) => sock.once('data', () => sock.write(Buffer.from([0, 5, 1, 2, 0x81, 0x80, 0]))));
udp(tcpSilent, (msg, reply) => {
  // header with QR and TC, the question echoed
  const out = Buffer.from(msg);
  out[2] = 0x80 | 0x02 | (msg[2] & 0x01);
  out[3] = 0x80;
  out.writeUInt16BE(0, 6);
  out.writeUInt16BE(0, 8);
  out.writeUInt16BE(0, 10);
  let off = 12;
  while (off < out.length && out[off] !== 0) off += out[off] + 1;
  reply(out.subarray(0, off + 5));
});
tcp(tcpSilent, () => undefined);
