// SPDX-License-Identifier: Apache-2.0
// ARP for IPv4 over Ethernet (RFC 826), the only ARP that ACD and IPv4-LL speak.
// Packets are the ARP payload as an AF_PACKET/SOCK_DGRAM socket delivers it: the
// Ethernet header is already gone.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <vector>

namespace sy::acd {

using Mac = std::array<uint8_t, 6>;
constexpr size_t kArpLength = 28;
enum ArpOp : uint16_t { ArpRequest = 1, ArpReply = 2 };

struct ArpPacket {
  uint16_t op = 0;
  Mac sha{}, tha{};
  uint32_t spa = 0, tpa = 0;  // host order
};

enum class ArpError { None, TooShort, NotEthernetIpv4, BadOp };
const char* arpErrorName(ArpError e);

// Never reads outside [data, data+len); bytes after the 28 (Ethernet padding) are ignored.
ArpError parseArp(const uint8_t* data, size_t len, ArpPacket* out);
std::vector<uint8_t> buildArp(uint16_t op, const Mac& sha, uint32_t spa, const Mac& tha, uint32_t tpa);

}  // namespace sy::acd
