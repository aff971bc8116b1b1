// SPDX-License-Identifier: Apache-2.0
#include "lease.h"

#include "../wire/reader.h"

namespace sy::dhcp4 {

namespace {

bool addressList(const OptionTable& t, uint8_t code, std::vector<uint32_t>* out) {
  if (!t.has(code)) return false;
  const auto& v = t.get(code);
  // RFC 2132: lists of addresses have a minimum length of 4 and a multiple of 4.
  if (v.empty() || v.size() % 4 != 0) return false;
  wire::Reader r(v.data(), v.size());
  while (!r.empty()) out->push_back(r.be32());
  return true;
}

bool u32Option(const OptionTable& t, uint8_t code, uint32_t* out) {
  if (!t.has(code) || t.get(code).size() != 4) return false;
  *out = wire::Reader(t.get(code).data(), 4).be32();
  return true;
}

std::string text(const std::vector<uint8_t>& v) {
  // RFC 2132 section 2: options are not NUL-terminated, but some servers send a
  // trailing NUL; an empty option (e.g. 252 of length 0) stays empty.
  size_t n = v.size();
  while (n > 0 && v[n - 1] == 0) n--;
  return std::string(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(n));
}

bool printable(const std::string& s) {
  for (unsigned char c : s)
    if (c < 0x21 || c > 0x7e) return false;
  return true;
}

int maskToPrefix(uint32_t mask) {
  int n = 0;
  while (n < 32 && (mask & (0x80000000u >> n))) n++;
  // A mask with holes is not a prefix; the caller falls back to the class.
  uint32_t canonical = n == 0 ? 0 : ~uint32_t{0} << (32 - n);
  return canonical == mask ? n : -1;
}

uint8_t classfulPrefix(uint32_t a) {
  if ((a >> 31) == 0) return 8;
  if ((a >> 30) == 2) return 16;
  return 24;
}

}  // namespace

bool isValidDomainName(const std::vector<uint8_t>& v) {
  std::string s = text(v);
  if (s.empty() || s.size() > 253) return false;
  size_t label = 0;
  for (unsigned char c : s) {
    if (c == '.') {
      if (label == 0) return false;
      label = 0;
      continue;
    }
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '-' || c == '_';
    if (!ok || ++label > 63) return false;
  }
  return true;
}

bool decodeDomainSearch(const std::vector<uint8_t>& v, std::vector<std::string>* out) {
  std::vector<std::string> names;
  size_t pos = 0;
  while (pos < v.size()) {
    std::string name;
    size_t at = pos;          // where the next label is read
    size_t limit = pos;       // a pointer must land strictly before this
    bool jumped = false;
    for (;;) {
      if (at >= v.size()) return false;
      uint8_t len = v[at];
      if ((len & 0xc0) == 0xc0) {
        if (at + 1 >= v.size()) return false;
        size_t target = (size_t{len & 0x3fu} << 8) | v[at + 1];
        // Only backwards, and each jump strictly before the last: the walk ends.
        if (target >= limit) return false;
        if (!jumped) pos = at + 2;
        jumped = true;
        limit = target;
        at = target;
        continue;
      }
      if (len & 0xc0) return false;  // 0x40 / 0x80 label types are not defined
      if (len == 0) {
        if (!jumped) pos = at + 1;
        break;
      }
      if (at + 1 + len > v.size()) return false;
      for (size_t i = 0; i < len; i++) {
        unsigned char ch = v[at + 1 + i];
        bool ok = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
                  (ch >= '0' && ch <= '9') || ch == '-' || ch == '_';
        if (!ok) return false;
      }
      if (!name.empty()) name += '.';
      name.append(reinterpret_cast<const char*>(&v[at + 1]), len);
      if (name.size() > 253) return false;
      at += 1 + len;
    }
    if (name.empty()) return false;
    names.push_back(std::move(name));
  }
  *out = std::move(names);
  return true;
}

bool parseClasslessRoutes(const std::vector<uint8_t>& v, std::vector<Route>* out) {
  std::vector<Route> routes;
  wire::Reader r(v.data(), v.size());
  while (!r.empty()) {
    uint8_t width = r.u8();
    if (width > 32) return false;
    // RFC 3442: only the significant octets of the destination are sent.
    size_t octets = (width + 7u) / 8u;
    wire::Span d = r.span(octets);
    uint32_t gw = r.be32();
    if (!r.ok()) return false;
    uint32_t dest = 0;
    for (size_t i = 0; i < octets; i++) dest |= uint32_t{d.data[i]} << (24 - 8 * i);
    if (width < 32) dest &= width == 0 ? 0 : ~uint32_t{0} << (32 - width);
    routes.push_back(Route{dest, width, gw});
  }
  *out = std::move(routes);
  return true;
}

bool leaseFromMessage(const Message& m, Lease* l, const char** why) {
  const OptionTable& t = m.options;
  *l = Lease{};
  if (m.yiaddr == 0) {
    *why = "no address (yiaddr 0)";
    return false;
  }
  l->address = m.yiaddr;
  u32Option(t, opt::ServerId, &l->serverId);

  int prefix = -1;
  if (u32Option(t, opt::SubnetMask, &l->subnetMask)) prefix = maskToPrefix(l->subnetMask);
  if (prefix < 0 || prefix == 0) prefix = classfulPrefix(l->address);
  l->prefixLength = static_cast<uint8_t>(prefix);
  l->subnetMask = prefix == 0 ? 0 : ~uint32_t{0} << (32 - prefix);
  if (!u32Option(t, opt::Broadcast, &l->broadcast))
    l->broadcast = (l->address & l->subnetMask) | ~l->subnetMask;

  addressList(t, opt::Router, &l->routers);
  addressList(t, opt::DnsServer, &l->dns);
  addressList(t, opt::NtpServer, &l->ntp);
  if (t.has(opt::ClasslessRoute) && parseClasslessRoutes(t.get(opt::ClasslessRoute), &l->classlessRoutes)) {
    // RFC 3442: "If the DHCP server returns both a Classless Static Routes option
    // and a Router option, the DHCP client MUST ignore the Router option."
    l->routers.clear();
    for (const Route& r : l->classlessRoutes)
      if (r.prefixLength == 0) l->routers.push_back(r.gateway);
  }
  std::vector<uint32_t> pairs;
  if (addressList(t, opt::StaticRoute, &pairs) && pairs.size() % 2 == 0)
    for (size_t i = 0; i < pairs.size(); i += 2)
      l->staticRoutes.push_back(Route{pairs[i], 32, pairs[i + 1]});

  if (t.has(opt::DomainName) && isValidDomainName(t.get(opt::DomainName)))
    l->domainName = text(t.get(opt::DomainName));
  if (t.has(opt::Hostname) && isValidDomainName(t.get(opt::Hostname)))
    l->hostname = text(t.get(opt::Hostname));
  if (t.has(opt::Wpad)) {
    std::string s = text(t.get(opt::Wpad));
    if (printable(s)) l->wpadUrl = s;
  }
  if (t.has(opt::CaptivePortal)) {
    std::string s = text(t.get(opt::CaptivePortal));
    if (printable(s)) l->captivePortalUrl = s;
  }
  if (t.has(opt::DomainSearch)) {
    l->domainSearch = t.get(opt::DomainSearch);
    if (!decodeDomainSearch(l->domainSearch, &l->searchDomains)) l->searchDomains.clear();
  }
  if (t.has(opt::InterfaceMtu) && t.get(opt::InterfaceMtu).size() == 2) {
    uint16_t mtu = wire::Reader(t.get(opt::InterfaceMtu).data(), 2).be16();
    // RFC 2132 5.1: the minimum legal value for the MTU is 68.
    if (mtu >= 68) l->mtu = mtu;
  }

  u32Option(t, opt::LeaseTime, &l->leaseTime);
  u32Option(t, opt::RenewalTime, &l->t1);
  u32Option(t, opt::RebindingTime, &l->t2);
  return true;
}

}  // namespace sy::dhcp4
