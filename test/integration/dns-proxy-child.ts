// Runs the native DNS proxy inside a namespace and drives it through one scenario, printing JSON:
//   node dns-proxy-child.js '<json: {config, queries: [{name, type?, server?, tcp?, do?, cd?, parallel?}], options}>'
// Every query goes to the proxy on 127.0.0.1 (or ::1) port 53, as a resolver would. `do` adds an
// EDNS0 OPT record with the DO bit, `cd` sets CD; `parallel: n` sends n copies at once, each with
// its own ID and letter case, every third over TCP and every other one to ::1. `@dnsperf` runs
// dnsperf against 127.0.0.1 (or `server`) for `seconds` over the names of `load` (a client that keeps hundreds of
// queries in flight from few sockets, as a busy resolver does) and reports its counts; `load` lines
// are dnsperf's ("name TYPE"). `@lo-mtu` sets the namespace's loopback MTU to `mtu`.
import { spawnSync } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { connect } from 'node:net';
import { randomBytes } from 'node:crypto';
import { createNativePlatform } from '../../ts/platform/native';
import type { DnsProxyConfig, DnsProxyOptions } from '../../ts/platform/types';

interface Q { name: string; type?: number; server?: string; tcp?: boolean; waitMs?: number; do?: boolean; cd?: boolean; parallel?: number; load?: string[]; seconds?: number; mtu?: number }
interface Perf { sent: number; completed: number; lost: number; noerror: number; unexpected: number }
interface Answer { rcode: number; ttl: number[]; addresses: string[]; ms: number; tc: boolean; error?: string; qname: string; asked: string }

function encodeQuery(id: number, name: string, type: number, dnssecOk = false, cd = false): Buffer {
  const labels = name.split('.').filter(Boolean).map((l) => Buffer.concat([Buffer.from([l.length]), Buffer.from(l)]));
  const h = Buffer.alloc(12);
  h.writeUInt16BE(id, 0);
  h.writeUInt16BE(0x0100 | (cd ? 0x0010 : 0), 2);
  h.writeUInt16BE(1, 4);
  const tail = Buffer.alloc(5);
  tail.writeUInt16BE(type, 1);
  tail.writeUInt16BE(1, 3);
  if (!dnssecOk) return Buffer.concat([h, ...labels, tail]);
  h.writeUInt16BE(1, 10);
  // OPT: root owner, type 41, payload 1232, extended rcode 0, version 0, flags DO, no options
  const opt = Buffer.from([0, 0, 41, 0x04, 0xd0, 0, 0, 0x80, 0, 0, 0]);
  return Buffer.concat([h, ...labels, tail, opt]);
}

function readName(b: Buffer, off: number): [string, number] {
  const parts: string[] = [];
  let end = -1;
  for (let hops = 0; hops < 64; hops++) {
    const len = b[off];
    if ((len & 0xc0) === 0xc0) { if (end < 0) end = off + 2; off = ((len & 0x3f) << 8) | b[off + 1]; continue; }
    if (len === 0) { if (end < 0) end = off + 1; break; }
    parts.push(b.subarray(off + 1, off + 1 + len).toString('latin1'));
    off += len + 1;
  }
  return [parts.join('.'), end];
}

function decode(b: Buffer, id: number, started: number): Answer {
  if (b.readUInt16BE(0) !== id) throw new Error('wrong id');
  const an = b.readUInt16BE(6);
  let [qname, off] = readName(b, 12);
  off += 4;
  const ttl: number[] = [];
  const addresses: string[] = [];
  for (let i = 0; i < an; i++) {
    [, off] = readName(b, off);
    const type = b.readUInt16BE(off);
    ttl.push(b.readUInt32BE(off + 4));
    const rdlen = b.readUInt16BE(off + 8);
    if (type === 1 && rdlen === 4) addresses.push([...b.subarray(off + 10, off + 14)].join('.'));
    off += 10 + rdlen;
  }
  return { rcode: b[3] & 0xf, ttl, addresses, ms: Date.now() - started, tc: (b[2] & 0x02) !== 0, qname, asked: '' };
}

function ask(q: Q): Promise<Answer> {
  const id = randomBytes(2).readUInt16BE(0);
  const server = q.server ?? '127.0.0.1';
  const msg = encodeQuery(id, q.name, q.type ?? 1, q.do, q.cd);
  const started = Date.now();
  return new Promise<Answer>((resolve) => {
    const fail = (error: string) => resolve({ rcode: -1, ttl: [], addresses: [], ms: Date.now() - started, tc: false, error, qname: '', asked: '' });
    const timer = setTimeout(() => fail('timeout'), q.waitMs ?? 8000);
    if (q.tcp) {
      const s = connect(53, server);
      let buf = Buffer.alloc(0);
      s.on('connect', () => { const l = Buffer.alloc(2); l.writeUInt16BE(msg.length); s.write(Buffer.concat([l, msg])); });
      s.on('data', (d) => {
        buf = Buffer.concat([buf, d]);
        if (buf.length >= 2 && buf.length >= 2 + buf.readUInt16BE(0)) {
          clearTimeout(timer);
          s.destroy();
          try { resolve(decode(buf.subarray(2), id, started)); } catch (e) { fail(String(e)); }
        }
      });
      s.on('error', (e) => { clearTimeout(timer); fail(String(e)); });
      return;
    }
    const s = createSocket(server.includes(':') ? 'udp6' : 'udp4');
    s.on('message', (m) => {
      try { const a = decode(m, id, started); clearTimeout(timer); s.close(); resolve(a); } catch { /* not ours */ }
    });
    s.send(msg, 53, server);
    timer.unref?.();
  }).then((a) => ({ ...a, asked: q.name }));
}

/** copy i of a parallel burst: its own letter case, transport and server */
function variant(q: Q, i: number): Q {
  const name = [...q.name].map((c, k) => ((i >> (k % 4)) & 1 ? c.toUpperCase() : c.toLowerCase())).join('');
  return { ...q, name, parallel: undefined, tcp: i % 3 === 2, server: i % 2 ? '::1' : '127.0.0.1' };
}

function dnsperf(lines: string[], seconds: number, server: string): Perf {
  const dir = mkdtempSync(path.join(tmpdir(), 'sy-dnsperf-'));
  try {
    const data = path.join(dir, 'names');
    writeFileSync(data, lines.join('\n') + '\n');
    const run = spawnSync('dnsperf', ['-s', server, '-d', data, '-l', String(seconds), '-c', '2', '-q', '200', '-T', '2', '-t', '2'],
      { encoding: 'utf8' });
    const out = `${run.stdout}\n${run.stderr}`;
    const num = (re: RegExp) => Number(re.exec(out)?.[1] ?? NaN);
    // dnsperf warns of every answer whose ID matched no query in flight: none may appear
    return { sent: num(/Queries sent:\s+(\d+)/), completed: num(/Queries completed:\s+(\d+)/), lost: num(/Queries lost:\s+(\d+)/),
      noerror: num(/NOERROR (\d+)/), unexpected: (out.match(/unexpected/gi) ?? []).length };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Below 1280 the kernel takes IPv6 off the link; taking lo down and up again brings ::1 back. */
function setLoopbackMtu(mtu: number): void {
  spawnSync('ip', ['link', 'set', 'lo', 'mtu', String(mtu)]);
  if (mtu >= 1280) for (const state of ['down', 'up']) spawnSync('ip', ['link', 'set', 'lo', state]);
}

async function main(): Promise<void> {
  const spec = JSON.parse(process.argv[2]) as { config: DnsProxyConfig; queries: Q[]; options?: DnsProxyOptions; reconfig?: DnsProxyConfig };
  const proxy = createNativePlatform().createDnsProxy!({ listen: ['127.0.0.1', '::1'], port: 53, ...spec.options });
  proxy.start();
  proxy.setConfig(spec.config);
  const answers: Answer[] = [];
  const perf: Perf[] = [];
  const cpuBefore = process.cpuUsage();
  const t0 = Date.now();
  for (const q of spec.queries) {
    if (q.name === '@reconfig' && spec.reconfig) { proxy.setConfig(spec.reconfig); await new Promise((r) => setTimeout(r, 50)); continue; }
    if (q.name === '@dnsperf') { perf.push(dnsperf(q.load ?? [], q.seconds ?? 2, q.server ?? '127.0.0.1')); continue; }
    if (q.name === '@lo-mtu') { setLoopbackMtu(q.mtu ?? 65536); continue; }
    if (q.name === '@sleep') { await new Promise((r) => setTimeout(r, q.waitMs ?? 1000)); continue; }
    if (q.parallel) answers.push(...await Promise.all(Array.from({ length: q.parallel }, (_, i) => ask(variant(q, i)))));
    else answers.push(await ask(q));
  }
  const cpu = process.cpuUsage(cpuBefore);
  const wall = Date.now() - t0;
  const stats = proxy.stats();
  proxy.stop();
  process.stdout.write(JSON.stringify({ answers, perf, stats, cpuMs: (cpu.user + cpu.system) / 1000, wallMs: wall }) + '\n');
}

main().catch((e) => { process.stdout.write(JSON.stringify({ error: String(e) }) + '\n'); process.exit(1); });
