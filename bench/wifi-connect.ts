// Wi-Fi connect: time from Service.Connect on a forgotten WPA2 network (the agent supplies the passphrase)
// to State "ready" with a DHCP address, connmand 1.41 and Switchyard on the same hwsim radios, hostapd
// access point and wpa_supplicant, in one QEMU guest (test/vm). The guest side is
// test/vm/guest/wifi-compare.guest.ts; this script boots the guest and writes the BENCHMARKS.md section.
// Usage: node dist/bench/wifi-connect.js [--runs N] [--no-write]
import { join } from 'node:path';
import { REPO_ROOT, runInGuest, parseGuestTap } from '../test/vm/guest';
import { staSupplicant, worldScript } from '../test/vm/guest/daemon-world';
import { fmt, machine, ratio, stats, writeSection } from './lib';

const GUEST_FILE = join(REPO_ROOT, 'dist', 'test', 'vm', 'guest', 'wifi-compare.guest.js');

export interface WifiConnectResult { runs: number; ssid: string; results: Record<string, number[]> }

/** The markdown section for a guest's wifi-connect.json. */
export function wifiConnectSection(r: WifiConnectResult, where: string): string {
  const c = stats(r.results.connmand.map((ms) => ms / 1000));
  const s = stats(r.results.switchyard.map((ms) => ms / 1000));
  return `## Wi-Fi connect (WPA2-PSK, agent passphrase, DHCP) in a QEMU guest

\`bench/wifi-connect.ts\`: ${r.runs} runs per daemon in one guest (QEMU TCG, 2 vCPUs, Debian's kernel,
mac80211_hwsim, hostapd 2.10, wpa_supplicant 2.10, dnsmasq). Each run starts from a forgotten network
\`${r.ssid}\`: Service.Connect, the agent answers RequestInput with the passphrase, association, 4-way
handshake, DHCP; timed from the call to the State "ready" signal. connmand runs with \`-P iwd\` (Debian's
build would otherwise hand the radio to its iwd plugin and wait for an iwd that is not running).
Software emulation on a shared host makes every figure noisy and slower than on hardware; compare the
two columns, not the absolute numbers.

| run | ${r.results.connmand.map((_, i) => i + 1).join(' | ')} |
|---|${r.results.connmand.map(() => '---').join('|')}|
| connmand 1.41 (s) | ${r.results.connmand.map((ms) => (ms / 1000).toFixed(2)).join(' | ')} |
| Switchyard (s) | ${r.results.switchyard.map((ms) => (ms / 1000).toFixed(2)).join(' | ')} |

| seconds to ready | connmand 1.41 | Switchyard | connmand / Switchyard |
|---|---|---|---|
| median (min–max) | ${fmt(c, 2)} | ${fmt(s, 2)} | ${ratio(c, s)} |

Host: ${where}
`;
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const runs = Number(args[args.indexOf('--runs') + 1]) || 5;
  const script = `${worldScript()}\n${staSupplicant()}\ncd ${REPO_ROOT}\nexport SY_WIFI_RUNS=${runs} SY_WIFI_KINDS=connmand,switchyard\nexec node --test --test-reporter=tap ${GUEST_FILE}\n`;
  const r = await runInGuest(script, { timeoutS: 300 + runs * 60 });
  const cases = parseGuestTap(r.output);
  for (const c of cases) process.stdout.write(`${c.ok ? 'ok' : 'FAILED'}  ${c.name}\n`);
  const json = r.files['wifi-connect.json'];
  if (r.status !== 0 || !json) throw new Error(`guest run failed (status ${r.status}):\n${r.output}\n${r.runnerLog}`);
  const result = JSON.parse(json) as WifiConnectResult;
  const md = wifiConnectSection(result, machine());
  process.stdout.write(md);
  if (!args.includes('--no-write')) writeSection('wifi-connect', md);
}

if (require.main === module) main().catch((e) => { process.stderr.write(`wifi-connect bench: ${(e as Error).stack}\n`); process.exit(1); });
