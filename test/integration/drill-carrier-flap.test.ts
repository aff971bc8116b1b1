// Fault drill: the cable is pulled and plugged 1,000 times, faster than DHCP can finish. The daemon must
// come out of it with the wired service ready again, and without leaking: its file descriptors and its
// memory stay where they were after a warm-up of the same flapping.
import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { Lab, sleep } from '../harness';

const skip = process.getuid?.() !== 0 ? 'needs root for network namespaces' : false;
const FLAPS = Number(process.env.SY_DRILL_FLAPS ?? 1000);
const WARMUP = Math.min(100, Math.floor(FLAPS / 10));

function footprint(pid: number): { fds: number; rssMiB: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const rss = Number(/^VmRSS:\s+(\d+) kB/m.exec(status)?.[1] ?? NaN);
  return { fds: readdirSync(`/proc/${pid}/fd`).length, rssMiB: rss / 1024 };
}

/** What each open descriptor is, to say what leaked. */
function fdList(pid: number): string {
  const counts = new Map<string, number>();
  for (const fd of readdirSync(`/proc/${pid}/fd`)) {
    let target = '?';
    try {
      target = readlinkSync(`/proc/${pid}/fd/${fd}`).replace(/\[\d+\]$/, '');
    } catch {
      // closed meanwhile
    }
    counts.set(target, (counts.get(target) ?? 0) + 1);
  }
  return [...counts].map(([t, n]) => `${n} × ${t}`).join('\n');
}

describe(`drill: carrier flapped ${FLAPS} times`, { skip }, () => {
  let lab: Lab;
  after(async () => {
    await lab?.teardown();
  });

  it('recovers to ready with file descriptors and memory flat', { timeout: 10 * 60_000 }, async () => {
    lab = await Lab.create({ dnsmasqArgs: ['--no-ping'] });
    const daemon = await lab.startDaemon('switchyard');
    await lab.waitForWiredReady();
    const pid = daemon.proc.pid!;

    const flap = async (n: number) => {
      for (let i = 0; i < n; i++) {
        await lab.setCable(1, false);
        if (i % 7 === 0) await sleep(Math.floor(Math.random() * 40)); // sometimes let DHCP get going
        await lab.setCable(1, true);
      }
    };
    const settle = async () => {
      await lab.waitForWiredReady({ timeoutMs: 60_000 });
      await sleep(1000); // let timers and closed sockets drain
      return footprint(pid);
    };

    await flap(WARMUP);
    const base = await settle();
    await flap(FLAPS - WARMUP);
    assert.ok(daemon.running, `the daemon died during the drill:\n${lab.daemonLog().slice(-3000)}`);
    const end = await settle();

    const addr = await lab.nearAddress();
    assert.ok(addr, 'no address on eth0 after the drill');
    process.stderr.write(`drill: fds ${base.fds} -> ${end.fds}, RSS ${base.rssMiB.toFixed(1)} -> ${end.rssMiB.toFixed(1)} MiB\n`);
    assert.ok(end.fds <= base.fds + 2, `file descriptors grew from ${base.fds} to ${end.fds}:\n${fdList(pid)}`);
    // V8 grows its heap in steps; a leak of even 1 kB per flap would add ~1 MiB here.
    assert.ok(end.rssMiB <= base.rssMiB + 8, `RSS grew from ${base.rssMiB.toFixed(1)} to ${end.rssMiB.toFixed(1)} MiB`);
  });
});
