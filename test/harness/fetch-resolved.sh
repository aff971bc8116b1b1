#!/bin/bash
# Gets systemd-resolved for the lab WITHOUT installing it: on Debian 12 installing the package
# replaces the machine's /etc/resolv.conf with resolved's stub and so breaks the host's (and CI's)
# DNS. Instead the .deb matching the installed systemd (the binary links libsystemd-shared of the
# same version) is fetched with `apt-get download` and unpacked with `dpkg-deb -x` into a private
# cache directory; tests run the binary from there inside a lab namespace (test/harness/resolved.ts).
# Prints the unpacked root (which holds lib/systemd/systemd-resolved and usr/bin/resolvectl).
# Cache: $SY_RESOLVED_CACHE or /var/cache/switchyard-test.
set -euo pipefail
cache=${SY_RESOLVED_CACHE:-/var/cache/switchyard-test}
ver=$(dpkg-query -W -f='${Version}' systemd 2>/dev/null) || { echo "fetch-resolved: systemd is not installed" >&2; exit 1; }
root="$cache/systemd-resolved-$ver"
if [ -x "$root/lib/systemd/systemd-resolved" ] && [ -x "$root/usr/bin/resolvectl" ]; then echo "$root"; exit 0; fi
mkdir -p "$cache"
work=$(mktemp -d "$cache/fetch.XXXXXX")
trap 'rm -rf "$work"' EXIT
chmod 755 "$work"
# apt drops to the _apt user to download; let it write here so it does not warn about it
chown _apt "$work" 2>/dev/null || true
get() { (cd "$work" && apt-get -q download "systemd-resolved=$ver" < /dev/null >&2); }
if ! get; then
  echo "fetch-resolved: retrying after apt-get update" >&2
  apt-get -q update < /dev/null >&2
  get
fi
deb=$(ls "$work"/systemd-resolved_*.deb)
dpkg-deb -x "$deb" "$work/root"
rm -rf "$root"
mv "$work/root" "$root"
echo "$root"
