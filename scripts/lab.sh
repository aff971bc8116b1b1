#!/bin/bash
# The lab: two network namespaces joined by a veth pair, dnsmasq serving DHCP and DNS on the far side,
# a private D-Bus system bus, and Switchyard managing the near side. Installs and builds what is missing
# first. Run as root. `--reference` runs connmand 1.41 instead; `--once` shows the state and exits.
set -euo pipefail
cd "$(dirname "$0")/.."
bash .ci/run setup
exec node dist/test/harness/lab.js "$@"
