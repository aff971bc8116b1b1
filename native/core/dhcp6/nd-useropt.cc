// SPDX-License-Identifier: Apache-2.0
#include "nd-useropt.h"

#include <cstring>

#include "../wire/reader.h"

namespace sy::dhcp6 {

namespace {

// Host-order fields of the kernel's own structs: netlink is never byte-swapped.
uint16_t host16(const uint8_t* p) {
  uint16_t v;
  std::memcpy(&v, p, 2);
  return v;
}
uint32_t host32(const uint8_t* p) {
  uint32_t v;
  std::memcpy(&v, p, 4);
  return v;
}

constexpr size_t kNdUserOptMsg = 16;  // struct nduseroptmsg
constexpr size_t kIfInfoMsg = 16;     // struct ifinfomsg
constexpr uint16_t kNdUserOptSrcAddr = 1;  // NDUSEROPT_SRCADDR
constexpr uint16_t kIflaProtinfo = 12, kIflaInet6Flags = 1;
constexpr uint16_t kNlaTypeMask = 0x3fff;  // without NLA_F_NESTED / NLA_F_NET_BYTEORDER

bool hostnameByte(uint8_t c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '_';
}

// RFC 8106 5.2: names in RFC 1035 wire form, uncompressed, the option padded with
// zero bytes to its 8-byte multiple.
bool decodeDnssl(wire::Reader r, std::vector<std::string>* out) {
  while (!r.empty()) {
    std::string name;
    size_t wireLength = 0;
    uint8_t l = r.u8();
    if (l == 0) {
      // The start of padding: every byte left must be zero.
      while (!r.empty())
        if (r.u8() != 0) return false;
      break;
    }
    for (;;) {
      if (!r.ok() || l > 63) return false;
      wireLength += 1u + l;
      if (wireLength > 254) return false;  // RFC 1035 3.1, with the final zero
      wire::Span s = r.span(l);
      if (!r.ok()) return false;
      for (size_t i = 0; i < s.size; i++)
        if (!hostnameByte(s.data[i])) return false;
      if (!name.empty()) name += '.';
      name.append(reinterpret_cast<const char*>(s.data), s.size);
      l = r.u8();
      if (!r.ok()) return false;
      if (l == 0) break;
    }
    out->push_back(std::move(name));
  }
  return !out->empty();
}

bool decodeOption(uint8_t type, wire::Reader body, NdUserOption* out) {
  // body starts after type and length: reserved(2), lifetime(4), then data.
  body.skip(2);
  uint32_t lifetime = body.be32();
  if (!body.ok()) return false;
  if (type == kNdOptRdnss) {
    // RFC 8106 5.1: "Length ... The minimum value is 3 if one IPv6 address is
    // contained"; addresses fill the rest, 16 bytes each.
    if (body.remaining() == 0 || body.remaining() % 16 != 0) return false;
    std::vector<Address> servers;
    while (!body.empty()) {
      wire::Span s = body.span(16);
      Address a;
      std::memcpy(a.data(), s.data, 16);
      servers.push_back(a);
    }
    out->rdnss = true;
    out->rdnssLifetime = lifetime;
    out->servers.insert(out->servers.end(), servers.begin(), servers.end());
    return true;
  }
  if (type == kNdOptDnssl) {
    std::vector<std::string> names;
    if (!decodeDnssl(body, &names)) return false;
    out->dnssl = true;
    out->dnsslLifetime = lifetime;
    out->domains.insert(out->domains.end(), names.begin(), names.end());
    return true;
  }
  return true;
}

}  // namespace

bool parseNdUserOpt(const uint8_t* p, size_t n, NdUserOption* out, const char** why) {
  *out = NdUserOption{};
  wire::Reader r(p, n);
  wire::Span hdr = r.span(kNdUserOptMsg);
  if (!r.ok()) {
    *why = "shorter than nduseroptmsg";
    return false;
  }
  uint8_t family = hdr.data[0];
  uint16_t optsLen = host16(hdr.data + 2);
  out->ifindex = static_cast<int>(host32(hdr.data + 4));
  out->icmpType = hdr.data[8];
  if (family != 10 /* AF_INET6 */ || out->ifindex <= 0) {
    *why = "not an IPv6 interface";
    return false;
  }
  wire::Reader opts = r.sub(optsLen);
  if (!r.ok()) {
    *why = "option length runs past the message";
    return false;
  }
  while (!opts.empty()) {
    uint8_t type = opts.u8();
    uint8_t units = opts.u8();
    // RFC 4861 4.6: "The value 0 is invalid. Nodes MUST silently discard an ND
    // packet that contains an option with length zero."
    if (!opts.ok() || units == 0) {
      *why = "ND option with length zero or cut short";
      return false;
    }
    wire::Reader body = opts.sub(size_t{units} * 8 - 2);
    if (!opts.ok()) {
      *why = "ND option runs past its message";
      return false;
    }
    if (!decodeOption(type, body, out)) {
      *why = type == kNdOptRdnss ? "malformed RDNSS" : "malformed DNSSL";
      return false;
    }
  }
  // Attributes follow, 4-byte aligned.
  size_t pad = (4 - (optsLen % 4)) % 4;
  r.skip(pad);
  while (r.ok() && r.remaining() >= 4) {
    wire::Span a = r.span(4);
    uint16_t len = host16(a.data);
    uint16_t type = host16(a.data + 2) & kNlaTypeMask;
    if (len < 4) break;
    wire::Span v = r.span(len - 4u);
    if (!r.ok()) break;
    if (type == kNdUserOptSrcAddr && v.size == 16) {
      std::memcpy(out->router.data(), v.data, 16);
      out->haveRouter = true;
    }
    r.skip((4 - (len % 4)) % 4);
  }
  if (!out->rdnss && !out->dnssl) {
    *why = "neither RDNSS nor DNSSL";
    return false;
  }
  return true;
}

bool parseInet6LinkFlags(const uint8_t* p, size_t n, int* ifindex, uint32_t* flags) {
  wire::Reader r(p, n);
  wire::Span hdr = r.span(kIfInfoMsg);
  if (!r.ok() || hdr.data[0] != 10 /* AF_INET6 */) return false;
  *ifindex = static_cast<int>(host32(hdr.data + 4));
  while (r.ok() && r.remaining() >= 4) {
    wire::Span a = r.span(4);
    uint16_t len = host16(a.data);
    uint16_t type = host16(a.data + 2) & kNlaTypeMask;
    if (len < 4) return false;
    wire::Reader v = r.sub(len - 4u);
    if (!r.ok()) return false;
    r.skip((4 - (len % 4)) % 4);
    if (type != kIflaProtinfo) continue;
    while (v.ok() && v.remaining() >= 4) {
      wire::Span b = v.span(4);
      uint16_t blen = host16(b.data);
      uint16_t btype = host16(b.data + 2) & kNlaTypeMask;
      if (blen < 4) return false;
      wire::Span bv = v.span(blen - 4u);
      if (!v.ok()) return false;
      v.skip((4 - (blen % 4)) % 4);
      if (btype == kIflaInet6Flags && bv.size == 4) {
        *flags = host32(bv.data);
        return *ifindex > 0;
      }
    }
  }
  return false;
}

}  // namespace sy::dhcp6
