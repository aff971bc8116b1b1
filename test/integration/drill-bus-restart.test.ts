// Fault drill: the system bus daemon dies (SIGKILL) under a running Switchyard and a new one starts on
// the same socket. The daemon must keep the network up meanwhile, come back as net.connman with its
// objects, answer calls and send signals again, and not leak a descriptor per restart.
import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { Lab, run, sleep } from '../harness';

const skip = process.getuid?.() !== 0 ? 'needs root for network namespaces' : false;
const ROUNDS = Number(process.env.SY_DRILL_BUS_ROUNDS ?? 5);

const fds = (pid: number) => readdirSync(`/proc/${pid}/fd`).length;

describe(`drill: dbus-daemon killed and restarted ${ROUNDS} times`, { skip }, () => {
  let lab: Lab;
  after(async () => {
    await lab?.teardown();
  });

  it('comes back as net.connman each time, with its objects, calls and signals', { timeout: 5 * 60_000 }, async () => {
    lab = await Lab.create({ dnsmasqArgs: ['--no-ping'] });
    const daemon = await lab.startDaemon('switchyard');
    await lab.waitForWiredReady();
    const pid = daemon.proc.pid!;
    const address = await lab.nearAddress();
    assert.ok(address);
    const before = fds(pid);

    for (let round = 1; round <= ROUNDS; round++) {
      await lab.restartBus();
      // Alternate: sometimes the bus is back before the daemon notices, sometimes it is away a while.
      if (round % 2 === 0) await sleep(1500);
      await lab.waitForBusName('net.connman', { timeoutMs: 15_000 });
      assert.ok(daemon.running, `round ${round}: the daemon exited:\n${lab.daemonLog().slice(-3000)}`);
      assert.equal(await lab.nearAddress(), address, `round ${round}: the address changed while the bus was away`);

      // Objects are there again: the service, as clients list it, and introspection of "/".
      const svc = await lab.waitForWiredReady({ timeoutMs: 15_000 });
      assert.equal(svc.id, lab.serviceId);
      const tree = await run(['busctl', `--address=${lab.busAddress}`, 'tree', 'net.connman', '--list'], { timeoutMs: 10_000 });
      assert.equal(tree.code, 0, tree.stderr);
      assert.ok(tree.stdout.includes(`/net/connman/service/${lab.serviceId}`), `round ${round}: service object missing:\n${tree.stdout}`);

      // Signals reach clients again: a property change is seen by a monitor on the new bus.
      const log = `${lab.dir}/monitor-${round}.log`;
      const mon = lab.startMonitor(log, ["type='signal',sender='net.connman',interface='net.connman.Technology',member='PropertyChanged'"]);
      await sleep(300);
      const tech = '/net/connman/technology/ethernet';
      for (const on of ['false', 'true']) {
        const r = await run(['dbus-send', `--bus=${lab.busAddress}`, '--print-reply', '--dest=net.connman', tech,
          'net.connman.Technology.SetProperty', 'string:Powered', `variant:boolean:${on}`], { timeoutMs: 10_000 });
        assert.equal(r.code, 0, `round ${round}: SetProperty Powered ${on}: ${r.stderr}`);
      }
      await lab.waitUntil(() => {
        const text = readFileSync(log, 'utf8');
        return /boolean false/.test(text) && /boolean true/.test(text);
      }, { timeoutMs: 10_000, what: `round ${round}: Powered PropertyChanged signals on the new bus` });
      await mon.stop(1000);
      await lab.waitForWiredReady({ timeoutMs: 30_000 });
    }

    assert.ok(daemon.running, 'the daemon exited');
    await sleep(1000);
    const afterFds = fds(pid);
    process.stderr.write(`drill: ${ROUNDS} bus restarts, fds ${before} -> ${afterFds}\n`);
    assert.ok(afterFds <= before + 2, `file descriptors grew from ${before} to ${afterFds}`);
    assert.match(lab.daemonLog(), /back on the bus as net\.connman/);
  });
});
