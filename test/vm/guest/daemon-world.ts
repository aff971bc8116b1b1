// The Wi-Fi world the daemon tests run against, shared by the host side (which turns it into a setup
// script) and the guest side (which knows what it should find). Radios 0..n-1 are access points in the
// "ap" namespace, each with its own dnsmasq; the two "sy-roam" access points share a bridge and one
// dnsmasq, so a station keeps its address when it moves between them. The last radio is the station,
// moved into the "sta" namespace where wpa_supplicant and the daemon under test run.
import { GUEST_LIB } from '../guest';

export type Security = 'open' | 'wpa2' | 'sae' | 'wpa2-sae' | 'wep' | 'eap';

export interface WorldAp {
  ssid: string;
  security: Security;
  passphrase?: string;
  channel: number;
  hidden?: boolean;
  /** roaming pair: on the bridge br-roam */
  bridged?: boolean;
}

export const PASSPHRASE = 'correct horse battery';
export const WEP_KEY = 'sy-wp';
export const CERTS = '/run/certs';

export const WORLD: WorldAp[] = [
  { ssid: 'sy-open', security: 'open', channel: 1 },
  { ssid: 'sy-wpa2', security: 'wpa2', passphrase: PASSPHRASE, channel: 6 },
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

function startAp(ap: WorldAp, i: number): string {
  const extra = [ap.hidden ? 'ignore_broadcast_ssid=1' : '', ap.bridged ? 'bridge=br-roam' : ''].filter(Boolean).join('\n');
  return `start_ap wlan${i} ${ap.ssid} ${ap.security} '${ap.passphrase ?? ''}' ${ap.channel} '${extra}'`;
}

/** Shell that builds the world: certificates, radios, access points (in parallel), DHCP, a system bus. */
export function worldScript(): string {
  const phys = WORLD.map((_, i) => `phy${i}`).join(' ');
  const aps = WORLD.map((ap, i) => `( ${startAp(ap, i)} ) & pids="$pids $!"`).join('\n');
  const dhcp = [...WORLD.map((ap, i) => (ap.bridged ? '' : `wlan${i} 10.77.${i}`)), 'br-roam 10.77.99'].filter(Boolean)
    .map((a) => `( dhcp_server ${a} ) & pids="$pids $!"`).join('\n');
  return `set -e
. ${GUEST_LIB}
t() { echo "world: $1 at $(cut -d' ' -f1 /proc/uptime) s"; }
make_certs ${CERTS}
t certificates
hwsim ${WORLD.length + 1}
ap_namespace ${AP_NS} ${phys}
ip -n ${AP_NS} link add br-roam type bridge
ip -n ${AP_NS} link set br-roam up
pids=""
${aps}
for p in $pids; do wait $p; done
t "access points"
pids=""
${dhcp}
for p in $pids; do wait $p; done
t dnsmasq
ip netns add ${STA_NS}
iw phy ${STATION_PHY} set netns name ${STA_NS}
ip -n ${STA_NS} link set lo up
system_bus
ip netns exec ${STA_NS} wpa_supplicant -B -u -s -O /run/wpa_supplicant -P /run/wpa_supplicant.pid
echo "world ready after $(cut -d' ' -f1 /proc/uptime) s of uptime"
`;
}

/** Shell (run inside the guest) that takes access point i off the air or puts it back. */
export function apDown(i: number): string { return `kill $(cat /run/hostapd-wlan${i}.pid); rm -f /run/hostapd-wlan${i}.pid`; }
export function apUp(i: number): string {
  return `. ${GUEST_LIB}; AP_NS=${AP_NS}; _in_ap hostapd -B -P /run/hostapd-wlan${i}.pid -f /tmp/hostapd-wlan${i}.log /run/hostapd-wlan${i}.conf && ` +
    `wait_until 20 sh -c "ip netns exec ${AP_NS} hostapd_cli -p /run/hostapd -i wlan${i} status | grep -q '^state=ENABLED'"`;
}
