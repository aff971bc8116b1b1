// SPDX-License-Identifier: Apache-2.0
// What the proxy forwards to, as one immutable snapshot: the connected services in service order
// (the default service first), each with its nameservers and search domains, and the
// FallbackNameservers used only when no service has any. The daemon builds a new snapshot on every
// change and swaps it in whole; the proxy thread never sees a half-updated list.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "name.h"

namespace sy::dns {

struct ServerAddr {
  int family = 0;  // AF_INET or AF_INET6
  uint8_t addr[16] = {0};
  uint16_t port = 53;
  uint32_t scope = 0;  // IPv6 link-local scope (interface index)
  bool operator==(const ServerAddr& o) const;
  std::string toText() const;
};

struct ServiceDns {
  std::string id;
  std::vector<ServerAddr> servers;
  std::vector<Name> domains;
};

struct DnsConfig {
  std::vector<ServiceDns> services;  // default service first
  std::vector<ServerAddr> fallback;
  // Same servers and domains (the cache survives a change that does not touch them)
  bool sameUpstreams(const DnsConfig& o) const;
};

// Where a name should go: the service whose search domain matches it most specifically (split
// DNS: a VPN's domains to the VPN's servers); otherwise every service's servers in service
// order, so the default service is asked first and the others are the failover; the fallback
// servers only when no service has a server at all (as connmand does).
std::vector<ServerAddr> routeName(const DnsConfig& c, const Name& name);

// The search domains a single-label name is tried under, in service order, without duplicates.
std::vector<Name> searchDomains(const DnsConfig& c, size_t max);

}  // namespace sy::dns
