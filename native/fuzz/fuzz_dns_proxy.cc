// SPDX-License-Identifier: Apache-2.0
// The forwarder fed arbitrary upstream replies, clock steps and socket errors (see the driver).
#include <cstdio>
#include <cstdlib>

#include "fuzz_dns_proxy_driver.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  sy::dnsfuzz::ProxyOutcome o = sy::dnsfuzz::runProxy(data, size);
  if (!o.violations.empty()) {
    for (const auto& v : o.violations) std::fprintf(stderr, "violation: %s\n", v.c_str());
    std::abort();
  }
  return 0;
}
