#!/bin/sh
# Builds the pure C++ core with the engine tests under ASan/UBSan and runs them.
# The last line of output is always "native: N passed, N failed".
set -u
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
out="$root/native/out/test"
mkdir -p "$out"
cxx=${CXX:-}
if [ -z "$cxx" ]; then
  if command -v clang++ >/dev/null 2>&1; then cxx=clang++; else cxx=g++; fi
fi
srcs=$(find "$root/native/core" -name '*.cc' | sort)
tests=$(find "$here" -maxdepth 1 -name '*.cc' | sort)
if ! $cxx -std=c++17 -g -O1 -Wall -Wextra -Werror -fno-exceptions \
    -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer \
    -o "$out/native-tests" $srcs $tests; then
  echo "build failed"
  echo "native: 0 passed, 1 failed"
  exit 1
fi
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1 \
  "$out/native-tests" > "$out/output.txt" 2>&1
rc=$?
grep -v '^native: ' "$out/output.txt"
if [ $rc -ne 0 ] && ! grep -q '^native: ' "$out/output.txt"; then
  echo "test binary crashed (exit $rc)"
  echo "native: 0 passed, 1 failed"
  exit 1
fi
grep '^native: ' "$out/output.txt" | tail -n 1
exit $rc
