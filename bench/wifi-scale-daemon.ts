// The daemon side of bench/wifi-scale.ts: Switchyard's real assembly (Manager, D-Bus API, Wi-Fi plugin)
// on a real bus, over a fake platform whose one link is wireless (wlan0), so the Wi-Fi plugin drives the
// mock wpa_supplicant of bench/mock-supplicant.py. The lab's veth links are not wireless, and no radio
// here shows a thousand networks, so the kernel side is the part this bench leaves out.
// Usage (by bench/wifi-scale.ts): node dist/bench/wifi-scale-daemon.js <bus address>
import { Daemon } from '../ts/cli/daemon';
import { parseMainConf } from '../ts/config/main-conf';
import { MemoryStore } from '../ts/config/storage';
import { realClock } from '../ts/core/clock';
import { createLogger, silentLogger } from '../ts/core/log';
import { Bus } from '../ts/dbus/bus';
import { memStatsOnSignal } from '../ts/cli/switchyardd';
import { FakePlatform, IFF_UP, loopbackLink } from '../test/fakes/fake-platform';

async function main(address: string): Promise<void> {
  if (process.env.SWITCHYARD_MEMSTATS) memStatsOnSignal(process.env.SWITCHYARD_MEMSTATS);
  const platform = new FakePlatform();
  platform.netlink.addLink(loopbackLink());
  platform.netlink.addLink({ index: 3, name: 'wlan0', arphrd: 1, mac: '02:00:00:00:01:00', flags: IFF_UP, mtu: 1500, operstate: 2, kind: '', wireless: true });
  const bus = await Bus.connect(address);
  const config = parseMainConf('[General]\nEnableOnlineCheck=false\n').config;
  const daemon = new Daemon({
    platform, bus, clock: realClock, store: new MemoryStore(), config,
    log: process.env.WIFI_SCALE_DEBUG ? createLogger(['*']) : silentLogger,
    resolv: { write() { /* no resolv.conf here */ } }, wifi: { bus },
  });
  if (!(await bus.requestName('net.connman'))) throw new Error('net.connman is taken');
  await daemon.start();
  process.stdout.write('ready\n');
  process.on('SIGTERM', () => { void daemon.stop().finally(() => process.exit(0)); });
}

main(process.argv[2]).catch((e) => { process.stderr.write(`${(e as Error).stack}\n`); process.exit(1); });
