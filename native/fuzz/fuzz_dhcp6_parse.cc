// SPDX-License-Identifier: Apache-2.0
// libFuzzer: the DHCPv6 wire parser and the option decoders on arbitrary bytes.
#include <cstddef>
#include <cstdint>

#include "../core/dhcp6/lease.h"
#include "../core/dhcp6/message.h"

using namespace sy::dhcp6;

static void checkName(const std::string& n) {
  if (n.empty() || n.size() > 253) __builtin_trap();
  for (char c : n)
    if (c == ';' || c == '$' || c == '`' || c == ' ' || c == '/' || c == 0) __builtin_trap();
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  Message m;
  if (parseMessage(data, size, &m) == ParseError::None) {
    size_t total = 4;
    for (const Option& o : m.options) total += 4 + o.data.size();
    if (total != size) __builtin_trap();  // every byte accounted for, none invented
    Lease l;
    const char* why = "";
    // Both IAIDs from the input, so IAs are decoded rather than skipped.
    uint32_t iaid = size >= 8 ? (uint32_t{data[4]} << 24 | uint32_t{data[5]} << 16 |
                                 uint32_t{data[6]} << 8 | data[7]) : 0;
    if (decodeServerMessage(m, iaid, iaid, &l, &why)) {
      for (const std::string& d : l.domains) checkName(d);
      for (const std::string& d : l.ntpNames) checkName(d);
      for (const Ia* ia : {&l.na, &l.pd}) {
        if (ia->present && ia->t2 && ia->t1 > ia->t2) __builtin_trap();
        for (const IaAddress& a : ia->addresses)
          if (a.preferred > a.valid || a.valid == 0) __builtin_trap();
        for (const IaPrefix& p : ia->prefixes)
          if (p.length == 0 || p.length > 128 || p.preferred > p.valid) __builtin_trap();
      }
    }
  }
  std::vector<Option> opts;
  parseOptions(data, size, &opts);
  std::vector<std::string> names;
  if (decodeDomainList(data, size, &names))
    for (const std::string& n : names) checkName(n);
  return 0;
}
