// SPDX-License-Identifier: Apache-2.0
// The IPv6 configuration that router advertisements carry besides what the kernel
// applies itself: RDNSS (RFC 8106 5.1) and DNSSL (RFC 8106 5.2) as the kernel hands
// them to userspace in RTM_NEWNDUSEROPT, and the M/O flags of the last RA as the
// kernel keeps them (IFLA_INET6_FLAGS in an AF_INET6 RTM_NEWLINK). Pure parsing of
// netlink payloads (after the nlmsghdr), so it is fuzzed like any wire parser.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "message.h"

namespace sy::dhcp6 {

constexpr uint8_t kNdOptRdnss = 25, kNdOptDnssl = 31;
constexpr uint32_t kRaManaged = 0x40, kRaOtherConf = 0x80, kRaReceived = 0x20;  // IF_RA_*

struct NdUserOption {
  int ifindex = 0;
  uint8_t icmpType = 0;  // 134: router advertisement
  bool haveRouter = false;
  Address router{};
  bool rdnss = false, dnssl = false;
  uint32_t rdnssLifetime = 0, dnsslLifetime = 0;  // seconds; 0xffffffff = infinity
  std::vector<Address> servers;
  std::vector<std::string> domains;
};

// *why says which check failed. Options other than RDNSS/DNSSL are skipped.
bool parseNdUserOpt(const uint8_t* p, size_t n, NdUserOption* out, const char** why);

// An AF_INET6 RTM_NEWLINK payload: true with the IF_RA_* flags if it carries them.
bool parseInet6LinkFlags(const uint8_t* p, size_t n, int* ifindex, uint32_t* flags);

}  // namespace sy::dhcp6
