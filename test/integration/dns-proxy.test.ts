// The DNS proxy against real upstreams in network namespaces this test creates: dnsmasq (twice, for
// split DNS), and misbehaving peers (silent, garbage, TCP that never answers) in the far namespace;
// the proxy itself runs in the near namespace on 127.0.0.1:53 / [::1]:53 through the native platform
// (dns-proxy-child.js). Then the real daemon in the Lab: what a user sees in resolv.conf and from
// queries to 127.0.0.1. Nothing runs in the machine's own namespace except this test process.
import assert from 'node:assert/strict';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Lab } from '../harness';

const isRoot = process.getuid?.() === 0;
const haveDnsmasq = existsSync('/usr/sbin/dnsmasq');
const skip = !isRoot ? 'needs root for network namespaces' : !haveDnsmasq ? 'needs dnsmasq-base' : false;
const NET = '10.233.91';
const DNSMASQ = `${NET}.1`, SILENT = `${NET}.2`, GARBAGE = `${NET}.3`, TCP_SILENT = `${NET}.4`, CORP = `${NET}.5`, SLOW = `${NET}.6`;

interface Answer { rcode: number; ttl: number[]; addresses: string[]; ms: number; tc: boolean; error?: string; qname: string; asked: string }
interface Perf { sent: number; completed: number; lost: number; noerror: number; unexpected: number }
interface ChildOut { answers: Answer[]; perf: Perf[]; stats: Record<string, number>; cpuMs: number; wallMs: number; error?: string }

const tag = `${process.pid}-${randomBytes(2).toString('hex')}`;
const near = `sy-dns-${tag}-near`, far = `sy-dns-${tag}-far`;
const procs: ChildProcess[] = [];
let dir = '';

function sh(...argv: string[]): string { return execFileSync(argv[0], argv.slice(1), { encoding: 'utf8' }); }

function background(ns: string, argv: string[], readyText?: string): Promise<void> {
  const p = spawn('ip', ['netns', 'exec', ns, ...argv], { stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  procs.push(p);
  if (!readyText) return new Promise((r) => setTimeout(r, 300));
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`${argv[0]} not ready`)), 10_000);
    p.stdout!.on('data', (d: Buffer) => { if (d.toString().includes(readyText)) { clearTimeout(t); resolve(); } });
  });
}

function child(spec: unknown, timeoutMs = 60_000): ChildOut {
  const out = execFileSync('ip', ['netns', 'exec', near, process.execPath, path.join(__dirname, 'dns-proxy-child.js'), JSON.stringify(spec)],
    { encoding: 'utf8', timeout: timeoutMs, env: { ...process.env, LD_PRELOAD: '' } });
  const r = JSON.parse(out.trim().split('\n').pop()!) as ChildOut;
  if (r.error) throw new Error(r.error);
  return r;
}

describe('DNS proxy against real and misbehaving upstreams', { skip }, () => {
  before(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'sy-dns-'));
    sh('ip', 'netns', 'add', near);
    sh('ip', 'netns', 'add', far);
    sh('ip', 'link', 'add', 'dnsn', 'netns', near, 'type', 'veth', 'peer', 'name', 'dnsf', 'netns', far);
    for (const [ns, ifc] of [[near, 'dnsn'], [far, 'dnsf']]) {
      sh('ip', '-n', ns, 'link', 'set', 'lo', 'up');
      sh('ip', '-n', ns, 'link', 'set', ifc, 'up');
    }
    sh('ip', '-n', near, 'addr', 'add', `${NET}.100/24`, 'dev', 'dnsn');
    for (const a of [DNSMASQ, SILENT, GARBAGE, TCP_SILENT, CORP, SLOW]) sh('ip', '-n', far, 'addr', 'add', `${a}/24`, 'dev', 'dnsf');
    const dnsmasq = (listen: string, extra: string[]) => ['/usr/sbin/dnsmasq', '--keep-in-foreground', '--no-resolv', '--no-hosts',
      '--port=53', `--listen-address=${listen}`, '--bind-interfaces', '--local-ttl=300', `--pid-file=${dir}/dm-${listen}.pid`,
      '--log-queries=extra', `--log-facility=${dir}/dnsmasq-${listen}.log`, ...extra];
    await background(far, dnsmasq(DNSMASQ, ['--address=/alpha.lab.test/10.233.83.10', '--address=/www.lab.test/10.233.83.11',
      '--local=/lab.test/', '--address=/cached.lab.test/10.233.83.12', '--address=/signed.lab.test/10.233.83.13', '--txt-record=txt.lab.test,hello']));
    await background(far, dnsmasq(CORP, ['--address=/www.corp.test/10.9.9.9', '--local=/corp.test/']));
    await background(far, [process.execPath, path.join(__dirname, 'dns-peers.js'), SILENT, GARBAGE, TCP_SILENT, SLOW,
      path.join(dir, 'slow.log')], 'ready');
  });

  after(() => {
    for (const p of procs) { try { process.kill(-p.pid!, 'SIGKILL'); } catch { /* gone */ } }
    for (const ns of [near, far]) { try { sh('ip', 'netns', 'del', ns); } catch { /* gone */ } }
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const lab = { services: [{ id: 'lab', servers: [DNSMASQ], domains: ['lab.test'] }], fallback: [] };

  it('answers over UDP and TCP on 127.0.0.1 and ::1, serves repeats from the cache with TTLs counting down', () => {
    const r = child({ config: lab, queries: [
      { name: 'alpha.lab.test' }, { name: 'Alpha.LAB.test', server: '::1' }, { name: '@sleep', waitMs: 1100 },
      { name: 'alpha.lab.test', tcp: true }, { name: 'nope.lab.test' }, { name: 'nope.lab.test' }, { name: 'txt.lab.test', type: 16 },
      { name: 'txt.lab.test', type: 16 }] });
    const [a1, a2, a3, n1, n2, t1, t2] = r.answers;
    assert.deepEqual(a1.addresses, ['10.233.83.10']);
    assert.deepEqual(a2.addresses, ['10.233.83.10']);
    assert.equal(a2.qname, 'Alpha.LAB.test', 'the question comes back as the client spelled it');
    assert.deepEqual(a3.addresses, ['10.233.83.10']);
    assert.ok(a3.ttl[0] < a1.ttl[0], `TTL counts down in the cache: ${a1.ttl[0]} then ${a3.ttl[0]}`);
    assert.equal(n1.rcode, 3);
    assert.equal(n2.rcode, 3);
    assert.equal(t1.rcode, 0);
    assert.equal(t2.rcode, 0);
    // dnsmasq answers NXDOMAIN for its --local domain without an SOA, so RFC 2308 5 forbids caching
    // it (the native tests cover negative caching with an SOA): both nope.lab.test queries went out.
    assert.ok(r.stats.cacheHits >= 3, `cache hits ${r.stats.cacheHits}: names case-insensitively, and TXT`);
    const log = readFileSync(path.join(dir, `dnsmasq-${DNSMASQ}.log`), 'utf8');
    assert.equal((log.match(/query\[A\] alpha\.lab\.test/gi) ?? []).length, 1, 'dnsmasq asked once for alpha.lab.test');
    assert.equal((log.match(/query\[TXT\] txt\.lab\.test/gi) ?? []).length, 1, 'and once for the TXT record');
    assert.equal((log.match(/query\[A\] nope\.lab\.test/gi) ?? []).length, 2, 'an NXDOMAIN without SOA is not cached');
  });

  it('keys the cache on DO and CD: each combination is asked upstream once, then served from the cache', () => {
    const kinds = [{}, { do: true }, { do: true, cd: true }, { cd: true }];
    const r = child({ config: lab, queries: [...kinds, ...kinds].map((k) => ({ name: 'signed.lab.test', ...k })) });
    for (const a of r.answers) assert.deepEqual(a.addresses, ['10.233.83.13']);
    const log = readFileSync(path.join(dir, `dnsmasq-${DNSMASQ}.log`), 'utf8');
    assert.equal((log.match(/query\[A\] signed\.lab\.test/gi) ?? []).length, 4, `dnsmasq asked once per DO/CD combination: ${JSON.stringify(r.stats)} ${log.split('\n').filter((l) => /signed/.test(l)).join(' / ')}`);
    assert.equal(r.stats.cacheHits, 4, 'the second round is served from the cache, each from its own entry');
  });

  it('upstream UDP sockets rotate: random source ports, each shared by at most 32 queries (RFC 5452 trade)', () => {
    const names = Array.from({ length: 100 }, (_, i) => `rot${i}.lab.test`);
    const r = child({ config: lab, queries: names.map((name) => ({ name })) });
    for (const a of r.answers) assert.equal(a.rcode, 3, JSON.stringify(a));
    // --log-queries=extra writes "<serial> <source address>/<port> query[A] <name> ..."
    const log = readFileSync(path.join(dir, `dnsmasq-${DNSMASQ}.log`), 'utf8');
    const ports = new Map<string, number>();
    for (const m of log.matchAll(/ 10\.233\.91\.100\/(\d+) query\[A\] rot\d+\.lab\.test/g)) ports.set(m[1], (ports.get(m[1]) ?? 0) + 1);
    assert.equal([...ports.values()].reduce((x, y) => x + y, 0), 100, 'every query reached dnsmasq');
    assert.ok(ports.size >= 4, `at least ceil(100 / 32) source ports: ${JSON.stringify([...ports])}`);
    assert.ok(Math.max(...ports.values()) <= 32, `no port carried more than 32 queries: ${JSON.stringify([...ports])}`);
  });

  it('merges identical queries in flight: one upstream query, every client answered with its own ID and case', () => {
    const r = child({ config: { services: [{ id: 'slow', servers: [SLOW], domains: [] }], fallback: [] },
      queries: [{ name: 'merge.slow.test', parallel: 12 }, { name: 'merge.slow.test', do: true }] });
    const burst = r.answers.slice(0, 12);
    for (const a of burst) {
      assert.deepEqual(a.addresses, ['10.233.83.99'], JSON.stringify(a));
      assert.equal(a.qname, a.asked, 'the question comes back as this client spelled it');
    }
    assert.ok(new Set(burst.map((a) => a.asked)).size > 4, 'the burst used several spellings');
    assert.equal(r.stats.merged, 11);
    const asked = readFileSync(path.join(dir, 'slow.log'), 'utf8').split('\n').filter(Boolean);
    // the burst once, then the DO query (another question) once more
    assert.equal(asked.length, 2, `the slow upstream saw ${asked.length} queries`);
  });

  it('answers a busy client (dnsperf, hundreds in flight, over 127.0.0.1 and ::1) from the cache: every answer matches its query, answers to one client leave merged', () => {
    const names = ['alpha.lab.test', 'www.lab.test'];
    const load = names.map((n) => `${n} A`);
    const r = child({ config: lab, queries: [...names.map((name) => ({ name })), { name: '@dnsperf', load, seconds: 2 },
      { name: '@dnsperf', load, seconds: 2, server: '::1' }, ...names.map((name) => ({ name }))] });
    for (const [i, p] of r.perf.entries()) {
      const over = i === 0 ? '127.0.0.1' : '::1';
      assert.ok(p.completed > 1000, `dnsperf got answers over ${over}: ${JSON.stringify(p)}`);
      assert.equal(p.noerror, p.completed, `every answer over ${over} is a NOERROR answer`);
      assert.equal(p.unexpected, 0, `no answer over ${over} carried an ID that was not in flight`);
      assert.ok(p.lost <= p.sent / 100, `at most 1% lost to full socket buffers over ${over}: ${JSON.stringify(p)}`);
    }
    assert.ok(r.stats.segmented > 0, `some answers left merged in one segmented send: ${JSON.stringify(r.stats)}`);
    assert.deepEqual(r.answers.slice(2).map((a) => a.addresses), [['10.233.83.10'], ['10.233.83.11']], 'and plain queries still get their own answers');
  });

  it('fails over from a silent server, a garbage server and a TCP server that never answers', () => {
    const t0 = { attemptTimeout: 0.7, tcpTimeout: 1.5 };
    const silent = child({ options: t0, config: { services: [{ id: 's', servers: [SILENT, DNSMASQ], domains: [] }], fallback: [] },
      queries: [{ name: 'www.lab.test' }] });
    assert.deepEqual(silent.answers[0].addresses, ['10.233.83.11']);
    assert.ok(silent.answers[0].ms >= 600 && silent.answers[0].ms < 3000, `failover after the attempt timeout (${silent.answers[0].ms} ms)`);
    assert.equal(silent.stats.upstreamTimeouts, 1);

    const garbage = child({ options: t0, config: { services: [{ id: 'g', servers: [GARBAGE, DNSMASQ], domains: [] }], fallback: [] },
      queries: [{ name: 'www.lab.test' }] });
    assert.deepEqual(garbage.answers[0].addresses, ['10.233.83.11']);
    assert.ok(garbage.answers[0].ms < 600, `garbage fails over at once (${garbage.answers[0].ms} ms)`);
    assert.ok(garbage.stats.badReplies >= 1);

    // CVE-2022-23098: TC over UDP, then a TCP connection that is accepted and never answered. The proxy
    // must wait without spinning: the whole child (proxy thread included) stays far below one core.
    const tcp = child({ options: t0, config: { services: [{ id: 't', servers: [TCP_SILENT, DNSMASQ], domains: [] }], fallback: [] },
      queries: [{ name: 'www.lab.test' }, { name: '@sleep', waitMs: 300 }] });
    assert.deepEqual(tcp.answers[0].addresses, ['10.233.83.11']);
    assert.equal(tcp.stats.tcpFallbacks, 1);
    assert.ok(tcp.stats.upstreamTimeouts >= 1);
    assert.ok(tcp.cpuMs < 0.3 * tcp.wallMs, `no busy loop: ${tcp.cpuMs} ms CPU in ${tcp.wallMs} ms`);
  });

  it('split DNS by search domain, single-label names via the search domains, fallback servers, flush on change', () => {
    const split = { services: [
      { id: 'lab', servers: [DNSMASQ], domains: ['lab.test'] },
      { id: 'vpn', servers: [CORP], domains: ['corp.test'] }], fallback: [] };
    const r = child({ config: split, reconfig: { services: [{ id: 'vpn', servers: [CORP], domains: ['corp.test'] }], fallback: [DNSMASQ] },
      queries: [{ name: 'www.corp.test' }, { name: 'alpha.lab.test' }, { name: 'alpha' }, { name: 'alpha.lab.test' },
        { name: '@reconfig' }, { name: 'alpha.lab.test' }] });
    const [corp, alpha, single, cached, afterChange] = r.answers;
    assert.deepEqual(corp.addresses, ['10.9.9.9']);
    assert.deepEqual(alpha.addresses, ['10.233.83.10']);
    assert.deepEqual(single.addresses, ['10.233.83.10'], 'alpha is found as alpha.lab.test');
    assert.equal(single.qname, 'alpha');
    assert.deepEqual(cached.addresses, ['10.233.83.10']);
    assert.equal(r.stats.flushes >= 1, true);
    // after the change only the VPN's server is left (fallback is not used while a service has one)
    // and it knows nothing of lab.test: the flushed cache does not answer from the old network
    assert.notDeepEqual(afterChange.addresses, ['10.233.83.10']);
    const corpLog = readFileSync(path.join(dir, `dnsmasq-${CORP}.log`), 'utf8');
    assert.match(corpLog, /query\[A\] www\.corp\.test/);
    assert.ok(!/query\[A\] www\.corp\.test/.test(readFileSync(path.join(dir, `dnsmasq-${DNSMASQ}.log`), 'utf8')),
      'corp.test names never reach the lab server');
    const fb = child({ config: { services: [], fallback: [DNSMASQ] }, queries: [{ name: 'alpha.lab.test' }] });
    assert.deepEqual(fb.answers[0].addresses, ['10.233.83.10'], 'FallbackNameservers when no service has servers');
  });

  // Last in this block: it changes the near namespace's loopback MTU and puts it back.
  it('when the kernel refuses a segmented send (a loopback MTU below one answer), every answer still goes out, one datagram each', () => {
    const load = ['alpha.lab.test A', 'www.lab.test A'];
    const r = child({ config: lab, queries: [{ name: 'alpha.lab.test' }, { name: 'www.lab.test' }, { name: '@lo-mtu', mtu: 68 },
      { name: '@dnsperf', load, seconds: 2 }, { name: '@lo-mtu', mtu: 65536 }, { name: 'alpha.lab.test' }] });
    const p = r.perf[0];
    assert.equal(r.stats.segmentingOff, 1, `the refusal was seen: ${JSON.stringify(r.stats)} ${JSON.stringify(p)}`);
    assert.ok(p.completed > 100, `dnsperf got answers through a 68-byte MTU: ${JSON.stringify(p)}`);
    assert.equal(p.noerror, p.completed);
    assert.equal(p.unexpected, 0);
    assert.ok(p.lost <= p.sent / 100, `at most 1% lost: ${JSON.stringify(p)}`);
    assert.deepEqual(r.answers[2].addresses, ['10.233.83.10']);
  });
});

describe('DNS through the daemon, where users see it', { skip: !isRoot ? 'needs root for network namespaces' : false }, () => {
  for (const proxy of [true, false]) {
    it(proxy ? 'proxy on: resolv.conf names ::1 and 127.0.0.1, and 127.0.0.1 answers' : '-r: resolv.conf names the real server', async () => {
      const labx = await Lab.create();
      try {
        await labx.startDaemon('switchyard', proxy ? [] : ['-r']);
        await labx.waitForWiredReady();
        const resolvPath = path.join(labx.dir, 'resolv.conf');
        const text = await labx.waitUntil(() => { const t = readFileSync(resolvPath, 'utf8'); return /nameserver/.test(t) && (proxy || /10\.233/.test(t)) ? t : false; });
        if (proxy) {
          assert.equal(text, '# Generated by Connection Manager\nnameserver ::1\nnameserver 127.0.0.1\n');
          const r = await labx.waitUntil(async () => {
            const out = await labx.exec('near', [process.execPath, path.join(__dirname, '..', 'harness', 'dns-query.js'), '127.0.0.1', 'alpha.lab.test']);
            return /10\.233\.83\.10/.test(out.stdout) ? out.stdout : false;
          });
          assert.match(r, /10\.233\.83\.10/);
          const ss = await labx.exec('near', ['ss', '-lnup']);
          assert.match(ss.stdout, /127\.0\.0\.1:53/);
          assert.doesNotMatch(ss.stdout, /0\.0\.0\.0:53|\*:53 /, 'never a wildcard listener');
        } else {
          assert.match(text, /nameserver 10\.233\.83\.1\n/);
        }
      } finally {
        await labx.teardown();
      }
    });
  }
});
