#!/bin/bash
# Builds (or finds in the cache) the test guest's initramfs for a Debian kernel and prints its path.
# Usage: build-initramfs.sh KERNEL_VERSION
# The image holds busybox-static, guest-init.sh as /init and the modules that reach the host root
# (virtio PCI, 9p, overlay) with their dependencies, resolved through that kernel's modules.dep.
# Everything else (mac80211_hwsim, wireguard, ...) the guest loads later with modprobe from the
# host's /lib/modules/<version>, which it sees through the 9p root.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
KVER=${1:?kernel version}
MODDIR=/lib/modules/$KVER
WANT="virtio_pci 9pnet_virtio 9p overlay"
BUSYBOX=/bin/busybox

[ -f "$MODDIR/modules.dep" ] || { echo "build-initramfs: $MODDIR/modules.dep missing" >&2; exit 1; }
# grep reads the whole list (no -q): with pipefail, -q quitting early could SIGPIPE busybox and fail
# the check at random
[ -x "$BUSYBOX" ] && "$BUSYBOX" --list | grep -x insmod >/dev/null \
  || { echo "build-initramfs: $BUSYBOX (busybox-static) missing" >&2; exit 1; }

# The key covers everything that goes into the image, so editing the init or this script rebuilds.
key=$( { echo "$KVER $WANT"; cat "$HERE/guest-init.sh" "$0"; sha256sum "$BUSYBOX" "$MODDIR/modules.dep"; } \
  | sha256sum | cut -c1-16)
CACHE=$HERE/.cache/$KVER
out=$CACHE/initramfs-$key.cpio.gz
if [ -f "$out" ]; then echo "$out"; exit 0; fi

mkdir -p "$CACHE"
stage=$(mktemp -d "$CACHE/stage.XXXXXX")
trap 'rm -rf "$stage"' EXIT

# modules.dep lists a module's whole dependency closure, deepest last; loading that list backwards and
# then the module itself is the order modprobe uses.
order=()
have() { local x; for x in "${order[@]}"; do [ "$x" = "$1" ] && return 0; done; return 1; }
for name in $WANT; do
  line=$(grep -E "(^|/)${name}\.ko(\.[a-z]+)?:" "$MODDIR/modules.dep" || true)
  if [ -z "$line" ]; then
    grep -qE "/${name}\.ko" "$MODDIR/modules.builtin" && continue
    echo "build-initramfs: module $name not found for $KVER" >&2; exit 1
  fi
  read -r -a deps <<< "${line#*:}"
  for ((i = ${#deps[@]} - 1; i >= 0; i--)); do have "${deps[i]}" || order+=("${deps[i]}"); done
  mod=${line%%:*}
  have "$mod" || order+=("$mod")
done

mkdir -p "$stage"/{bin,dev,proc,sys,modules}
# The kernel opens /dev/console for init before anything is mounted.
mknod -m 600 "$stage/dev/console" c 5 1
cp "$BUSYBOX" "$stage/bin/busybox"
cp "$HERE/guest-init.sh" "$stage/init"
chmod 755 "$stage/init"
: > "$stage/modules/load-order"
for mod in "${order[@]}"; do
  base=$(basename "$mod")
  case "$base" in
    *.ko) cp "$MODDIR/$mod" "$stage/modules/$base" ;;
    *.ko.xz) xz -dc "$MODDIR/$mod" > "$stage/modules/${base%.xz}"; base=${base%.xz} ;;
    *.ko.zst) zstd -qdc "$MODDIR/$mod" > "$stage/modules/${base%.zst}"; base=${base%.zst} ;;
    *) echo "build-initramfs: unknown module format $mod" >&2; exit 1 ;;
  esac
  echo "$base" >> "$stage/modules/load-order"
done

tmp=$(mktemp "$CACHE/initramfs.XXXXXX")
(cd "$stage" && find . | LC_ALL=C sort | "$BUSYBOX" cpio -o -H newc 2>/dev/null) | gzip -6 > "$tmp"
mv -f "$tmp" "$out"  # atomic, so two tests building at once both end with a whole image
echo "$out"
