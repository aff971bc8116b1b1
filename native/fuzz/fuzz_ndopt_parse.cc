// SPDX-License-Identifier: Apache-2.0
// libFuzzer: the ND user option (RDNSS / DNSSL) and AF_INET6 link-flags parsers on
// arbitrary netlink payloads. The kernel is the only sender we accept, but the
// parser must not depend on that.
#include <cstddef>
#include <cstdint>

#include "../core/dhcp6/nd-useropt.h"

using namespace sy::dhcp6;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  NdUserOption o;
  const char* why = "";
  if (parseNdUserOpt(data, size, &o, &why)) {
    if (!o.rdnss && !o.dnssl) __builtin_trap();
    if (o.servers.size() * 16 > size) __builtin_trap();
    for (const std::string& d : o.domains) {
      if (d.empty() || d.size() > 253) __builtin_trap();
      for (char c : d)
        if (c == ';' || c == '$' || c == '`' || c == ' ' || c == 0) __builtin_trap();
    }
  }
  int ifindex = 0;
  uint32_t flags = 0;
  if (parseInet6LinkFlags(data, size, &ifindex, &flags) && ifindex <= 0) __builtin_trap();
  return 0;
}
