// SPDX-License-Identifier: Apache-2.0
#include "message.h"

#include <cstring>

#include "../wire/reader.h"
#include "../wire/writer.h"

namespace sy::dhcp4 {

const char* messageTypeName(uint8_t t) {
  switch (t) {
    case Discover: return "DHCPDISCOVER";
    case Offer: return "DHCPOFFER";
    case Request: return "DHCPREQUEST";
    case Decline: return "DHCPDECLINE";
    case Ack: return "DHCPACK";
    case Nak: return "DHCPNAK";
    case Release: return "DHCPRELEASE";
    case Inform: return "DHCPINFORM";
    default: return "unknown DHCP message";
  }
}

const char* parseErrorName(ParseError e) {
  switch (e) {
    case ParseError::None: return "ok";
    case ParseError::TooShort: return "message shorter than the BOOTP header";
    case ParseError::BadCookie: return "bad magic cookie";
    case ParseError::OptionTruncated: return "option runs past the end of the message";
    case ParseError::BadMessageType: return "missing or malformed message type";
  }
  return "?";
}

void OptionTable::append(uint8_t code, const uint8_t* p, size_t n) {
  present_.set(code);
  if (n) data_[code].insert(data_[code].end(), p, p + n);
}

void OptionTable::clear() {
  for (size_t i = 0; i < data_.size(); i++)
    if (present_[i]) data_[i].clear();
  present_.reset();
}

namespace {

// One option area (options field, file or sname). Pad and End carry no length;
// every other code must have its length byte and that many bytes inside the area.
bool parseArea(wire::Reader r, OptionTable* t, bool allowOverload) {
  while (!r.empty()) {
    uint8_t code = r.u8();
    if (code == opt::Pad) continue;
    if (code == opt::End) return true;
    uint8_t n = r.u8();
    wire::Span v = r.span(n);
    if (!r.ok()) return false;
    // RFC 2132 9.3: the overload option is only meaningful in the options field.
    if (code == opt::Overload && !allowOverload) continue;
    t->append(code, v.data, v.size);
  }
  // A missing End at the area's edge is tolerated: nothing past the area is read.
  return true;
}

}  // namespace

ParseError parseMessage(const uint8_t* data, size_t len, Message* m) {
  // CVE-2021-26676: nothing in the fixed part is trusted until all of it and the
  // cookie were received.
  if (len < kFixedLength + 4) return ParseError::TooShort;
  wire::Reader r(data, len);
  m->op = r.u8();
  m->htype = r.u8();
  m->hlen = r.u8();
  m->hops = r.u8();
  m->xid = r.be32();
  m->secs = r.be16();
  m->flags = r.be16();
  m->ciaddr = r.be32();
  m->yiaddr = r.be32();
  m->siaddr = r.be32();
  m->giaddr = r.be32();
  wire::Span ch = r.span(16);
  if (!r.ok()) return ParseError::TooShort;
  std::memcpy(m->chaddr.data(), ch.data, 16);
  wire::Span sname = r.span(kSnameLength);
  wire::Span file = r.span(kFileLength);
  uint32_t cookie = r.be32();
  if (!r.ok()) return ParseError::TooShort;
  if (cookie != kMagicCookie) return ParseError::BadCookie;

  m->options.clear();
  m->type = 0;
  if (!parseArea(wire::Reader(r.rest()), &m->options, true)) return ParseError::OptionTruncated;
  // RFC 2132 9.3: value 1 = file holds options, 2 = sname, 3 = both. RFC 3396
  // section 7 fixes the order of concatenation: options, then file, then sname.
  uint8_t overload = 0;
  if (m->options.has(opt::Overload) && m->options.get(opt::Overload).size() == 1)
    overload = m->options.get(opt::Overload)[0];
  if ((overload == 1 || overload == 3) && !parseArea(wire::Reader(file), &m->options, false))
    return ParseError::OptionTruncated;
  if ((overload == 2 || overload == 3) && !parseArea(wire::Reader(sname), &m->options, false))
    return ParseError::OptionTruncated;

  if (!m->options.has(opt::MessageType) || m->options.get(opt::MessageType).size() != 1)
    return ParseError::BadMessageType;
  m->type = m->options.get(opt::MessageType)[0];
  return ParseError::None;
}

MessageBuilder::MessageBuilder(uint8_t op, uint8_t type, uint32_t xid, const uint8_t* chaddr,
                               size_t chaddrLen)
    : op_(op), xid_(xid) {
  if (chaddr) std::memcpy(chaddr_.data(), chaddr, chaddrLen < 16 ? chaddrLen : 16);
  // RFC 2132 9.6: the message type goes first so cheap parsers find it quickly.
  optionU8(opt::MessageType, type);
}

MessageBuilder& MessageBuilder::option(uint8_t code, const uint8_t* p, size_t n) {
  wire::Writer w(&options_);
  do {
    size_t chunk = n > 255 ? 255 : n;
    w.u8(code);
    w.u8(static_cast<uint8_t>(chunk));
    w.bytes(p, chunk);
    p += chunk;
    n -= chunk;
  } while (n > 0);
  return *this;
}

MessageBuilder& MessageBuilder::optionU16(uint8_t code, uint16_t v) {
  uint8_t b[2] = {static_cast<uint8_t>(v >> 8), static_cast<uint8_t>(v)};
  return option(code, b, 2);
}

MessageBuilder& MessageBuilder::optionU32(uint8_t code, uint32_t v) {
  uint8_t b[4] = {static_cast<uint8_t>(v >> 24), static_cast<uint8_t>(v >> 16),
                  static_cast<uint8_t>(v >> 8), static_cast<uint8_t>(v)};
  return option(code, b, 4);
}

MessageBuilder& MessageBuilder::rawOptions(const std::vector<uint8_t>& v) {
  options_.insert(options_.end(), v.begin(), v.end());
  return *this;
}

std::vector<uint8_t> MessageBuilder::build(bool endOption) const {
  std::vector<uint8_t> out;
  out.reserve(kFixedLength + 4 + options_.size() + 64);
  wire::Writer w(&out);
  w.u8(op_);
  w.u8(1);  // htype Ethernet
  w.u8(6);
  w.u8(0);
  w.be32(xid_);
  w.be16(secs_);
  w.be16(flags_);
  w.be32(ciaddr_);
  w.be32(yiaddr_);
  w.be32(siaddr_);
  w.be32(0);  // giaddr: only relays set it
  w.bytes(chaddr_.data(), chaddr_.size());
  auto field = [&](const std::vector<uint8_t>& v, size_t cap) {
    size_t n = v.size() < cap ? v.size() : cap;
    w.bytes(v.data(), n);
    w.zeros(cap - n);
  };
  field(sname_, kSnameLength);
  field(file_, kFileLength);
  w.be32(kMagicCookie);
  w.bytes(options_.data(), options_.size());
  if (endOption) w.u8(opt::End);
  if (out.size() < 300) w.zeros(300 - out.size());
  return out;
}

}  // namespace sy::dhcp4
