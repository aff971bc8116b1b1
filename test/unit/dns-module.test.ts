// The DNS module's decisions: what resolv.conf says and what the proxy is told, with the proxy on,
// off (-r), and when it cannot start. The platform here is a recording stand-in for the native proxy.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DnsModule, proxyConfig } from '../../ts/core/dns-proxy';
import type { ResolvWriter } from '../../ts/core/resolv';
import { PlatformError, type DnsProxy, type DnsProxyConfig, type Platform } from '../../ts/platform/types';

const quiet = { debug() {}, info() {}, warn() {}, error() {} };

function rig(opts: { proxy: boolean; fail?: boolean; fallback?: string[]; resolved?: boolean }) {
  const files: { ns: readonly string[]; dom: readonly string[] }[] = [];
  const configs: DnsProxyConfig[] = [];
  let stopped = 0;
  const writer: ResolvWriter = { write: (ns, dom) => { files.push({ ns, dom }); } };
  const proxy: DnsProxy = {
    start: () => { if (opts.fail) throw new PlatformError('bind 127.0.0.1:53/udp: Address already in use', 98); },
    setConfig: (c) => { configs.push(c); },
    stats: () => ({ queries: 0, cacheHits: 0, forwarded: 0, answered: 0, upstreamTimeouts: 0, badReplies: 0, tcpFallbacks: 0, flushes: 0, cacheEntries: 0, tcpClients: 0, merged: 0, segmented: 0, segmentingOff: 0 }),
    stop: () => { stopped++; },
  };
  const platform = { createDnsProxy: () => proxy } as unknown as Platform;
  const pushed: { perService: readonly unknown[] }[] = [];
  let reverted = 0;
  const resolved = opts.resolved
    ? { write: (_ns: readonly string[], _dom: readonly string[], perService: readonly unknown[] = []) => { pushed.push({ perService }); },
        stop: async () => { reverted++; } }
    : undefined;
  const m = new DnsModule({ platform, log: quiet, resolvPath: undefined, proxy: opts.proxy, fallback: opts.fallback ?? [], writer, resolved });
  return { m, files, configs, pushed, stopped: () => stopped, reverted: () => reverted };
}

const services = [
  { id: 'wifi', nameservers: ['192.0.2.1', '192.0.2.1', '192.0.2.2'], domains: ['home.test'] },
  { id: 'vpn', nameservers: ['10.8.0.1'], domains: ['corp.test'] },
  { id: 'eth', nameservers: [], domains: ['x.test'] },
];

describe('DNS module', () => {
  it('proxy on: resolv.conf names ::1 and 127.0.0.1 only, the proxy gets services in order', () => {
    const r = rig({ proxy: true, fallback: ['9.9.9.9'] });
    r.m.start();
    r.m.write(['192.0.2.1', '10.8.0.1'], ['home.test', 'corp.test'], services);
    assert.deepEqual(r.files.at(-1), { ns: ['::1', '127.0.0.1'], dom: [] });
    assert.deepEqual(r.configs.at(-1), {
      services: [{ id: 'wifi', servers: ['192.0.2.1', '192.0.2.2'], domains: ['home.test'] },
        { id: 'vpn', servers: ['10.8.0.1'], domains: ['corp.test'] }],
      fallback: ['9.9.9.9'],
    });
    r.m.stop();
    assert.equal(r.stopped(), 1);
  });

  it('-r / --nodnsproxy: the real servers and domains go to resolv.conf, FallbackNameservers when none', () => {
    const r = rig({ proxy: false, fallback: ['9.9.9.9'] });
    r.m.start();
    assert.deepEqual(r.files.at(-1), { ns: ['9.9.9.9'], dom: [] });
    r.m.write(['192.0.2.1'], ['home.test'], services.slice(0, 1));
    assert.deepEqual(r.files.at(-1), { ns: ['192.0.2.1'], dom: ['home.test'] });
    assert.equal(r.configs.length, 0);
  });

  it('a proxy that cannot bind port 53 falls back to resolv.conf, as connmand does', () => {
    const r = rig({ proxy: true, fail: true });
    r.m.start();
    r.m.write(['192.0.2.1'], [], services.slice(0, 1));
    assert.equal(r.m.proxyActive, false);
    assert.deepEqual(r.files.at(-1), { ns: ['192.0.2.1'], dom: [] });
  });

  it('DnsBackend=systemd-resolved: no proxy, no resolv.conf, every service goes to resolved; links reverted at stop', async () => {
    const r = rig({ proxy: true, resolved: true });
    r.m.start();
    r.m.write(['192.0.2.1', '10.8.0.1'], ['home.test', 'corp.test'], services);
    assert.equal(r.m.proxyActive, false);
    assert.equal(r.configs.length, 0);
    assert.equal(r.files.length, 0);
    assert.deepEqual(r.pushed.at(-1)?.perService, services);
    await r.m.stop();
    assert.equal(r.reverted(), 1);
  });

  it('-r wins over DnsBackend=systemd-resolved: resolv.conf gets the real servers', async () => {
    const r = rig({ proxy: false, resolved: true });
    r.m.start();
    r.m.write(['192.0.2.1'], ['home.test'], services.slice(0, 1));
    assert.deepEqual(r.files.at(-1), { ns: ['192.0.2.1'], dom: ['home.test'] });
    assert.equal(r.pushed.length, 0);
    await r.m.stop();
    assert.equal(r.reverted(), 0);
  });

  it('proxyConfig drops services without servers and duplicates', () => {
    assert.deepEqual(proxyConfig([{ id: 'a', nameservers: [], domains: ['d'] }], []), { services: [], fallback: [] });
  });
});
