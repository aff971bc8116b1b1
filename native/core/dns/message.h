// SPDX-License-Identifier: Apache-2.0
// One pass over a DNS message (RFC 1035 4.1) that checks every length against the bytes received
// and records where each resource record and its TTL sit, so the proxy can cache the message as
// bytes and later patch the ID, the question's case and the TTLs in place. Names inside RDATA of
// the types that carry them are expanded too (bounded), so a record whose RDLENGTH disagrees with
// its content is refused: that was CVE-2021-33833 and CVE-2025-32366 in ConnMan.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "name.h"
#include "../wire/writer.h"

namespace sy::dns {

constexpr size_t kHeaderSize = 12;
constexpr size_t kMaxRecords = 512;  // far above any sane answer; bounds the parse's memory

enum : uint16_t {
  kTypeA = 1, kTypeNS = 2, kTypeCNAME = 5, kTypeSOA = 6, kTypePTR = 12, kTypeMX = 15, kTypeTXT = 16,
  kTypeAAAA = 28, kTypeSRV = 33, kTypeDNAME = 39, kTypeOPT = 41,
};
enum : uint8_t { kRcodeNoError = 0, kRcodeFormErr = 1, kRcodeServFail = 2, kRcodeNxDomain = 3,
                 kRcodeNotImp = 4, kRcodeRefused = 5 };
enum : uint16_t { kFlagQR = 0x8000, kFlagAA = 0x0400, kFlagTC = 0x0200, kFlagRD = 0x0100,
                  kFlagRA = 0x0080, kFlagAD = 0x0020, kFlagCD = 0x0010 };

struct Header {
  uint16_t id = 0, flags = 0, qd = 0, an = 0, ns = 0, ar = 0;
  bool qr() const { return flags & kFlagQR; }
  bool tc() const { return flags & kFlagTC; }
  uint8_t opcode() const { return (flags >> 11) & 0xf; }
  uint8_t rcode() const { return flags & 0xf; }
};

enum class Section : uint8_t { Answer, Authority, Additional };

struct RecordRef {
  Section section = Section::Answer;
  uint16_t type = 0, cls = 0;
  uint32_t ttl = 0;
  uint32_t start = 0;      // owner name
  uint32_t ttlOffset = 0;  // where the 32-bit TTL sits
  uint32_t rdata = 0;      // first RDATA byte
  uint16_t rdlen = 0;
  uint32_t end = 0;        // one past the record
};

enum class ParseError {
  None, TooShort, BadQuestionCount, BadName, Truncated, TooManyRecords, BadRdata, BadOpt,
};
const char* parseErrorName(ParseError e);

struct Message {
  Header h;
  bool hasQuestion = false;
  Name qname;
  uint16_t qtype = 0, qclass = 0;
  uint32_t questionEnd = 0;  // one past QCLASS
  std::vector<RecordRef> records;
  uint32_t end = 0;          // one past the last record; trailing bytes are ignored
  // EDNS0 (RFC 6891)
  bool hasOpt = false;
  uint16_t optUdpSize = 0;
  bool optDo = false;
  int optIndex = -1;
  // RFC 2308: a negative answer's lifetime is min(SOA TTL, SOA MINIMUM) of the authority SOA
  bool hasSoa = false;
  uint32_t soaTtl = 0, soaMinimum = 0;
  std::vector<uint16_t> labels;  // where in-place labels start: the only legal pointer targets
};

// Parses a whole message. qdcount must be 0 or 1 (nobody sends more, and a reply must echo the
// single question we asked). Fails on the first inconsistency; out is then unspecified.
ParseError parseMessage(const uint8_t* data, size_t size, Message* out);

// A query: header, one question, and (when udpSize != 0) an OPT record with that payload size.
void buildQuery(uint16_t id, uint16_t flags, const Name& name, uint16_t qtype, uint16_t qclass,
                uint16_t udpSize, bool dnssecOk, std::vector<uint8_t>* out);

// A header-and-question answer with the given rcode and extra flags (TC, for instance).
void buildEmptyReply(uint16_t id, uint16_t flags, uint8_t rcode, const Name& qname, uint16_t qtype,
                     uint16_t qclass, std::vector<uint8_t>* out);

// Rewrites a parsed reply with `question` as its question and every owner name equal to `from`
// replaced by `question`, with all names written uncompressed. This is what answering a
// single-label query from its search-domain variant needs; it builds a new message rather than
// editing the old one in place (which is where ConnMan's CVE-2021-26675 lived). False when the
// result would exceed 65535 bytes.
bool rewriteOwner(const uint8_t* data, size_t size, const Message& m, const Name& question,
                  const Name& from, std::vector<uint8_t>* out);

}  // namespace sy::dns
