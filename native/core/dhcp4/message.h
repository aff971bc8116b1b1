// SPDX-License-Identifier: Apache-2.0
// DHCPv4 messages (RFC 2131 section 2) and their options (RFC 2132), parsed through
// the bounded reader into a linearized table, and built for sending.
#pragma once

#include <array>
#include <bitset>
#include <cstddef>
#include <cstdint>
#include <vector>

namespace sy::dhcp4 {

constexpr size_t kFixedLength = 236;  // op .. file, before the magic cookie
constexpr size_t kSnameOffset = 44, kSnameLength = 64;
constexpr size_t kFileOffset = 108, kFileLength = 128;
constexpr uint32_t kMagicCookie = 0x63825363;
constexpr uint16_t kServerPort = 67, kClientPort = 68;

enum Op : uint8_t { BootRequest = 1, BootReply = 2 };

enum MessageType : uint8_t {
  Discover = 1, Offer = 2, Request = 3, Decline = 4,
  Ack = 5, Nak = 6, Release = 7, Inform = 8,
};
const char* messageTypeName(uint8_t t);

namespace opt {
enum : uint8_t {
  Pad = 0, SubnetMask = 1, Router = 3, DnsServer = 6, Hostname = 12, DomainName = 15,
  InterfaceMtu = 26, Broadcast = 28, StaticRoute = 33, NtpServer = 42,
  RequestedAddress = 50, LeaseTime = 51, Overload = 52, MessageType = 53, ServerId = 54,
  ParameterList = 55, MaxMessageSize = 57, RenewalTime = 58, RebindingTime = 59,
  VendorClass = 60, ClientId = 61, CaptivePortal = 114, DomainSearch = 119,
  ClasslessRoute = 121, Wpad = 252, End = 255,
};
}

// Every option of a message, each code once: RFC 3396 instances of the same
// code are concatenated in the order options, file, sname.
class OptionTable {
 public:
  bool has(uint8_t code) const { return present_[code]; }
  const std::vector<uint8_t>& get(uint8_t code) const { return data_[code]; }
  void append(uint8_t code, const uint8_t* p, size_t n);
  void clear();

 private:
  std::bitset<256> present_;
  std::array<std::vector<uint8_t>, 256> data_;
};

struct Message {
  uint8_t op = 0, htype = 0, hlen = 0, hops = 0;
  uint32_t xid = 0;
  uint16_t secs = 0, flags = 0;
  uint32_t ciaddr = 0, yiaddr = 0, siaddr = 0, giaddr = 0;  // host order
  std::array<uint8_t, 16> chaddr{};
  uint8_t type = 0;  // option 53, 0 when absent or malformed
  OptionTable options;
};

enum class ParseError {
  None,
  TooShort,         // fewer bytes than the BOOTP fixed part + cookie (CVE-2021-26676)
  BadCookie,
  OptionTruncated,  // a length byte points past the bytes received
  BadMessageType,   // option 53 absent or not one byte
};
const char* parseErrorName(ParseError e);

// Parse a bare BOOTP/DHCP payload. Never reads outside [data, data+len).
ParseError parseMessage(const uint8_t* data, size_t len, Message* out);

// Builds a message: fixed part, cookie, options in the order added, End, and
// padding to the 300-byte BOOTP minimum (RFC 1542 section 2.1) so old relays pass it.
class MessageBuilder {
 public:
  MessageBuilder(uint8_t op, uint8_t type, uint32_t xid, const uint8_t* chaddr, size_t chaddrLen);
  MessageBuilder& secs(uint16_t v) { secs_ = v; return *this; }
  MessageBuilder& flags(uint16_t v) { flags_ = v; return *this; }
  MessageBuilder& ciaddr(uint32_t v) { ciaddr_ = v; return *this; }
  MessageBuilder& yiaddr(uint32_t v) { yiaddr_ = v; return *this; }
  MessageBuilder& siaddr(uint32_t v) { siaddr_ = v; return *this; }
  // Values longer than 255 bytes are split into several instances (RFC 3396).
  MessageBuilder& option(uint8_t code, const uint8_t* p, size_t n);
  MessageBuilder& option(uint8_t code, const std::vector<uint8_t>& v) {
    return option(code, v.data(), v.size());
  }
  MessageBuilder& optionU8(uint8_t code, uint8_t v) { return option(code, &v, 1); }
  MessageBuilder& optionU16(uint8_t code, uint16_t v);
  MessageBuilder& optionU32(uint8_t code, uint32_t v);
  // Raw bytes for the sname / file fields, for option overload (RFC 2132 9.3).
  MessageBuilder& sname(const std::vector<uint8_t>& v) { sname_ = v; return *this; }
  MessageBuilder& file(const std::vector<uint8_t>& v) { file_ = v; return *this; }
  // Raw bytes appended to the options field verbatim (tests, fuzz seeds).
  MessageBuilder& rawOptions(const std::vector<uint8_t>& v);
  std::vector<uint8_t> build(bool endOption = true) const;

 private:
  uint8_t op_;
  uint32_t xid_;
  uint16_t secs_ = 0, flags_ = 0;
  uint32_t ciaddr_ = 0, yiaddr_ = 0, siaddr_ = 0;
  std::array<uint8_t, 16> chaddr_{};
  std::vector<uint8_t> options_, sname_, file_;
};

}  // namespace sy::dhcp4
