// SPDX-License-Identifier: Apache-2.0
// libFuzzer: the DHCPv4 wire parsers on arbitrary bytes, both as an L2 frame
// (IPv4+UDP+BOOTP, as the packet socket delivers it) and as a bare BOOTP payload.
#include <cstddef>
#include <cstdint>

#include "../core/dhcp4/lease.h"
#include "../core/dhcp4/message.h"
#include "../core/wire/ipv4-udp.h"

using namespace sy;

static void parseBootp(const uint8_t* data, size_t size) {
  static dhcp4::Message m;  // the option table is large; reuse it across inputs
  if (dhcp4::parseMessage(data, size, &m) != dhcp4::ParseError::None) return;
  dhcp4::Lease l;
  const char* why = nullptr;
  if (dhcp4::leaseFromMessage(m, &l, &why)) {
    // A lease's strings must be plain: no NUL or shell metacharacters leak out.
    for (char c : l.hostname)
      if (c == ';' || c == '$' || c == '`' || c == 0) __builtin_trap();
    if (l.prefixLength > 32) __builtin_trap();
    for (const std::string& s : l.searchDomains)
      for (char c : s)
        if (c == ';' || c == '$' || c == '`' || c == ' ' || c == 0) __builtin_trap();
  }
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  wire::UdpDatagram d;
  // Checksums make random frames fail early; also parse as if offloaded.
  for (bool verify : {true, false}) {
    if (wire::parseIpv4Udp(data, size, dhcp4::kClientPort, verify, &d) == wire::FrameError::None) {
      if (d.payload.data < data || d.payload.data + d.payload.size > data + size) __builtin_trap();
      parseBootp(d.payload.data, d.payload.size);
    }
  }
  parseBootp(data, size);
  std::vector<dhcp4::Route> routes;
  dhcp4::parseClasslessRoutes(std::vector<uint8_t>(data, data + size), &routes);
  std::vector<std::string> names;
  if (dhcp4::decodeDomainSearch(std::vector<uint8_t>(data, data + size), &names))
    for (const std::string& n : names)
      if (n.empty() || n.size() > 253) __builtin_trap();
  return 0;
}
