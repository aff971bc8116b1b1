#!/bin/bash
# Installs the Debian packages the guest runner needs when they are missing (root only), with daemons
# held back the way .ci/run does it. .ci/run lists the same packages, so in CI this finds them present.
set -euo pipefail
NEED="qemu-system-x86 linux-image-amd64 busybox-static"
missing=()
for p in $NEED; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q '^install ok installed$' || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" != 0 ]; then echo "guest runner: missing packages (need root to install): ${missing[*]}" >&2; exit 1; fi
echo "guest runner: installing ${missing[*]}" >&2
policy=/usr/sbin/policy-rc.d
if [ ! -e "$policy" ]; then
  printf '#!/bin/sh\nexit 101\n' > "$policy"; chmod 755 "$policy"
  trap 'rm -f "$policy"' EXIT
fi
export DEBIAN_FRONTEND=noninteractive
apt-get install -y -q --no-install-recommends "${missing[@]}" < /dev/null >&2 \
  || { apt-get update -q < /dev/null >&2 && apt-get install -y -q --no-install-recommends "${missing[@]}" < /dev/null >&2; }
