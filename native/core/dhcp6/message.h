// SPDX-License-Identifier: Apache-2.0
// DHCPv6 messages (RFC 8415 section 8) and their options (section 21), parsed through
// the bounded reader into a flat list, and built for sending. Encapsulated options
// (IA_NA, IA_PD, NTP) are parsed by the same function on their payload.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace sy::dhcp6 {

constexpr uint16_t kClientPort = 546, kServerPort = 547;
// RFC 8415 7.1: All_DHCP_Relay_Agents_and_Servers.
constexpr std::array<uint8_t, 16> kAllServers = {0xff, 0x02, 0, 0, 0, 0, 0, 0,
                                                 0,    0,    0, 0, 0, 1, 0, 2};

using Address = std::array<uint8_t, 16>;

enum MessageType : uint8_t {
  Solicit = 1, Advertise = 2, Request = 3, Confirm = 4, Renew = 5, Rebind = 6,
  Reply = 7, Release = 8, Decline = 9, Reconfigure = 10, InformationRequest = 11,
};
const char* messageTypeName(uint8_t t);

namespace opt {
enum : uint16_t {
  ClientId = 1, ServerId = 2, IaNa = 3, IaTa = 4, IaAddr = 5, Oro = 6, Preference = 7,
  ElapsedTime = 8, StatusCode = 13, RapidCommit = 14, DnsServers = 23, DomainList = 24,
  IaPd = 25, IaPrefix = 26, SntpServers = 31, InfoRefreshTime = 32, NtpServer = 56,
  SolMaxRt = 82, InfMaxRt = 83,
};
}

// RFC 8415 21.13 status codes.
enum Status : uint16_t {
  Success = 0, UnspecFail = 1, NoAddrsAvail = 2, NoBinding = 3, NotOnLink = 4,
  UseMulticast = 5, NoPrefixAvail = 6,
};
const char* statusName(uint16_t s);

struct Option {
  uint16_t code = 0;
  std::vector<uint8_t> data;
};

struct Message {
  uint8_t type = 0;
  uint32_t xid = 0;  // 24 bits
  std::vector<Option> options;

  const Option* find(uint16_t code) const;  // the first instance, or nullptr
  size_t count(uint16_t code) const;
};

enum class ParseError {
  None,
  TooShort,         // fewer than the 4 header bytes
  OptionTruncated,  // an option header or length runs past the end (CVE-2012-2322)
};
const char* parseErrorName(ParseError e);

// Parse a whole message. Never reads outside [data, data+len).
ParseError parseMessage(const uint8_t* data, size_t len, Message* out);
// Parse a sequence of options (a message body or an IA's encapsulated options).
ParseError parseOptions(const uint8_t* data, size_t len, std::vector<Option>* out);

class MessageBuilder {
 public:
  MessageBuilder(uint8_t type, uint32_t xid);
  MessageBuilder& option(uint16_t code, const uint8_t* p, size_t n);
  MessageBuilder& option(uint16_t code, const std::vector<uint8_t>& v) {
    return option(code, v.data(), v.size());
  }
  MessageBuilder& optionU16(uint16_t code, uint16_t v);
  MessageBuilder& optionU32(uint16_t code, uint32_t v);
  MessageBuilder& raw(const std::vector<uint8_t>& v);  // tests and fuzz seeds
  const std::vector<uint8_t>& bytes() const { return out_; }
  std::vector<uint8_t> build() const { return out_; }

 private:
  std::vector<uint8_t> out_;
};

// Encoders for the composite options, shared by the client and the test server.
std::vector<uint8_t> encodeOption(uint16_t code, const std::vector<uint8_t>& v);
std::vector<uint8_t> encodeStatus(uint16_t code, const std::string& message);

// RFC 8415 10 / RFC 1035 3.1 names, uncompressed as RFC 8415 requires; each name made
// of hostname characters so wire strings never reach a shell (CVE-2012-2321). false if
// any name is malformed (the whole option is then ignored).
bool decodeDomainList(const uint8_t* p, size_t n, std::vector<std::string>* out);
std::vector<uint8_t> encodeDomainList(const std::vector<std::string>& names);

}  // namespace sy::dhcp6
