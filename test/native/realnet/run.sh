#!/bin/sh
# Real-network check of the DHCPv4 runner: two network namespaces joined by a veth,
# dnsmasq on the far side, the probe on the near side. Needs root; leaves nothing
# behind. Usage: run.sh [bind|release|renew|reboot|reboot-silent]
set -eu
mode=${1:-release}
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../../.." && pwd)
out="$root/native/out/realnet"
mkdir -p "$out"
g++ -std=c++17 -O1 -g -Wall -Wextra -fno-exceptions -o "$out/dhcp4-probe" \
  "$here/dhcp4-probe.cc" "$root/native/io/dhcp4-runner.cc" "$root/native/io/engine-loop.cc" $(find "$root/native/core" -name '*.cc')

id=$$
cns=sy-d4c-$id
sns=sy-d4s-$id
tmp=$(mktemp -d)
cleanup() {
  [ -f "$tmp/dnsmasq.pid" ] && kill "$(cat "$tmp/dnsmasq.pid")" 2>/dev/null || true
  ip netns del "$cns" 2>/dev/null || true
  ip netns del "$sns" 2>/dev/null || true
  rm -rf "$tmp"
}
trap cleanup EXIT INT TERM
ip netns add "$cns"
ip netns add "$sns"
ip link add "c$id" netns "$cns" type veth peer name "s$id" netns "$sns"
ip -n "$sns" addr add 10.77.0.1/24 dev "s$id"
ip -n "$sns" link set lo up
ip -n "$sns" link set "s$id" up
ip -n "$cns" link set lo up
ip -n "$cns" link set "c$id" up
touch "$tmp/leases"
auth=--dhcp-authoritative
# Non-authoritative dnsmasq stays silent to INIT-REBOOT for an address it has no lease for.
[ "$mode" = reboot-silent ] && auth=
ip netns exec "$sns" dnsmasq --no-daemon --no-resolv --no-hosts --port=0 --interface="s$id" \
  --bind-interfaces --dhcp-range=10.77.0.50,10.77.0.60,255.255.255.0,2m \
  --dhcp-option=option:dns-server,10.77.0.1 --dhcp-option=option:ntp-server,10.77.0.123 \
  --dhcp-option=option:domain-name,sy.test --dhcp-option=option:mtu,1400 \
  --dhcp-leasefile="$tmp/leases" $auth --log-dhcp --log-facility=- \
  >"$tmp/dnsmasq.log" 2>&1 &
echo $! >"$tmp/dnsmasq.pid"
sleep 1
rc=0
case $mode in
  reboot|reboot-silent)
    SY_DEBUG_DHCP4=1 ip netns exec "$cns" "$out/dhcp4-probe" "c$id" 20 10.77.0.55 bind || rc=$? ;;
  renew)
    SY_DEBUG_DHCP4=1 ip netns exec "$cns" "$out/dhcp4-probe" "c$id" 100 - renew || rc=$? ;;
  *)
    SY_DEBUG_DHCP4=1 ip netns exec "$cns" "$out/dhcp4-probe" "c$id" 20 - "$mode" || rc=$? ;;
esac
sleep 0.5
echo "--- dnsmasq log"
grep -E 'DHCP(DISCOVER|OFFER|REQUEST|ACK|NAK|RELEASE)' "$tmp/dnsmasq.log" || true
echo "--- dnsmasq lease file"
cat "$tmp/leases"
echo "probe exit $rc"
exit $rc
