// Runs INSIDE the test guest: the same WPA2 connect scenario against connmand 1.41 and Switchyard, one
// after the other on the same radios, wpa_supplicant and access point. Each run starts from a forgotten
// network: Service.Connect, the agent answers the passphrase, DHCP; timed from the Connect call to the
// State "ready" signal. Leaves wifi-connect.json in $VM_RESULTS for bench/wifi-connect.ts.
// SY_WIFI_KINDS picks the daemons: the test tier runs connmand alone, as a functional check of the same
// world (Switchyard's connects are wifi-daemon.guest.ts's); the benchmark runs both.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Bus } from '../../../ts/dbus/bus';
import { unwrap } from '../../../ts/plugins/wifi/dbus-client';
import type { DaemonKind } from '../../harness/daemon';
import { waitUntil } from '../../harness/wait';
import { PASSPHRASE } from './daemon-world';
import { SYSTEM_BUS, TestAgent, WifiLab, serviceId, servicePath } from './wifi-lab';

const RUNS = Number(process.env.SY_WIFI_RUNS ?? 3);
const SSID = 'sy-wpa2';
const results: Record<string, number[]> = {};
let bus: Bus;
let agent: TestAgent;

/** Progress in $VM_RESULTS/progress.log, readable on the host while the guest still runs. */
function progress(msg: string): void {
  if (process.env.VM_RESULTS) appendFileSync(join(process.env.VM_RESULTS, 'progress.log'), `${(performance.now() / 1000).toFixed(1)} ${msg}\n`);
}

before(async () => {
  bus = await Bus.connect(SYSTEM_BUS);
  agent = new TestAgent(bus);
});
after(() => {
  if (process.env.VM_RESULTS) writeFileSync(join(process.env.VM_RESULTS, 'wifi-connect.json'), JSON.stringify({ runs: RUNS, ssid: SSID, results }));
  bus?.disconnect();
});

async function timeToReady(lab: WifiLab, id: string): Promise<number> {
  const path = servicePath(id);
  const owner = await bus.nameOwner('net.connman');
  let readyAt = 0;
  const off = await bus.subscribe({ sender: owner, path, interface: 'net.connman.Service', member: 'PropertyChanged' }, (s) => {
    if (s.body[0] === 'State' && ['ready', 'online'].includes(String(unwrap({ v: s.body[1] }).v)) && !readyAt) readyAt = performance.now();
  });
  try {
    const t0 = performance.now();
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([bus.call('net.connman', path, 'net.connman.Service', 'Connect'),
      new Promise((_, reject) => { timer = setTimeout(() => reject(new Error(`no reply to Connect on ${id} in 90 s`)), 90_000); })])
      .finally(() => clearTimeout(timer));
    await waitUntil(() => readyAt > 0, { timeoutMs: 60_000, intervalMs: 20, what: `${id} ready` });
    return readyAt - t0;
  } finally { await off(); }
}

const KINDS = (process.env.SY_WIFI_KINDS ?? 'connmand,switchyard').split(',') as DaemonKind[];

for (const kind of KINDS) {
  test(`${kind}: WPA2 connect with the agent's passphrase, ${RUNS} runs, time to ready`, async () => {
    const dir = `/tmp/sy-bench-${kind}`;
    rmSync(dir, { recursive: true, force: true });
    const lab = new WifiLab(bus, dir);
    progress(`${kind}: starting`);
    // Debian's connmand also carries its iwd plugin, which claims the radio first and then waits for an
    // iwd that is not there; -P iwd leaves the radio to its wpa_supplicant plugin, as on a wpa_supplicant image
    await lab.start(kind, kind === 'connmand' ? ['-P', 'iwd'] : []);
    try {
      progress(`${kind}: on the bus`);
      await agent.register();
      progress(`${kind}: agent registered`);
      const id = serviceId(SSID, 'psk');
      agent.answers.set(servicePath(id), { Passphrase: PASSPHRASE });
      const enabled = await lab.ctl('enable', 'wifi');
      progress(`${kind}: enable wifi: ${enabled}`);
      assert.equal(enabled, 'Enabled wifi');
      await waitUntil(async () => { progress(`${kind}: scan: ${await lab.ctl('scan', 'wifi')}`); return (await lab.services()).has(id); },
        { timeoutMs: 60_000, intervalMs: 500, what: `${SSID} scanned` });
      const times: number[] = [];
      for (let i = 0; i < RUNS; i++) {
        times.push(await timeToReady(lab, id));
        progress(`${kind}: run ${i}: ${times.at(-1)!.toFixed(0)} ms`);
        if (i === RUNS - 1) break;
        await lab.ctl('config', id, '--remove');
        await lab.waitState(id, ['idle'], 30_000);
        // the same start for every run: the network seen in a fresh scan
        await lab.ctl('scan', 'wifi');
      }
      results[kind] = times;
      process.stdout.write(`# ${kind} time to ready (ms): ${times.map((t) => t.toFixed(0)).join(' ')}\n`);
    } finally {
      await lab.stop().catch(() => undefined);
      const log = join(dir, `${kind}.err`);
      if (process.env.VM_RESULTS && existsSync(log)) writeFileSync(join(process.env.VM_RESULTS, `compare-${kind}.err`), readFileSync(log));
    }
  });
}
