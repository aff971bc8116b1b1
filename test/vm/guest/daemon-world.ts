// The Wi-Fi world the daemon tests run against, shared by the host side (which turns it into a setup
// script) and the guest side (which knows what it should find). Radios 0..n-1 are access points in the
// "ap" namespace, each with its own dnsmasq; the two "sy-roam" access points share a bridge and one
// dnsmasq, so a station keeps its address when it moves between them. The last radio is the station,
// moved into the "sta" namespace where wpa_supplicant and the daemon under test run; one more radio stays
// in the guest's own namespace for the wpa_supplicant client tests (supplicant.guest.ts), which run first
// against a wpa_supplicant that D-Bus activation starts there.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { GUEST_LIB, REPO_ROOT } from '../guest';

export type Security = 'open' | 'wpa2' | 'sae' | 'wpa2-sae' | 'wep' | 'eap';

export interface WorldAp {
  ssid: string;
  security: Security;
  passphrase?: string;
  channel: number;
  hidden?: boolean;
  /** roaming pair: on the bridge br-roam */
  bridged?: boolean;
  /** hostapd.conf lines besides the security ones */
  extra?: string;
}

export const PASSPHRASE = 'correct horse battery';
export const WEP_KEY = 'sy-wp';
/**
 * Test certificates, made on the host (openssl is quick there, RSA keys are slow under emulation) and read
 * by the guest through its read-only view of the host; kept in the gitignored cache for a week.
 */
export const CERTS = join(REPO_ROOT, 'test', 'vm', '.cache', 'certs');

/** Host side: makes CERTS when missing or older than a week (they are valid for 30 days). */
export function ensureCerts(): void {
  const ca = join(CERTS, 'ca.pem');
  if (existsSync(ca) && Date.now() - statSync(ca).mtimeMs < 7 * 86_400_000) return;
  // two Wi-Fi guest tests start at once in the vm tier: one makes the certificates, the other waits for
  // them under the lock and then finds them fresh
  mkdirSync(dirname(CERTS), { recursive: true });
  execFileSync('flock', [`${CERTS}.lock`, 'sh', '-c', `[ -n "$(find "$1/ca.pem" -mtime -7 2>/dev/null)" ] || { . ${GUEST_LIB} && make_certs "$1"; }`,
    'sh', CERTS], { stdio: 'inherit' });
}

export const WORLD: WorldAp[] = [
  { ssid: 'sy-open', security: 'open', channel: 1 },
  // advertises WPS as a configured access point (connmand then lists "wps" in Security)
  { ssid: 'sy-wpa2', security: 'wpa2', passphrase: PASSPHRASE, channel: 6, extra: 'wps_state=2\neap_server=1' },
  { ssid: 'sy-sae', security: 'sae', passphrase: PASSPHRASE, channel: 11 },
  { ssid: 'sy-mixed', security: 'wpa2-sae', passphrase: PASSPHRASE, channel: 6 },
  { ssid: 'sy-hidden', security: 'wpa2', passphrase: PASSPHRASE, channel: 1, hidden: true },
  { ssid: 'sy-eap', security: 'eap', channel: 11 },
  { ssid: 'sy-wep', security: 'wep', passphrase: WEP_KEY, channel: 1 },
  { ssid: 'sy-roam', security: 'wpa2', passphrase: PASSPHRASE, channel: 1, bridged: true },
  { ssid: 'sy-roam', security: 'wpa2', passphrase: PASSPHRASE, channel: 11, bridged: true },
];

export const STATION_PHY = `phy${WORLD.length}`;
export const STATION = `wlan${WORLD.length}`;
export const STA_NS = 'sta';
export const AP_NS = 'ap';

/** hwsim radio i has the permanent address 02:00:00:00:<i>:00. */
export function apBssid(i: number): string { return `02:00:00:00:${i.toString(16).padStart(2, '0')}:00`; }
export const STATION_MAC = apBssid(WORLD.length);
/** the radio the wpa_supplicant client tests use, in the guest's own namespace */
export const CLIENT = `wlan${WORLD.length + 1}`;
export function channelMhz(channel: number): number { return 2407 + 5 * channel; }

function startAp(ap: WorldAp, i: number): string {
  const extra = [ap.hidden ? 'ignore_broadcast_ssid=1' : '', ap.bridged ? 'bridge=br-roam' : '', ap.extra ?? ''].filter(Boolean).join('\n');
  return `start_ap wlan${i} ${ap.ssid} ${ap.security} '${ap.passphrase ?? ''}' ${ap.channel} '${extra}'`;
}

/**
 * Shell that builds the world: radios, access points and DHCP (in parallel), a system bus.
 * wpa_supplicant is not running yet: staSupplicant() starts the station's.
 */
export function worldScript(): string {
  ensureCerts();
  const phys = WORLD.map((_, i) => `phy${i}`).join(' ');
  const aps = WORLD.map((ap, i) => `( ${startAp(ap, i)} ) & pids="$pids $!"`).join('\n');
  const dhcp = [...WORLD.map((ap, i) => (ap.bridged ? '' : `wlan${i} 10.77.${i}`)), 'br-roam 10.77.99'].filter(Boolean)
    .map((a) => `( dhcp_server ${a} ) & pids="$pids $!"`).join('\n');
  return `set -e
. ${GUEST_LIB}
t() { echo "world: $1 at $(cut -d' ' -f1 /proc/uptime) s"; }
CERTS=${CERTS}
hwsim ${WORLD.length + 2}
ap_namespace ${AP_NS} ${phys}
ip -n ${AP_NS} link add br-roam type bridge
ip -n ${AP_NS} link set br-roam up
# access points and their DHCP servers all start at once: most of the time is hostapd coming up
pids=""
${aps}
${dhcp}
for p in $pids; do wait $p; done
t "access points and dnsmasq"
ip netns add ${STA_NS}
iw phy ${STATION_PHY} set netns name ${STA_NS}
ip -n ${STA_NS} link set lo up
ip link set ${CLIENT} up
system_bus
echo "world ready after $(cut -d' ' -f1 /proc/uptime) s of uptime"
`;
}

/**
 * Shell: whatever wpa_supplicant the client tests left in the guest's own namespace goes, and the
 * station's starts in its namespace (one bus name, fi.w1.wpa_supplicant1, for one of them at a time).
 */
export function staSupplicant(): string {
  return `for p in $(pidof wpa_supplicant); do kill $p; done
wait_until 10 sh -c '! pidof wpa_supplicant'
ip netns exec ${STA_NS} wpa_supplicant -B -u -s -O /run/wpa_supplicant -P /run/wpa_supplicant.pid
wait_until 10 sh -c 'dbus-send --system --print-reply --dest=org.freedesktop.DBus / org.freedesktop.DBus.GetNameOwner string:fi.w1.wpa_supplicant1'
`;
}

/**
 * Shell (run inside the guest) that takes access point i off the air or puts it back. apUp returns once
 * hostapd is started: whoever needs the access point waits for what it does (a station associating).
 */
export function apDown(i: number): string { return `kill $(cat /run/hostapd-wlan${i}.pid); rm -f /run/hostapd-wlan${i}.pid`; }
export function apUp(i: number): string {
  return `. ${GUEST_LIB}; AP_NS=${AP_NS}; _in_ap hostapd -B -P /run/hostapd-wlan${i}.pid -f /tmp/hostapd-wlan${i}.log /run/hostapd-wlan${i}.conf`;
}
