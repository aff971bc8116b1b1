// The access points of the guest Wi-Fi tests, shared by the host side (which turns them into a setup
// script) and the guest side (which knows what it should find). Radios 0..n-1 are access points in the
// "ap" network namespace; the last radio is the station, left in the guest's own namespace.
import { GUEST_LIB } from '../guest';

export type ApSecurity = 'open' | 'wpa2' | 'sae' | 'wpa2-sae';

export interface AccessPoint {
  ssid: string;
  security: ApSecurity;
  passphrase?: string;
  channel: number;
  hidden?: boolean;
}

export const PASSPHRASE = 'correct horse battery';

export const ACCESS_POINTS: AccessPoint[] = [
  { ssid: 'sy-open', security: 'open', channel: 1 },
  { ssid: 'sy-wpa2', security: 'wpa2', passphrase: PASSPHRASE, channel: 6 },
  { ssid: 'sy-sae', security: 'sae', passphrase: PASSPHRASE, channel: 11 },
  { ssid: 'sy-mixed', security: 'wpa2-sae', passphrase: PASSPHRASE, channel: 6 },
  { ssid: 'sy-hidden', security: 'open', channel: 1, hidden: true },
];

export const STATION = `wlan${ACCESS_POINTS.length}`;

export function channelMhz(channel: number): number { return 2407 + 5 * channel; }

/** Shell that builds the world: radios, access points up, a system bus. wpa_supplicant is not started. */
export function setupScript(): string {
  const phys = ACCESS_POINTS.map((_, i) => `phy${i}`).join(' ');
  const aps = ACCESS_POINTS.map((ap, i) => `start_ap wlan${i} ${ap.ssid} ${ap.security} '${ap.passphrase ?? ''}' ${ap.channel}` +
    (ap.hidden ? " 'ignore_broadcast_ssid=1'" : '')).join('\n');
  return `set -e
. ${GUEST_LIB}
hwsim ${ACCESS_POINTS.length + 1}
ap_namespace ap ${phys}
${aps}
ip link set ${STATION} up
system_bus
echo "world ready after $(cut -d' ' -f1 /proc/uptime) s of uptime"
`;
}
