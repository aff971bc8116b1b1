// Misbehaving DNS upstreams for the proxy tests, run inside the far namespace:
//   node dns-peers.js <silent-ip> <garbage-ip> <tcp-silent-ip> <slow-ip> <slow-log>
// silent: reads UDP and TCP queries and never answers; garbage: answers every UDP query with random
// bytes that reuse the query's ID, and TCP with a 5-byte message (CVE-2022-23096); tcp-silent:
// answers UDP with TC set (so the client must retry over TCP), accepts TCP and never answers
// (CVE-2022-23098); slow: answers every UDP query after 800 ms with an A record 10.233.83.99 and
// appends one line per query it received to <slow-log>, so a test can count what reached upstream.
// Prints "ready" once every socket is bound.
import { createSocket } from 'node:dgram';
import { createServer, Socket } from 'node:net';
import { randomBytes } from 'node:crypto';
import { appendFileSync } from 'node:fs';

const [silent, garbage, tcpSilent, slow, slowLog] = process.argv.slice(2);
const held: Socket[] = [];
let pending = 7;
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

udp(slow, (msg, reply) => {
  let off = 12;
  while (off < msg.length && msg[off] !== 0) off += msg[off] + 1;
  const question = msg.subarray(12, off + 5);
  appendFileSync(slowLog, `${question.toString('hex')}\n`);
  const head = Buffer.from(msg.subarray(0, 12));
  head[2] = 0x80 | (msg[2] & 0x01);
  head[3] = 0x80;
  head.writeUInt16BE(1, 6);
  head.writeUInt16BE(0, 8);
  head.writeUInt16BE(0, 10);
  // the answer's owner is a pointer to the question's name; TTL 60, 10.233.83.99
  const answer = Buffer.from([0xc0, 12, 0, 1, 0, 1, 0, 0, 0, 60, 0, 4, 10, 233, 83, 99]);
  setTimeout(() => reply(Buffer.concat([head, question, answer])), 800);
});
