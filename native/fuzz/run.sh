#!/bin/sh
# Runs every fuzz target for SECONDS each (default 60) on a copy of its seed corpus (every seed, among
# them one per ConnMan CVE input, is replayed first); findings land in native/out/fuzz/<target>.d/.
# Ends with `fuzz: N passed, N failed` (one per target); exit status is non-zero on a crash.
set -eu
secs=${1:-60}
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
out="$root/native/out/fuzz"
"$here/build.sh" >/dev/null
status=0
passed=0
failed=0
for bin in "$out"/fuzz_*; do
  [ -f "$bin" ] && [ -x "$bin" ] || continue
  name=$(basename "$bin")
  case $name in
    fuzz_dhcp4_parse) seeds="$root/test/fuzz/dhcp4/seeds/parse" ;;
    fuzz_dhcp4_client) seeds="$root/test/fuzz/dhcp4/seeds/client" ;;
    fuzz_dns_*) seeds="$root/test/fuzz/dns/seeds/${name#fuzz_dns_}" ;;
    fuzz_arp_parse) seeds="$root/test/fuzz/acd/seeds/arp" ;;
    fuzz_ipv4ll_acd) seeds="$root/test/fuzz/acd/seeds/ipv4ll" ;;
    fuzz_dhcp6_parse) seeds="$root/test/fuzz/dhcp6/seeds/parse" ;;
    fuzz_dhcp6_client) seeds="$root/test/fuzz/dhcp6/seeds/client" ;;
    fuzz_ndopt_parse) seeds="$root/test/fuzz/dhcp6/seeds/ndopt" ;;
    *) seeds=""; echo "$name: no seed corpus mapped in native/fuzz/run.sh" ;;
  esac
  work="$out/$name.d"
  mkdir -p "$work/corpus" "$work/findings"
  [ -n "$seeds" ] && cp -n "$seeds"/* "$work/corpus/" 2>/dev/null || true
  echo "== $name for ${secs}s"
  if ! "$bin" -max_total_time="$secs" -max_len=2048 -print_final_stats=1 \
      -artifact_prefix="$work/findings/" "$work/corpus" >"$work/log.txt" 2>&1; then
    status=1
    failed=$((failed + 1))
    echo "$name: CRASH, see $work/log.txt and $work/findings/"
    tail -30 "$work/log.txt"
  else
    passed=$((passed + 1))
  fi
  grep -E '^(stat::number_of_executed_units|stat::new_units_added)|^#[0-9]+ +DONE' "$work/log.txt" || true
done
echo "fuzz: $passed passed, $failed failed"
exit $status
