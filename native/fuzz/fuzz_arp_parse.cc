// SPDX-License-Identifier: Apache-2.0
// libFuzzer: the ARP parser on arbitrary bytes. Whatever it accepts must rebuild
// into the same 28 bytes it read.
#include <cstddef>
#include <cstdint>
#include <cstring>

#include "../core/acd/arp.h"

using namespace sy;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  acd::ArpPacket p;
  if (acd::parseArp(data, size, &p) != acd::ArpError::None) return 0;
  if (size < acd::kArpLength) __builtin_trap();
  std::vector<uint8_t> again = acd::buildArp(p.op, p.sha, p.spa, p.tha, p.tpa);
  if (again.size() != acd::kArpLength || std::memcmp(again.data(), data, acd::kArpLength) != 0)
    __builtin_trap();
  return 0;
}
