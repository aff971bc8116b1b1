// SPDX-License-Identifier: Apache-2.0
#include "message.h"

#include "../wire/reader.h"
#include "../wire/writer.h"

namespace sy::dhcp6 {

const char* messageTypeName(uint8_t t) {
  switch (t) {
    case Solicit: return "SOLICIT";
    case Advertise: return "ADVERTISE";
    case Request: return "REQUEST";
    case Confirm: return "CONFIRM";
    case Renew: return "RENEW";
    case Rebind: return "REBIND";
    case Reply: return "REPLY";
    case Release: return "RELEASE";
    case Decline: return "DECLINE";
    case Reconfigure: return "RECONFIGURE";
    case InformationRequest: return "INFORMATION-REQUEST";
    default: return "DHCPv6 message";
  }
}

const char* statusName(uint16_t s) {
  switch (s) {
    case Success: return "Success";
    case UnspecFail: return "UnspecFail";
    case NoAddrsAvail: return "NoAddrsAvail";
    case NoBinding: return "NoBinding";
    case NotOnLink: return "NotOnLink";
    case UseMulticast: return "UseMulticast";
    case NoPrefixAvail: return "NoPrefixAvail";
    default: return "unknown status";
  }
}

const char* parseErrorName(ParseError e) {
  switch (e) {
    case ParseError::None: return "ok";
    case ParseError::TooShort: return "shorter than the 4-byte header";
    case ParseError::OptionTruncated: return "option length runs past the end";
  }
  return "?";
}

const Option* Message::find(uint16_t code) const {
  for (const Option& o : options)
    if (o.code == code) return &o;
  return nullptr;
}

size_t Message::count(uint16_t code) const {
  size_t n = 0;
  for (const Option& o : options) n += o.code == code;
  return n;
}

ParseError parseOptions(const uint8_t* data, size_t len, std::vector<Option>* out) {
  wire::Reader r(data, len);
  while (!r.empty()) {
    uint16_t code = r.be16();
    uint16_t n = r.be16();
    // CVE-2012-2322: the length is checked against what is left, never added to a
    // pointer first, so neither a length past the end nor a wrap can escape.
    wire::Span s = r.span(n);
    if (!r.ok()) return ParseError::OptionTruncated;
    out->push_back(Option{code, std::vector<uint8_t>(s.data, s.data + s.size)});
  }
  return ParseError::None;
}

ParseError parseMessage(const uint8_t* data, size_t len, Message* out) {
  *out = Message{};
  wire::Reader r(data, len);
  uint32_t head = r.be32();
  if (!r.ok()) return ParseError::TooShort;
  out->type = static_cast<uint8_t>(head >> 24);
  out->xid = head & 0xffffff;
  wire::Span rest = r.rest();
  return parseOptions(rest.data, rest.size, &out->options);
}

MessageBuilder::MessageBuilder(uint8_t type, uint32_t xid) {
  wire::Writer w(&out_);
  w.be32((uint32_t{type} << 24) | (xid & 0xffffff));
}

MessageBuilder& MessageBuilder::option(uint16_t code, const uint8_t* p, size_t n) {
  if (n > 0xffff) return *this;  // cannot be encoded; callers never build one
  wire::Writer w(&out_);
  w.be16(code);
  w.be16(static_cast<uint16_t>(n));
  w.bytes(p, n);
  return *this;
}

MessageBuilder& MessageBuilder::optionU16(uint16_t code, uint16_t v) {
  uint8_t b[2] = {static_cast<uint8_t>(v >> 8), static_cast<uint8_t>(v)};
  return option(code, b, 2);
}

MessageBuilder& MessageBuilder::optionU32(uint16_t code, uint32_t v) {
  uint8_t b[4] = {static_cast<uint8_t>(v >> 24), static_cast<uint8_t>(v >> 16),
                  static_cast<uint8_t>(v >> 8), static_cast<uint8_t>(v)};
  return option(code, b, 4);
}

MessageBuilder& MessageBuilder::raw(const std::vector<uint8_t>& v) {
  out_.insert(out_.end(), v.begin(), v.end());
  return *this;
}

std::vector<uint8_t> encodeOption(uint16_t code, const std::vector<uint8_t>& v) {
  std::vector<uint8_t> out;
  wire::Writer w(&out);
  w.be16(code);
  w.be16(static_cast<uint16_t>(v.size()));
  w.bytes(v.data(), v.size());
  return out;
}

std::vector<uint8_t> encodeStatus(uint16_t code, const std::string& message) {
  std::vector<uint8_t> v;
  wire::Writer w(&v);
  w.be16(code);
  w.bytes(reinterpret_cast<const uint8_t*>(message.data()), message.size());
  return encodeOption(opt::StatusCode, v);
}

namespace {

bool hostnameByte(uint8_t c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '_';
}

}  // namespace

bool decodeDomainList(const uint8_t* p, size_t n, std::vector<std::string>* out) {
  std::vector<std::string> names;
  wire::Reader r(p, n);
  while (!r.empty()) {
    std::string name;
    size_t wireLength = 0;
    for (;;) {
      uint8_t l = r.u8();
      if (!r.ok()) return false;
      wireLength += 1u + l;
      if (l == 0) break;
      // RFC 1035 4.1.4: 0xC0 marks a pointer; RFC 8415 10: "compression MUST NOT be used".
      // RFC 1035 3.1: 255 octets at most, the terminating zero included.
      if (l > 63 || wireLength > 254) return false;
      wire::Span s = r.span(l);
      if (!r.ok()) return false;
      for (size_t i = 0; i < s.size; i++)
        if (!hostnameByte(s.data[i])) return false;
      if (!name.empty()) name += '.';
      name.append(reinterpret_cast<const char*>(s.data), s.size);
    }
    if (name.empty()) return false;  // the root alone is no search domain
    names.push_back(std::move(name));
  }
  *out = std::move(names);
  return true;
}

std::vector<uint8_t> encodeDomainList(const std::vector<std::string>& names) {
  std::vector<uint8_t> out;
  for (const std::string& n : names) {
    size_t start = 0;
    while (start <= n.size()) {
      size_t dot = n.find('.', start);
      if (dot == std::string::npos) dot = n.size();
      if (dot > start) {
        out.push_back(static_cast<uint8_t>(dot - start));
        out.insert(out.end(), n.begin() + static_cast<long>(start), n.begin() + static_cast<long>(dot));
      }
      start = dot + 1;
    }
    out.push_back(0);
  }
  return out;
}

}  // namespace sy::dhcp6
