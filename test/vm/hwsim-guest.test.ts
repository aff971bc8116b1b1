// The guest runner end to end: Debian's kernel under QEMU gives real (simulated) Wi-Fi radios and the
// tunnel modules the host kernel cannot be trusted to have, and a station associates with an access
// point and gets an address, using the same hostapd / wpa_supplicant / dnsmasq a device image runs.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { facts, GUEST_LIB, guestSkipReason, runInGuest, GuestResult } from './guest';

const SSID = 'switchyard-open';
const skip = guestSkipReason();

const SCRIPT = `
set -e
. ${GUEST_LIB}
fact NETDEVS "$(ls /sys/class/net | tr '\n' ' ')"
modprobe wireguard && fact WIREGUARD_LOADED yes
ip link add wg-test type wireguard && fact WIREGUARD_LINK yes
modprobe sit && fact SIT_LOADED yes
hwsim 2
fact PHYS "$(ls /sys/class/ieee80211 | tr '\\n' ' ')"
fact IW_IFACES "$(iw dev | awk '/Interface/ {print $2}' | sort | tr '\\n' ' ')"

ap_namespace ap phy0
start_ap wlan0 ${SSID} open
dhcp_server wlan0 192.168.77
cat > /run/wpa-wlan1.conf <<EOC
ctrl_interface=/run/wpa_supplicant
network={
  ssid="${SSID}"
  key_mgmt=NONE
}
EOC
wpa_supplicant -B -D nl80211 -i wlan1 -c /run/wpa-wlan1.conf -f /tmp/wpa-wlan1.log
wait_until 30 sh -c 'wpa_cli -i wlan1 status | grep -q "^wpa_state=COMPLETED"' || { cat /tmp/wpa-wlan1.log; exit 1; }
fact WPA_STATE "$(wpa_cli -i wlan1 status | sed -n 's/^wpa_state=//p')"
fact WPA_SSID "$(wpa_cli -i wlan1 status | sed -n 's/^ssid=//p')"
fact LINK_SSID "$(iw dev wlan1 link | sed -n 's/^[[:space:]]*SSID: //p')"
fact AP_STATIONS "$(ip netns exec ap iw dev wlan0 station dump | grep -c '^Station')"
fact STA_ADDR "$(dhcp_client wlan1)"
# The AP's address lives in another namespace: the reply crosses the hwsim medium.
fact PING "$(busybox ping -c 1 -W 3 192.168.77.1 > /dev/null && echo ok)"
fact LEASES "$(cat /tmp/dnsmasq-wlan0.leases)"
`;

let result: GuestResult;
let f: Record<string, string> = {};

before(async () => {
  if (skip) return;
  const t0 = Date.now();
  result = await runInGuest(SCRIPT, { timeoutS: 150 });
  f = facts(result.output);
  process.stdout.write(`# guest: boot ${result.bootS?.toFixed(2)} s, total ${result.totalS?.toFixed(2)} s ` +
    `(wall ${((Date.now() - t0) / 1000).toFixed(2)} s), status ${result.status}\n`);
  if (result.status !== 0) process.stdout.write(`# guest output:\n${result.output}\n# runner:\n${result.runnerLog}\n`);
});

test('the guest boots and the script exits 0', { skip }, () => {
  assert.equal(result.status, 0, result.output + result.runnerLog);
  assert.ok(result.bootS !== undefined && result.bootS > 0, 'boot time measured');
});

test('the guest has no network device but lo until the test makes one', { skip }, () => {
  assert.equal(f.NETDEVS?.trim(), 'lo');
});

test('wireguard and sit load in the guest kernel', { skip }, () => {
  assert.equal(f.WIREGUARD_LOADED, 'yes');
  assert.equal(f.WIREGUARD_LINK, 'yes');
  assert.equal(f.SIT_LOADED, 'yes');
});

test('mac80211_hwsim radios=2 gives two phys and two interfaces', { skip }, () => {
  assert.equal(f.PHYS?.trim(), 'phy0 phy1');
  assert.equal(f.IW_IFACES?.trim(), 'wlan0 wlan1');
});

test('wpa_supplicant associates with the open hostapd network', { skip }, () => {
  assert.equal(f.WPA_STATE, 'COMPLETED');
  assert.equal(f.WPA_SSID, SSID);
  assert.equal(f.LINK_SSID, SSID);
  assert.equal(f.AP_STATIONS, '1');
});

test('dnsmasq on the access point gives the station an address', { skip }, () => {
  assert.match(f.STA_ADDR ?? '', /^192\.168\.77\.(5\d|[6-9]\d)$/);
  assert.equal(f.PING, 'ok');
  assert.match(f.LEASES ?? '', new RegExp(` ${f.STA_ADDR?.replace(/\./g, '\\.')} `));
});
