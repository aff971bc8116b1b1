#!/bin/bash
# Every test tier (native engines under ASan/UBSan, unit, integration in network namespaces, guests),
# after installing what a fresh Debian machine lacks and building. Exactly what CI runs. Run as root.
set -euo pipefail
cd "$(dirname "$0")/.."
exec bash .ci/run "$@"
