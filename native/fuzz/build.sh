#!/bin/sh
# Builds the libFuzzer targets (clang, ASan, UBSan) into native/out/fuzz/.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
out="$root/native/out/fuzz"
mkdir -p "$out"
core=$(find "$root/native/core" -name '*.cc' | sort)
for t in "$here"/fuzz_*.cc; do
  name=$(basename "$t" .cc)
  echo "building $name"
  clang++ -std=c++17 -g -O1 -fno-exceptions -fsanitize=fuzzer,address,undefined \
    -fno-sanitize-recover=all -o "$out/$name" "$t" $core
done
