// Fault drill: the daemon is killed with SIGKILL while it is saving state, many times over. Every state
// file must afterwards be a whole version (old or new), never torn, and the daemon must start again on
// it with the saved values in force. Saves are provoked by toggling what the daemon persists at once:
// the Wired technology's Powered (global `settings`, [Wired] Enable) and the cable service's AutoConnect
// (its own `settings` file).
import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as dbus from '@particle/dbus-next';
import { Lab, sleep } from '../harness';
import { KeyFile } from '../../ts/config/keyfile';

const skip = process.getuid?.() !== 0 ? 'needs root for network namespaces' : false;
const ROUNDS = Number(process.env.SY_DRILL_ROUNDS ?? 100);

function callSetProperty(bus: dbus.MessageBus, path: string, iface: string, name: string, value: boolean) {
  return bus.call(new dbus.Message({
    destination: 'net.connman', path, interface: iface, member: 'SetProperty', signature: 'sv',
    body: [name, new dbus.Variant('b', value)],
  })).catch(() => undefined); // AlreadyEnabled, InProgress, the daemon dying: all expected here
}

/** Parses a state file strictly; returns the keyfile or throws with the file's text. */
function parseWhole(file: string): KeyFile {
  const text = readFileSync(file, 'utf8');
  try {
    const kf = KeyFile.parse(text);
    if (!text.endsWith('\n')) throw new Error('no final newline');
    return kf;
  } catch (err) {
    throw new Error(`${file} is torn (${(err as Error).message}):\n${text}`);
  }
}

describe(`drill: SIGKILL during saves, ${ROUNDS} times`, { skip }, () => {
  let lab: Lab;
  after(async () => {
    await lab?.teardown();
  });

  it('leaves every state file whole and the daemon able to start on it', { timeout: 15 * 60_000 }, async () => {
    lab = await Lab.create({ dnsmasqArgs: ['--no-ping'] });
    const globalSettings = join(lab.paths.stateDir, 'settings');
    const serviceSettings = join(lab.paths.stateDir, lab.serviceId, 'settings');
    let killedWhileSaving = 0;

    for (let round = 0; round < ROUNDS; round++) {
      const daemon = await lab.startDaemon('switchyard', [], 30_000);
      if (round === 0) await lab.waitForWiredReady(); // the first round creates the service's file
      const bus = dbus.sessionBus({ busAddress: lab.busAddress });
      let stop = false;
      const hammer = (async () => {
        for (let i = 0; !stop; i++) {
          await Promise.all([
            callSetProperty(bus, '/net/connman/technology/ethernet', 'net.connman.Technology', 'Powered', i % 2 === 1),
            callSetProperty(bus, `/net/connman/service/${lab.serviceId}`, 'net.connman.Service', 'AutoConnect', i % 2 === 1),
          ]);
        }
      })();
      await sleep(20 + Math.floor(Math.random() * 300));
      const before = new Set(readdirSync(lab.paths.stateDir));
      process.kill(daemon.proc.pid!, 'SIGKILL');
      await daemon.proc.exited;
      stop = true;
      // The bus answers calls that were in flight to the dead daemon with an error; a disconnect first
      // would leave them pending forever.
      await Promise.race([hammer, sleep(5000)]);
      bus.disconnect();
      if ([...before].some((f) => f.endsWith('.tmp'))) killedWhileSaving++;

      const g = parseWhole(globalSettings);
      assert.ok(['true', 'false'].includes(g.getString('Wired', 'Enable') ?? ''), `round ${round}: [Wired] Enable missing`);
      if (existsSync(serviceSettings)) {
        const s = parseWhole(serviceSettings);
        assert.ok(['true', 'false'].includes(s.getString(lab.serviceId, 'AutoConnect') ?? ''),
          `round ${round}: AutoConnect missing in the service settings`);
      }
    }

    // The daemon starts on what the drill left, with the persisted values, and sweeps its temporary files.
    await lab.startDaemon('switchyard', [], 30_000);
    const enabled = parseWhole(globalSettings).getString('Wired', 'Enable') === 'true';
    const techs = await lab.ctl('technologies');
    assert.match(techs, new RegExp(`Powered = ${enabled ? 'True' : 'False'}`));
    await sleep(500);
    const leftovers = [lab.paths.stateDir, join(lab.paths.stateDir, lab.serviceId)]
      .flatMap((d) => (existsSync(d) ? readdirSync(d) : []).filter((f) => f.endsWith('.tmp')));
    assert.deepEqual(leftovers, [], 'temporary files from interrupted saves were not cleaned up at start');
    process.stderr.write(`drill: ${ROUNDS} kills, ${killedWhileSaving} with a save visibly in flight\n`);
  });
});
