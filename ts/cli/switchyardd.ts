// switchyardd entry point: parse flags like connmand, daemonize unless -n, load main.conf, own
// net.connman, run until SIGTERM/SIGINT, then shut down cleanly and exit 0.
import * as path from 'node:path';
import { existsSync, renameSync, writeFileSync } from 'node:fs';
import { DaemonOptions, UsageError, helpText, parseArgs } from './args';
import { loadMainConf } from '../config/main-conf';
import { FileStore } from '../config/storage';
import { ServiceStore } from '../config/service-store';
import { ProvisioningStore } from '../config/provisioning-store';
import { realClock } from '../core/clock';
import { createLogger } from '../core/log';
import { resolveDebug } from './debug-env';
import { DnsModule } from '../core/dns-proxy';
import { ResolvedBackend } from '../core/dns-resolved';
import { Bus } from '../dbus/bus';
import type { Platform } from '../platform/types';
import { Daemon } from './daemon';

export const VERSION = '1.41';

function daemonize(argv: string[]): never {
  // Node cannot fork(); the honest equivalent of daemon(0,0) is a detached copy of ourselves with -n,
  // its stdio on /dev/null, in a new session.
  // child_process is required where it is used: the daemon itself never needs it (BENCHMARKS.md, memory)
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { spawn } = require('node:child_process') as typeof import('node:child_process');
  const child = spawn(process.execPath, [...process.execArgv, process.argv[1], '-n', ...argv], {
    detached: true, stdio: 'ignore', cwd: '/',
  });
  child.unref();
  process.exit(0);
}

async function run(opts: DaemonOptions): Promise<number> {
  const log = createLogger(resolveDebug(opts.debug));
  const conf = loadMainConf(opts.config);
  for (const w of conf.warnings) log.warn(w);
  const config = conf.config;
  // --resolv-conf wins; otherwise main.conf's ResolvConf; otherwise our default path.
  const resolvPath = opts.resolvConfExplicit ? opts.resolvConf : config.ResolvConf ?? opts.resolvConf;

  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const native = require('../platform/native') as typeof import('../platform/native');
  const platform: Platform = native.createNativePlatform();

  let bus: Bus;
  try {
    bus = await Bus.connect();
  } catch (e) {
    process.stderr.write(`switchyardd: failed to connect to the system bus: ${(e as Error).message}\n`);
    return 1;
  }
  let stopping = false;
  bus.onLost((why) => {
    if (stopping) return;
    log.error(`D-Bus connection lost (${why.message}); reconnecting`);
    void rejoinBus(bus, log, () => stopping);
  });

  const problem = (p: { file: string; line?: number; message: string }) => log.warn(`ignoring ${p.file}${p.line ? `:${p.line}` : ''}: ${p.message}`);
  let resolved: ResolvedBackend | undefined;
  if (config.DnsBackend === 'systemd-resolved' && !opts.nodnsproxy) {
    resolved = new ResolvedBackend(bus, log);
    await resolved.follow();
  }
  const dns = new DnsModule({ platform, log, resolvPath, proxy: !opts.nodnsproxy, fallback: config.FallbackNameservers, resolved });
  const store = new FileStore(opts.statedir, problem);
  process.umask(0o077);
  const provisioning = new ProvisioningStore(opts.statedir);
  provisioning.on('problem', (p) => log.warn(`${p.file}${p.line ? `:${p.line}` : ''}: ${p.message}`));
  const daemon = new Daemon({
    platform, bus, clock: realClock, store, config, resolv: dns, dns, log,
    services: new ServiceStore(opts.statedir, problem), provisioning,
    // settimeofday through date(1): Node has no binding for it, and Clock.Time is set rarely
    setSystemTime: (sec) => {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const { execFileSync } = require('node:child_process') as typeof import('node:child_process');
      execFileSync('date', ['-u', '-s', `@${Math.trunc(sec)}`], { stdio: 'ignore' }); },
    device: opts.device, nodevice: opts.nodevice, plugin: opts.plugin, noplugin: opts.noplugin,
    wifi: { bus, driver: opts.wifi },
  });

  if (!(await bus.requestName('net.connman'))) {
    process.stderr.write('switchyardd: D-Bus name net.connman is already owned\n');
    bus.disconnect();
    return 1;
  }
  await daemon.start();
  log.info(`Switchyard version ${VERSION} (connmand ${VERSION} compatible), state ${path.resolve(opts.statedir)}`);
  if (!process.env.SWITCHYARD_KEEP_STARTUP_PAGES) setImmediate(() => dropStartupPages(native, log));

  return new Promise<number>((resolve) => {
    const shutdown = async () => {
      if (stopping) return;
      stopping = true;
      try {
        await bus.releaseName();
        await daemon.stop();
      } catch (e) {
        log.error(`shutdown: ${(e as Error).message}`);
      }
      bus.disconnect();
      resolve(0);
    };
    process.on('SIGTERM', () => void shutdown());
    process.on('SIGINT', () => void shutdown());
  });
}

/**
 * Start-up is over: the pages of Node's executable and of the libraries that only start-up read
 * (about 30 MiB, BENCHMARKS.md, memory) stop counting in RSS; what the daemon still uses faults back
 * in. SWITCHYARD_KEEP_STARTUP_PAGES=1 keeps them (to compare, or to read a core file with every page).
 */
function dropStartupPages(native: typeof import('../platform/native'), log: ReturnType<typeof createLogger>): void {
  try {
    const r = native.dropStartupPages();
    if (r) log.info(`start-up over: dropped ${(r.kib / 1024).toFixed(1)} MiB of clean file pages from ${r.mappings} mappings`);
  } catch (e) {
    log.warn(`could not drop start-up pages: ${(e as Error).message}`);
  }
}

/**
 * After the bus daemon went away (restarted, or crashed and restarted by systemd): connect again, with
 * backoff, and take net.connman back; the network keeps running meanwhile. Exits 1 only if another
 * peer has taken the name, since two connection managers must never both run.
 */
async function rejoinBus(bus: Bus, log: ReturnType<typeof createLogger>, stopping: () => boolean): Promise<void> {
  for (let delay = 50; !stopping(); delay = Math.min(delay * 2, 5000)) {
    await new Promise((r) => setTimeout(r, delay));
    if (stopping()) return;
    try {
      if (!(await bus.reconnect())) {
        log.error('D-Bus name net.connman is owned by another peer now; exiting');
        process.exit(1);
      }
      log.info('back on the bus as net.connman');
      return;
    } catch (e) {
      log.debug('switchyardd', `bus not reachable yet: ${(e as Error).message}`);
    }
  }
}

/**
 * A measuring hook for bench/memory-map.ts and bench/soak.ts: with SWITCHYARD_MEMSTATS=<file>, SIGUSR2
 * writes V8's heap figures and the loaded modules there; if <file>.gc exists, after a full GC, so the
 * live heap shows apart from garbage not yet collected. Off unless asked for: a device never has it.
 */
export function memStatsOnSignal(file: string): void {
  process.on('SIGUSR2', () => {
    /* eslint-disable @typescript-eslint/no-require-imports */
    const v8 = require('node:v8') as typeof import('node:v8');
    if (existsSync(`${file}.gc`)) {
      v8.setFlagsFromString('--expose-gc');
      (require('node:vm') as typeof import('node:vm')).runInNewContext('gc')();
    }
    /* eslint-enable @typescript-eslint/no-require-imports */
    const stats = {
      heap: v8.getHeapStatistics(), spaces: v8.getHeapSpaceStatistics(), usage: process.memoryUsage(),
      modules: Object.keys(require.cache),
      builtins: (process as unknown as { moduleLoadList: string[] }).moduleLoadList.filter((m) => m.startsWith('NativeModule ')),
    };
    writeFileSync(`${file}.tmp`, JSON.stringify(stats));
    renameSync(`${file}.tmp`, file);
  });
}

export function main(argv: string[]): void {
  let opts: DaemonOptions;
  try {
    opts = parseArgs(argv);
  } catch (e) {
    if (e instanceof UsageError) {
      process.stderr.write(`${e.message}\n`);
      process.exit(1);
    }
    throw e;
  }
  if (opts.help) { process.stdout.write(helpText()); process.exit(0); }
  if (opts.version) { process.stdout.write(`${VERSION}\n`); process.exit(0); }
  if (!opts.nodaemon) daemonize(argv);
  if (process.env.SWITCHYARD_MEMSTATS) memStatsOnSignal(process.env.SWITCHYARD_MEMSTATS);
  run(opts).then((code) => process.exit(code), (e) => {
    process.stderr.write(`switchyardd: ${(e as Error).stack ?? e}\n`);
    process.exit(1);
  });
}

if (require.main === module) main(process.argv.slice(2));
