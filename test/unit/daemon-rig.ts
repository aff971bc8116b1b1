// Builds the real daemon assembly on fakes: platform, bus, clock and store. Shared by unit tests.
import { Daemon } from '../../ts/cli/daemon';
import { parseMainConf, MainConfig } from '../../ts/config/main-conf';
import { MemoryStore } from '../../ts/config/storage';
import { silentLogger } from '../../ts/core/log';
import type { ProvisioningSource } from '../../ts/core/provisioner';
import { FakeBus } from '../fakes/fake-bus';
import { FakeClock } from '../fakes/fake-clock';
import { FakePlatform, ethernetLink, loopbackLink } from '../fakes/fake-platform';

export const MAC = '02:db:f5:c8:70:e2';
export const SERVICE_ID = 'ethernet_02dbf5c870e2_cable';
export const SERVICE_PATH = `/net/connman/service/${SERVICE_ID}`;

export class ResolvRecorder { writes: { ns: string[]; domains: string[] }[] = []; write(ns: readonly string[], d: readonly string[]) { this.writes.push({ ns: [...ns], domains: [...d] }); } }

export interface Rig {
  platform: FakePlatform; bus: FakeBus; clock: FakeClock; store: MemoryStore; resolv: ResolvRecorder; daemon: Daemon; config: MainConfig;
}

/** lets queued promise callbacks and setImmediate netlink events run */
export async function settle(rounds = 10): Promise<void> {
  for (let i = 0; i < rounds; i++) await new Promise((r) => setImmediate(r));
}

export async function startRig(opts: { conf?: string; store?: MemoryStore; withEth?: boolean; device?: string[]; nodevice?: string[]; provisioning?: ProvisioningSource } = {}): Promise<Rig> {
  const platform = new FakePlatform();
  platform.netlink.addLink(loopbackLink());
  if (opts.withEth !== false) platform.netlink.addLink(ethernetLink(2, 'eth0', MAC));
  const bus = new FakeBus();
  const clock = new FakeClock();
  const store = opts.store ?? new MemoryStore();
  const resolv = new ResolvRecorder();
  const config = parseMainConf(opts.conf ?? '[General]\nEnableOnlineCheck=false\n').config;
  const daemon = new Daemon({ platform, bus, clock, store, config, resolv, log: silentLogger, device: opts.device, nodevice: opts.nodevice, provisioning: opts.provisioning });
  await daemon.start();
  await settle();
  return { platform, bus, clock, store, resolv, daemon, config };
}

/** runs autoconnect and the 100 ms ServicesChanged window */
export async function tick(rig: Rig, ms = 0): Promise<void> {
  await settle();
  rig.clock.advance(ms);
  await settle();
}
