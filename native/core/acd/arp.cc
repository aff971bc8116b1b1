// SPDX-License-Identifier: Apache-2.0
#include "arp.h"

#include <cstring>

#include "../wire/reader.h"
#include "../wire/writer.h"

namespace sy::acd {

const char* arpErrorName(ArpError e) {
  switch (e) {
    case ArpError::None: return "ok";
    case ArpError::TooShort: return "shorter than an Ethernet/IPv4 ARP packet";
    case ArpError::NotEthernetIpv4: return "not Ethernet/IPv4 ARP";
    case ArpError::BadOp: return "neither request nor reply";
  }
  return "?";
}

ArpError parseArp(const uint8_t* data, size_t len, ArpPacket* out) {
  wire::Reader r(data, len);
  uint16_t htype = r.be16(), ptype = r.be16();
  uint8_t hlen = r.u8(), plen = r.u8();
  uint16_t op = r.be16();
  if (!r.ok()) return ArpError::TooShort;
  // The address lengths decide where every later field sits; anything but 6/4 is
  // another protocol's ARP and is not read further.
  if (htype != 1 || ptype != 0x0800 || hlen != 6 || plen != 4) return ArpError::NotEthernetIpv4;
  if (op != ArpRequest && op != ArpReply) return ArpError::BadOp;
  wire::Span sha = r.span(6);
  uint32_t spa = r.be32();
  wire::Span tha = r.span(6);
  uint32_t tpa = r.be32();
  if (!r.ok()) return ArpError::TooShort;
  out->op = op;
  std::memcpy(out->sha.data(), sha.data, 6);
  std::memcpy(out->tha.data(), tha.data, 6);
  out->spa = spa;
  out->tpa = tpa;
  return ArpError::None;
}

std::vector<uint8_t> buildArp(uint16_t op, const Mac& sha, uint32_t spa, const Mac& tha, uint32_t tpa) {
  std::vector<uint8_t> v;
  v.reserve(kArpLength);
  wire::Writer w(&v);
  w.be16(1);
  w.be16(0x0800);
  w.u8(6);
  w.u8(4);
  w.be16(op);
  w.bytes(sha.data(), 6);
  w.be32(spa);
  w.bytes(tha.data(), 6);
  w.be32(tpa);
  return v;
}

}  // namespace sy::acd
