#!/bin/bash
# Runs a script as root inside a throw-away QEMU guest (software emulation; nested KVM is not available
# on the CI machines) on Debian's own kernel, and exits with the script's exit status.
#
# Usage: run-in-guest.sh [--timeout SECONDS] [--results DIR] [--verbose] SCRIPT
#
# The guest sees the host's root read-only over 9p under a tmpfs overlay, so every installed program
# and this repository are there, and writes go nowhere. /proc, /sys, /dev, /run, /tmp are fresh;
# modprobe works from /lib/modules/<guest kernel>. The guest has no network device at all (-nic none):
# it cannot reach the host's network. SCRIPT runs from the current directory (if it exists in the
# guest) with $VM_RESULTS pointing at a writable share: files left there appear in DIR on the host.
# DIR (default: a fresh temporary directory, removed afterwards) receives: job (the script), output
# (its stdout+stderr), status, started (guest uptime at job start), console.log, timing.
# Exit status: the script's, 124 on timeout, 125 when the guest died without reporting one.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
TIMEOUT=120
RESULTS=""
VERBOSE=0
while [ $# -gt 0 ]; do
  case "$1" in
    --timeout) TIMEOUT=$2; shift 2 ;;
    --results) RESULTS=$2; shift 2 ;;
    --verbose) VERBOSE=1; shift ;;
    --) shift; break ;;
    -*) echo "run-in-guest: unknown option $1" >&2; exit 2 ;;
    *) break ;;
  esac
done
[ $# -eq 1 ] || { sed -n '5p' "$0" >&2; exit 2; }
SCRIPT=$1
[ -f "$SCRIPT" ] || { echo "run-in-guest: no such script: $SCRIPT" >&2; exit 2; }

bash "$HERE/ensure-packages.sh"

# The guest kernel is whatever linux-image-amd64 points at, not the kernel the host runs.
KVER=$(dpkg-query -W -f='${Depends}' linux-image-amd64 | sed -n 's/^linux-image-\([^ ,]*\).*/\1/p')
[ -r "/boot/vmlinuz-$KVER" ] && [ -d "/lib/modules/$KVER" ] \
  || { echo "run-in-guest: kernel $KVER not installed (linux-image-amd64)" >&2; exit 1; }
KERNEL=$("$HERE/prepare-kernel.sh" "$KVER")
INITRD=$("$HERE/build-initramfs.sh" "$KVER")

KEEP=1
if [ -z "$RESULTS" ]; then RESULTS=$(mktemp -d /tmp/sy-vm-XXXXXX); KEEP=0; fi
mkdir -p "$RESULTS"
rm -f "$RESULTS"/{output,status,status.tmp,started,console.log,timing}
cp "$SCRIPT" "$RESULTS/job"
chmod 755 "$RESULTS/job"
pwd > "$RESULTS/cwd"
# The repository gets a share of its own: the guest's /tmp, /run and /var/tmp are fresh tmpfs, so a
# checkout under one of them (CI clones anywhere) would be invisible through the root share alone.
REPO=$(cd "$HERE/../.." && pwd)
echo "$REPO" > "$RESULTS/repo"
cleanup() { if [ "$KEEP" = 0 ]; then rm -rf "$RESULTS"; fi; }
trap cleanup EXIT

append="console=ttyS0 panic=-1 quiet loglevel=3 vmtee=$VERBOSE"
t0=$(date +%s.%N)
set +e
# timeout(1) sends TERM then KILL; -no-reboot turns the guest's poweroff (or a panic) into qemu's exit.
timeout -k 5 "$TIMEOUT" qemu-system-x86_64 -accel tcg -cpu max -m 1024 -smp 2 -nographic -no-reboot \
  -nic none -kernel "$KERNEL" -initrd "$INITRD" -append "$append" \
  -virtfs "local,path=/,mount_tag=hostroot,security_model=passthrough,readonly=on,multidevs=remap" \
  -virtfs "local,path=$RESULTS,mount_tag=results,security_model=passthrough,multidevs=remap" \
  -virtfs "local,path=$REPO,mount_tag=repo,security_model=passthrough,readonly=on,multidevs=remap" \
  < /dev/null > "$RESULTS/console.log" 2>&1 &
qemu=$!
if [ "$VERBOSE" = 1 ]; then tail -n +1 -f "$RESULTS/console.log" --pid=$qemu >&2 & fi
wait $qemu
qrc=$?
set -e
t1=$(date +%s.%N)

boot=""
sub() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", a - b }'; }
# The guest creates "started" through 9p, so its mtime is the host's clock at the moment the job began.
if [ -f "$RESULTS/started" ]; then boot=$(sub "$(stat -c %.9Y "$RESULTS/started")" "$t0"); fi
total=$(sub "$t1" "$t0")
printf 'boot_s=%s\ntotal_s=%s\nkernel_uptime_at_start_s=%s\nqemu_exit=%s\n' \
  "${boot:-}" "$total" "$(cut -d' ' -f1 "$RESULTS/started" 2>/dev/null)" "$qrc" > "$RESULTS/timing"

[ -f "$RESULTS/output" ] && cat "$RESULTS/output"
if [ "$qrc" = 124 ] || [ "$qrc" = 137 ]; then
  echo "run-in-guest: timed out after ${TIMEOUT}s; console:" >&2; tail -n 30 "$RESULTS/console.log" >&2
  exit 124
fi
if [ ! -f "$RESULTS/status" ]; then
  echo "run-in-guest: guest ended without an exit status (qemu exit $qrc); console:" >&2
  tail -n 30 "$RESULTS/console.log" >&2
  exit 125
fi
printf 'run-in-guest: boot %.2fs, total %.2fs, status %s\n' "${boot:-0}" "$total" "$(cat "$RESULTS/status")" >&2
exit "$(cat "$RESULTS/status")"
