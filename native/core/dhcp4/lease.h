// SPDX-License-Identifier: Apache-2.0
// What a DHCPACK grants, decoded from the linearized option table. Each option is
// checked on its own: a malformed one is dropped, the rest of the lease stands.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "message.h"

namespace sy::dhcp4 {

constexpr uint32_t kInfiniteLease = 0xffffffff;

struct Route {
  uint32_t destination = 0;  // host order
  uint8_t prefixLength = 0;
  uint32_t gateway = 0;
};

struct Lease {
  uint32_t address = 0, serverId = 0, subnetMask = 0, broadcast = 0;  // host order
  uint8_t prefixLength = 0;
  std::vector<uint32_t> routers, dns, ntp;
  std::vector<Route> classlessRoutes;  // option 121 (RFC 3442)
  std::vector<Route> staticRoutes;     // option 33, host routes only
  std::string domainName, hostname, wpadUrl, captivePortalUrl;
  std::vector<uint8_t> domainSearch;  // option 119, still in RFC 1035 wire form
  std::vector<std::string> searchDomains;  // option 119 decoded; empty if malformed
  uint16_t mtu = 0;
  uint32_t leaseTime = 0, t1 = 0, t2 = 0;  // seconds
};

// Decode a DHCPACK (or OFFER) into a lease. Fails only when the message grants
// nothing usable (no yiaddr); *why says which check failed.
bool leaseFromMessage(const Message& m, Lease* out, const char** why);

// RFC 3442 option 121; false if malformed (then the whole option is ignored).
bool parseClasslessRoutes(const std::vector<uint8_t>& v, std::vector<Route>* out);

// RFC 3397 option 119: RFC 1035 names, compression pointers allowed only backwards
// (so no loop), each name at most 255 bytes and made of hostname characters. False
// if any name is malformed (then the whole option is ignored).
bool decodeDomainSearch(const std::vector<uint8_t>& v, std::vector<std::string>* out);

// Hostname / domain name check (RFC 1123 letters, digits, '-', '.'), so strings from
// the wire never carry shell metacharacters into the system (CVE-2012-2321).
bool isValidDomainName(const std::vector<uint8_t>& v);

}  // namespace sy::dhcp4
