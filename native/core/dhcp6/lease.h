// SPDX-License-Identifier: Apache-2.0
// What an ADVERTISE or REPLY grants, decoded from the option list. Each option is
// checked on its own: a malformed one is dropped, the rest of the message stands.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "message.h"

namespace sy::dhcp6 {

constexpr uint32_t kInfinity = 0xffffffff;  // RFC 8415 7.7

struct IaAddress {
  Address address{};
  uint32_t preferred = 0, valid = 0;  // seconds
};

struct IaPrefix {
  Address prefix{};
  uint8_t length = 0;
  uint32_t preferred = 0, valid = 0;
};

// One IA_NA or IA_PD (we ask for one of each, each with its own IAID).
struct Ia {
  bool present = false;
  uint32_t iaid = 0, t1 = 0, t2 = 0;
  uint16_t status = Success;
  std::vector<IaAddress> addresses;  // IA_NA
  std::vector<IaPrefix> prefixes;    // IA_PD
  bool empty() const { return addresses.empty() && prefixes.empty(); }
};

struct Lease {
  std::vector<uint8_t> serverId, clientId;
  uint8_t preference = 0;
  bool rapidCommit = false;
  uint16_t status = Success;  // top-level status code
  std::string statusMessage;
  Ia na, pd;
  std::vector<Address> dns, sntp, ntp;  // ntp: option 56 server and multicast addresses
  std::vector<std::string> domains, ntpNames;
  uint32_t infoRefresh = 0, solMaxRt = 0, infMaxRt = 0;  // 0 = absent
  uint32_t t1 = 0, t2 = 0;  // what the client will use, set by the client
};

// Decode a server message. IAs whose IAID is not ours are skipped. Fails only on a
// message that names no server (RFC 8415 16.3 / 16.10: "MUST discard"); *why says why.
bool decodeServerMessage(const Message& m, uint32_t iaidNa, uint32_t iaidPd, Lease* out,
                         const char** why);

}  // namespace sy::dhcp6
