#!/bin/sh
# Builds the libFuzzer targets (clang, ASan, UBSan) into native/out/fuzz/. native/core is compiled once
# (in parallel) and linked into every target.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
out="$root/native/out/fuzz"
objs="$out/core-objs"
mkdir -p "$out" "$objs"
flags="-std=c++17 -g -O1 -fno-exceptions -fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=all"
export flags objs root
find "$root/native/core" -name '*.cc' | sort | xargs -P "$(nproc)" -I{} sh -c '
  src={}; obj="$objs/$(echo "${src#$root/}" | tr / _ | sed "s/\.cc$/.o/")"
  if [ ! -f "$obj" ] || [ "$src" -nt "$obj" ] || [ -n "$(find "$root/native/core" -name "*.h" -newer "$obj" | head -1)" ]; then
    clang++ $flags -c -o "$obj" "$src"
  fi'
for t in "$here"/fuzz_*.cc; do
  name=$(basename "$t" .cc)
  echo "building $name"
  clang++ $flags -fsanitize=fuzzer -o "$out/$name" "$t" "$objs"/*.o
done
