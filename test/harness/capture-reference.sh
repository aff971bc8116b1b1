#!/bin/bash
# Captures connmand's observable behaviour in a throwaway lab so Switchyard has a spec to match:
# connmanctl outputs, typed D-Bus property dumps, introspection XML and signal logs.
# Usage (root): bash test/harness/capture-reference.sh [OUT_DIR]   (default test/fixtures/connmand-<ver>)
# Nothing runs in the host network namespace except the private dbus-daemon, dbus tools and connmanctl.
set -euo pipefail

REPO=$(cd "$(dirname "$0")/../.." && pwd)
VER=$(/usr/sbin/connmand --version)
OUT=${1:-$REPO/test/fixtures/connmand-$VER}
[ "$(id -u)" = 0 ] || { echo "capture-reference: needs root for network namespaces" >&2; exit 1; }

TAG="sy-$$-$(od -An -N3 -tx1 /dev/urandom | tr -d ' \n')"
NEAR="$TAG-near"; FAR="$TAG-far"
LAB=$(mktemp -d "/tmp/$TAG.XXXX")
MAC=$(printf '02:%s' "$(od -An -N5 -tx1 /dev/urandom | sed 's/^ //; s/ /:/g')")
SUBNET=10.233.83
BUS_SOCK="$LAB/bus.sock"
BUS="unix:path=$BUS_SOCK"
PIDS=()

cleanup() {
  set +e
  for p in "${PIDS[@]}"; do kill -TERM -- "-$p" 2>/dev/null || kill -TERM "$p" 2>/dev/null; done
  sleep 0.5
  for p in "${PIDS[@]}"; do kill -KILL -- "-$p" 2>/dev/null; kill -KILL "$p" 2>/dev/null; done
  ip netns del "$NEAR" 2>/dev/null; ip netns del "$FAR" 2>/dev/null
  if [ -n "${KEEP_LAB:-}" ]; then echo "kept $LAB" >&2; else rm -rf "$LAB"; fi
}
trap cleanup EXIT INT TERM

mkdir -p "$OUT" "$LAB/state" "$LAB/run"
: > "$LAB/resolv.conf"
printf '[General]\nEnableOnlineCheck=false\n' > "$LAB/main.conf"

ip netns add "$NEAR"; ip netns add "$FAR"
ip -n "$NEAR" link set lo up; ip -n "$FAR" link set lo up
ip -n "$NEAR" link add eth0 address "$MAC" type veth peer name far0 netns "$FAR"
ip -n "$FAR" addr add "$SUBNET.1/24" dev far0
# veth hands over UDP with offloaded (unfilled) checksums; DHCP clients on raw sockets drop those.
ip netns exec "$FAR" ethtool -K far0 tx off >/dev/null
ip netns exec "$NEAR" ethtool -K eth0 tx off >/dev/null
ip -n "$FAR" link set far0 up

setsid ip netns exec "$FAR" /usr/sbin/dnsmasq --keep-in-foreground --conf-file=/dev/null --pid-file \
  --user=root --no-resolv --no-hosts --bind-interfaces --interface=far0 \
  --dhcp-range="$SUBNET.50,$SUBNET.150,255.255.255.0,1h" --dhcp-leasefile="$LAB/dnsmasq.leases" \
  --domain=lab.test --address=/alpha.lab.test/$SUBNET.10 --host-record=beta.lab.test,$SUBNET.11 \
  --log-dhcp --log-queries --log-facility="$LAB/dnsmasq.log" &
PIDS+=($!)

sed "s|@SOCK@|$BUS_SOCK|g; s|@POLICY@|$REPO/packaging/dbus/net.connman.conf|g" \
  "$REPO/test/harness/lab-bus.conf.in" > "$LAB/bus.conf"
setsid dbus-daemon --config-file="$LAB/bus.conf" --nofork --print-address > "$LAB/bus.addr" &
PIDS+=($!)
for _ in $(seq 50); do [ -S "$BUS_SOCK" ] && break; sleep 0.1; done

ctl() { DBUS_SYSTEM_BUS_ADDRESS=$BUS timeout 20 connmanctl "$@"; }
send() { dbus-send --bus="$BUS" --print-reply --dest=net.connman "$@"; }
bctl() { busctl --address="$BUS" "$@"; }
# Only traffic to and from the daemon, so the connmanctl polling below does not drown the log.
monitor() {
  setsid dbus-monitor --address "$BUS" "sender='net.connman'" "destination='net.connman'" \
    "type='signal',member='NameOwnerChanged',arg0='net.connman'" > "$1" 2>&1 & MON=$!; sleep 0.5
}
unmonitor() { sleep 1; kill -TERM "$MON"; wait "$MON" 2>/dev/null || true; }
wait_for() { # wait_for SECONDS CMD...: poll until CMD succeeds
  local end=$((SECONDS + $1)); shift
  until "$@"; do [ $SECONDS -lt $end ] || { echo "timed out: $*" >&2; ctl services >&2; ctl state >&2; return 1; }; sleep 0.3; done
}
# The address check first keeps the bus quiet while DHCP is still running.
svc_ready() { ip -n "$NEAR" -4 addr show dev eth0 | grep -q "inet $SUBNET" && ctl services | grep -Eq '^\*A[RO] .*ethernet_'; }
ethernet_id() { ctl services | awk '/ethernet_/ {print $NF}' | head -1; }

monitor "$OUT/signals-1-start-to-ready.log"
setsid ip netns exec "$NEAR" unshare --mount --uts --propagation private -- sh -c "
  mkdir -p /var/lib/connman /run/connman
  mount --bind '$LAB/state' /var/lib/connman
  mount --bind '$LAB/run' /run/connman
  mount --bind '$LAB/resolv.conf' /etc/resolv.conf
  if [ -e /dev/rfkill ]; then mount --bind /dev/null /dev/rfkill; fi
  exec env DBUS_SYSTEM_BUS_ADDRESS='$BUS' /usr/sbin/connmand -n -c '$LAB/main.conf'
" > "$LAB/connmand.out" 2> "$LAB/connmand.err" &
PIDS+=($!)
wait_for 30 svc_ready
unmonitor
SID=$(ethernet_id)
if [ -n "${PAUSE:-}" ]; then echo "paused: BUS=$BUS NEAR=$NEAR LAB=$LAB" >&2; sleep "$PAUSE"; fi
SPATH=/net/connman/service/$SID

ctl technologies > "$OUT/connmanctl-1-technologies.txt"
ctl services > "$OUT/connmanctl-2-services.txt"
ctl services "$SID" > "$OUT/connmanctl-3-services-id.txt"
ctl state > "$OUT/connmanctl-4-state.txt"

for spec in "manager-GetProperties / net.connman.Manager.GetProperties" \
            "manager-GetTechnologies / net.connman.Manager.GetTechnologies" \
            "manager-GetServices / net.connman.Manager.GetServices" \
            "technology-ethernet-GetProperties /net/connman/technology/ethernet net.connman.Technology.GetProperties" \
            "service-GetProperties $SPATH net.connman.Service.GetProperties" \
            "manager-GetPeers / net.connman.Manager.GetPeers" \
            "clock-GetProperties / net.connman.Clock.GetProperties"; do
  set -- $spec
  send "$2" "$3" > "$OUT/dbus-$1.dbus-send.txt" 2>&1 || true
  bctl call net.connman "$2" "${3%.*}" "${3##*.}" > "$OUT/dbus-$1.busctl.txt" 2>&1 || true
done
for p in / /net /net/connman /net/connman/technology /net/connman/technology/ethernet "$SPATH"; do
  name=$(echo "$p" | sed 's|^/$|root|; s|^/||; s|/|_|g')
  [ "$p" = "$SPATH" ] && name=service
  send "$p" org.freedesktop.DBus.Introspectable.Introspect > "$OUT/introspect-$name.dbus-send.txt" 2>&1 || true
  bctl introspect net.connman "$p" > "$OUT/introspect-$name.busctl.txt" 2>&1 || true
done
/usr/bin/python3 "$REPO/test/harness/dump-connman.py" "$BUS" "$SPATH" > "$OUT/dbus-typed-dump.json"

monitor "$OUT/signals-2-disable-ethernet.log"
ctl disable ethernet > "$OUT/connmanctl-5-disable-ethernet.txt" 2>&1
unmonitor
ctl technologies > "$OUT/connmanctl-6-technologies-after-disable.txt"
ctl services > "$OUT/connmanctl-7-services-after-disable.txt"
ctl state > "$OUT/connmanctl-8-state-after-disable.txt"

monitor "$OUT/signals-3-enable-ethernet.log"
ctl enable ethernet > "$OUT/connmanctl-9-enable-ethernet.txt" 2>&1
wait_for 30 svc_ready
unmonitor
ctl services > "$OUT/connmanctl-10-services-after-enable.txt"
ctl state > "$OUT/connmanctl-11-state-after-enable.txt"

{
  echo "connmand $VER; lab MAC $MAC; far end $SUBNET.1; service $SID"
  echo "--- ip -n near addr"; ip -n "$NEAR" addr
  echo "--- ip -n near route"; ip -n "$NEAR" route
  echo "--- ip -n near -6 route"; ip -n "$NEAR" -6 route
  echo "--- lab resolv.conf (bound over /etc/resolv.conf)"; cat "$LAB/resolv.conf"
  for d in state:/var/lib/connman run:/run/connman; do
    echo "--- ${d%%:*} dir (bound over ${d#*:})"
    (cd "$LAB/${d%%:*}" && find . | sort | while read -r f; do
      echo "## $f"; if [ -f "$f" ] && grep -Iq . "$f"; then cat "$f"; elif [ -f "$f" ]; then echo "(binary, $(stat -c %s "$f") bytes)"; fi
    done)
  done
  echo "--- connmand stderr"; cat "$LAB/connmand.err"
} > "$OUT/lab-state.txt" 2>&1
echo "captured into $OUT (service $SID)"
