// SPDX-License-Identifier: Apache-2.0
#include "config.h"

#include <arpa/inet.h>
#include <sys/socket.h>

#include <cstring>

namespace sy::dns {

bool ServerAddr::operator==(const ServerAddr& o) const {
  return family == o.family && port == o.port && scope == o.scope && std::memcmp(addr, o.addr, 16) == 0;
}

std::string ServerAddr::toText() const {
  char buf[INET6_ADDRSTRLEN] = "?";
  inet_ntop(family == AF_INET6 ? AF_INET6 : AF_INET, addr, buf, sizeof buf);
  return family == AF_INET6 ? "[" + std::string(buf) + "]:" + std::to_string(port)
                            : std::string(buf) + ":" + std::to_string(port);
}

bool DnsConfig::sameUpstreams(const DnsConfig& o) const {
  if (services.size() != o.services.size() || !(fallback == o.fallback)) return false;
  for (size_t i = 0; i < services.size(); ++i) {
    const ServiceDns& a = services[i];
    const ServiceDns& b = o.services[i];
    if (!(a.servers == b.servers) || a.domains.size() != b.domains.size()) return false;
    for (size_t k = 0; k < a.domains.size(); ++k)
      if (!nameEquals(a.domains[k], b.domains[k])) return false;
  }
  return true;
}

namespace {
void addUnique(std::vector<ServerAddr>* out, const ServerAddr& s) {
  for (const ServerAddr& x : *out)
    if (x == s) return;
  out->push_back(s);
}
}  // namespace

std::vector<ServerAddr> routeName(const DnsConfig& c, const Name& name) {
  const ServiceDns* best = nullptr;
  uint16_t bestLen = 0;
  for (const ServiceDns& s : c.services) {
    if (s.servers.empty()) continue;
    for (const Name& d : s.domains)
      if (!d.isRoot() && d.len > bestLen && nameUnder(name, d)) {
        best = &s;
        bestLen = d.len;
      }
  }
  std::vector<ServerAddr> out;
  if (best) {
    out = best->servers;
    return out;
  }
  for (const ServiceDns& s : c.services)
    for (const ServerAddr& a : s.servers) addUnique(&out, a);
  if (out.empty())
    for (const ServerAddr& a : c.fallback) addUnique(&out, a);
  return out;
}

std::vector<Name> searchDomains(const DnsConfig& c, size_t max) {
  std::vector<Name> out;
  for (const ServiceDns& s : c.services)
    for (const Name& d : s.domains) {
      if (d.isRoot() || out.size() >= max) continue;
      bool dup = false;
      for (const Name& x : out) dup = dup || nameEquals(x, d);
      if (!dup) out.push_back(d);
    }
  return out;
}

}  // namespace sy::dns
