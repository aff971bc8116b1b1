// SPDX-License-Identifier: Apache-2.0
#include "harness.h"

int main() {
  int passed = 0, failed = 0;
  for (const sytest::Case& c : sytest::registry()) {
    int before = sytest::failures();
    c.fn();
    bool ok = sytest::failures() == before;
    std::printf("%s %s\n", ok ? "ok  " : "FAIL", c.name);
    (ok ? passed : failed)++;
  }
  std::printf("native: %d passed, %d failed\n", passed, failed);
  return failed ? 1 : 0;
}
