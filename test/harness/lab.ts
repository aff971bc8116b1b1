// `npm run lab`: bring up one lab with a daemon in it and leave it for a human to poke at.
//   npm run lab                      Switchyard (bin/switchyardd)
//   npm run lab -- --reference       connmand 1.41 instead
//   npm run lab -- --once            show the state and tear down (also the default without a TTY)
//   npm run lab -- [...] -- -d       anything after a second "--" goes to the daemon
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Lab } from './network-lab';
import { DaemonKind } from './daemon';
import { DNS_RECORDS, FAR_ADDR } from './far-side';
import { REPO_ROOT } from './private-bus';

interface Options {
  kind: DaemonKind;
  once: boolean;
  daemonArgs: string[];
}

function parseArgs(argv: string[]): Options {
  const opts: Options = { kind: 'switchyard', once: !process.stdin.isTTY, daemonArgs: [] };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--reference') opts.kind = 'connmand';
    else if (a === '--once') opts.once = true;
    else if (a === '--') {
      opts.daemonArgs = argv.slice(i + 1);
      break;
    } else if (a === '-h' || a === '--help') {
      process.stdout.write('usage: npm run lab -- [--reference] [--once] [-- daemon args]\n');
      process.exit(0);
    } else throw new Error(`unknown option ${a} (try --help)`);
  }
  return opts;
}

function section(title: string, body: string): void {
  process.stdout.write(`\n== ${title}\n${body.replace(/\n*$/, '\n')}`);
}

function pokeCommands(lab: Lab): string {
  const bus = `DBUS_SYSTEM_BUS_ADDRESS=${lab.busAddress}`;
  const logName = lab.daemon?.kind ?? 'daemon';
  const [name] = Object.keys(DNS_RECORDS);
  return [
    `export ${bus}`,
    `${bus} connmanctl services ${lab.serviceId}`,
    `${bus} connmanctl            # interactive`,
    `busctl --address=${lab.busAddress} tree net.connman`,
    `dbus-monitor --address ${lab.busAddress} "sender='net.connman'"`,
    `ip netns exec ${lab.near} ip addr`,
    `ip netns exec ${lab.near} ip route`,
    `ip netns exec ${lab.near} ${process.execPath} ${join(__dirname, 'dns-query.js')} 127.0.0.1 ${name}`,
    `ip netns exec ${lab.near} ${process.execPath} ${join(__dirname, 'dns-query.js')} ${FAR_ADDR} ${name}`,
    `ip netns exec ${lab.far} tcpdump -ni far0`,
    `tail -f ${join(lab.dir, `${logName}.err`)} ${join(lab.dir, 'dnsmasq.log')}`,
    `ls ${lab.paths.stateDir}   # the daemon's /var/lib/connman`,
  ].join('\n');
}

async function show(lab: Lab): Promise<void> {
  section('connmanctl technologies', await lab.ctl('technologies'));
  section('connmanctl services', await lab.ctl('services'));
  section(`connmanctl services ${lab.serviceId}`, await lab.ctl('services', lab.serviceId));
  section(`ip -n ${lab.near} addr`, await lab.ipAddr('near'));
  section(`ip -n ${lab.near} route`, await lab.ipRoute('near'));
  section('dnsmasq leases', lab.leases().map((l) => `${l.ip} ${l.mac} ${l.hostname}`).join('\n') || '(none)');
  section('poke at it', pokeCommands(lab));
}

async function main(): Promise<number> {
  const opts = parseArgs(process.argv.slice(2));
  if (!existsSync(join(REPO_ROOT, 'dist'))) throw new Error('dist/ is missing: run `npm run build` first');
  if (opts.kind === 'switchyard' && !existsSync(join(REPO_ROOT, 'bin', 'switchyardd'))) {
    throw new Error('bin/switchyardd is missing (use --reference to run connmand 1.41)');
  }
  const lab = await Lab.create();
  let stopping = false;
  const stop = async (code: number) => {
    if (stopping) return;
    stopping = true;
    process.stdout.write('\ncleaning up the lab...\n');
    await lab.teardown();
    process.exit(code);
  };
  process.on('SIGINT', () => void stop(130));
  process.on('SIGTERM', () => void stop(143));
  try {
    process.stdout.write(`lab ${lab.tag}: near=${lab.near} far=${lab.far} mac=${lab.mac} dir=${lab.dir}\n`);
    await lab.startDaemon(opts.kind, opts.daemonArgs);
    process.stdout.write(`${opts.kind} owns net.connman; waiting for ${lab.serviceId} to be ready...\n`);
    await lab.waitForWiredReady();
    await show(lab);
  } catch (err) {
    process.stderr.write(`\nlab failed: ${(err as Error).message}\n`);
    const log = lab.daemonLog();
    if (log) section(`${opts.kind} log (last 60 lines)`, log.split('\n').slice(-60).join('\n'));
    await stop(1);
    return 1;
  }
  if (opts.once) {
    await stop(0);
    return 0;
  }
  process.stdout.write('\nThe lab stays up until Ctrl-C.\n');
  await new Promise(() => undefined);
  return 0;
}

main().catch((err) => {
  process.stderr.write(`lab: ${(err as Error).message}\n`);
  process.exit(1);
});
