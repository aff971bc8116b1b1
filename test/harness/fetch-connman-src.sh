#!/bin/bash
# Gets ConnMan 1.41's source (the version Debian 12 ships as connmand) from the Debian archive, for
# its python test scripts (test/ in the tarball), which the differential test runs unchanged against
# connmand and Switchyard. Nothing of it enters this repository (ConnMan is GPL); it is unpacked into
# a cache directory. The tarball is checked against the sha256 in Debian's connman_1.41-3.dsc.
# Prints the directory holding the scripts. Cache: $SY_CONNMAN_SRC_CACHE or /var/cache/switchyard-test.
set -euo pipefail
cache=${SY_CONNMAN_SRC_CACHE:-/var/cache/switchyard-test}
dir="$cache/connman-1.41/test"
if [ -f "$dir/test-connman" ]; then echo "$dir"; exit 0; fi
sha=79fb40f4fdd5530c45aa8e592fb16ba23d3674f3a98cf10b89a6576f198de589
file=connman_1.41.orig.tar.xz
# the archive this machine's apt already uses, else Debian's own redirector
mirror=$(sed -n 's/^URIs:[[:space:]]*\([^[:space:]]*\/debian\)\/\{0,1\}$/\1/p' /etc/apt/sources.list.d/*.sources 2>/dev/null | head -1)
[ -n "$mirror" ] || mirror=$(sed -n 's/^deb[[:space:]]\+\(http[^[:space:]]*\/debian\)\/\{0,1\}[[:space:]].*/\1/p' /etc/apt/sources.list 2>/dev/null | head -1)
[ -n "$mirror" ] || mirror=http://deb.debian.org/debian
mkdir -p "$cache"
work=$(mktemp -d "$cache/fetch.XXXXXX")
trap 'rm -rf "$work"' EXIT
curl -sSfL --retry 3 -o "$work/$file" "$mirror/pool/main/c/connman/$file" >&2
echo "$sha  $work/$file" | sha256sum -c --quiet - >&2
tar -xJf "$work/$file" -C "$work" connman-1.41/test
rm -rf "$cache/connman-1.41"
mv "$work/connman-1.41" "$cache/connman-1.41"
echo "$dir"
