// What an integrator sees of switchyardd as a process: bad flags are refused with connmand's exit
// status, a broken main.conf is named and survived, the bus name is exclusive, and SIGTERM / SIGINT end
// the daemon cleanly: exit 0, name released, what it configured removed, nothing left running.
import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Lab, SWITCHYARDD, run } from '../harness';
import { nameHasOwner } from '../harness/private-bus';

const skip = process.getuid?.() !== 0 ? 'needs root for network namespaces' : false;

function switchyardd(args: string[]) {
  return spawnSync(process.execPath, [SWITCHYARDD, ...args], { encoding: 'utf8', timeout: 15_000 });
}

describe('switchyardd command line', () => {
  it('refuses an unknown flag with a message on stderr and exit status 1, starting nothing', () => {
    const r = switchyardd(['--no-such-flag']);
    assert.equal(r.status, 1);
    assert.match(r.stderr, /Unknown option --no-such-flag/);
    assert.equal(r.stdout, '');
  });

  it('refuses a missing option value with exit status 1', () => {
    const r = switchyardd(['--config']);
    assert.equal(r.status, 1);
    assert.match(r.stderr, /Missing argument for --config/i);
  });

  it('prints the version and the help like connmand', () => {
    const v = switchyardd(['-v']);
    assert.equal(v.status, 0);
    assert.match(v.stdout, /^\d+\.\d+/);
    const h = switchyardd(['--help']);
    assert.equal(h.status, 0);
    for (const flag of ['--config', '--debug', '--device', '--nodevice', '--plugin', '--noplugin', '--wifi',
      '--nodaemon', '--nodnsproxy', '--nobacktrace', '--version', '--statedir', '--rundir', '--resolv-conf']) {
      assert.ok(h.stdout.includes(flag), `--help does not mention ${flag}`);
    }
  });
});

for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  describe(`switchyardd stopped with ${signal}`, { skip }, () => {
    let lab: Lab;
    after(async () => {
      await lab?.teardown();
    });

    it('owns net.connman exclusively, then exits 0, releasing the name and the address', async () => {
      lab = await Lab.create();
      const daemon = await lab.startDaemon('switchyard');
      await lab.waitForWiredReady();
      const address = await lab.nearAddress();
      assert.ok(address, 'eth0 got no address');

      // A second instance in the same namespace cannot have the name and says so with status 1.
      const second = await run(['ip', 'netns', 'exec', lab.near, process.execPath, SWITCHYARDD, '-n',
        `--statedir=${join(lab.dir, 'state2')}`, `--rundir=${join(lab.dir, 'run2')}`,
        `--resolv-conf=${join(lab.dir, 'resolv2.conf')}`], { env: lab.clientEnv(), timeoutMs: 15_000 });
      assert.equal(second.code, 1, `second instance: ${second.stderr}`);
      assert.match(second.stderr, /net\.connman/);

      const pid = daemon.proc.pid!;
      process.kill(pid, signal);
      const exit = await Promise.race([daemon.proc.exited,
        new Promise<never>((_, reject) => setTimeout(() => reject(new Error('no exit within 10 s')), 10_000))]);
      assert.deepEqual(exit, { code: 0, signal: null }, lab.daemonLog().slice(-2000));

      assert.equal(await nameHasOwner(lab.busAddress, 'net.connman'), false, 'net.connman still owned');
      const pids = spawnSync('ip', ['netns', 'pids', lab.near], { encoding: 'utf8' }).stdout.trim();
      assert.equal(pids, '', `processes left in the daemon's namespace: ${pids}`);
      assert.equal(await lab.nearAddress(), undefined, 'the leased address was left on eth0');
      assert.doesNotMatch(await lab.ipRoute('near'), /^default /m, 'the default route was left behind');
    });
  });
}

describe('switchyardd with a malformed main.conf', { skip }, () => {
  let lab: Lab;
  after(async () => {
    await lab?.teardown();
  });

  it('names the file and line, keeps the defaults and still brings the cable up', async () => {
    lab = await Lab.create();
    writeFileSync(lab.paths.mainConf, '[General]\nEnableOnlineCheck=false\nthis is not a key file line\n');
    await lab.startDaemon('switchyard');
    await lab.waitForWiredReady();
    const log = lab.daemonLog();
    assert.ok(log.includes(`${lab.paths.mainConf}:3:`), `the log does not name ${lab.paths.mainConf} line 3:\n${log}`);
    assert.match(log, /using defaults/);
  });
});

describe('switchyardd once started', { skip }, () => {
  let lab: Lab;
  after(async () => {
    await lab?.teardown();
  });

  it('drops the pages only start-up read and keeps working on what faults back in', async () => {
    lab = await Lab.create();
    await lab.startDaemon('switchyard');
    await lab.waitForWiredReady();
    const m = /start-up over: dropped ([\d.]+) MiB of clean file pages from (\d+) mappings/.exec(lab.daemonLog());
    assert.ok(m, `no start-up drop in the log:\n${lab.daemonLog().slice(-2000)}`);
    assert.ok(Number(m[1]) > 0 && Number(m[2]) > 0, m[0]);
    // everything after the drop ran on pages faulted back in: the cable came up, and the API answers
    assert.match(await lab.ctl('services'), new RegExp(lab.serviceId));
    assert.ok(await lab.nearAddress(), 'eth0 got no address');
  });
});
