// SPDX-License-Identifier: Apache-2.0
#include "message.h"

#include <cstring>

#include "../wire/reader.h"

namespace sy::dns {

const char* parseErrorName(ParseError e) {
  switch (e) {
    case ParseError::None: return "none";
    case ParseError::TooShort: return "shorter than a header";
    case ParseError::BadQuestionCount: return "question count is not 0 or 1";
    case ParseError::BadName: return "bad name";
    case ParseError::Truncated: return "record runs past the end";
    case ParseError::TooManyRecords: return "too many records";
    case ParseError::BadRdata: return "RDATA does not match its type";
    case ParseError::BadOpt: return "bad OPT record";
  }
  return "?";
}

namespace {

// The RDATA of types that embed names: each name must end exactly where its fields say.
bool checkRdata(const uint8_t* data, size_t size, const RecordRef& rr, Message* m) {
  wire::Reader r(data, rr.rdata + size_t{rr.rdlen});  // a name may not run past RDATA
  r.skip(rr.rdata);
  Name n;
  switch (rr.type) {
    case kTypeA: return rr.rdlen == 4;
    case kTypeAAAA: return rr.rdlen == 16;
    case kTypeNS: case kTypeCNAME: case kTypePTR: case kTypeDNAME:
      return readName(data, size, r, &n, &m->labels) && r.empty();
    case kTypeMX:
      r.skip(2);
      return r.ok() && readName(data, size, r, &n, &m->labels) && r.empty();
    case kTypeSRV:
      r.skip(6);
      return r.ok() && readName(data, size, r, &n, &m->labels) && r.empty();
    case kTypeSOA: {
      if (!readName(data, size, r, &n, &m->labels) || !readName(data, size, r, &n, &m->labels)) return false;
      if (r.remaining() != 20) return false;  // serial refresh retry expire minimum
      r.skip(16);
      uint32_t minimum = r.be32();
      if (rr.section == Section::Authority && !m->hasSoa) {
        m->hasSoa = true;
        m->soaTtl = rr.ttl;
        m->soaMinimum = minimum;
      }
      return r.ok();
    }
    default: return true;  // RFC 3597: unknown types carry no compressed names
  }
}

}  // namespace

ParseError parseMessage(const uint8_t* data, size_t size, Message* m) {
  wire::Reader r(data, size);
  if (size < kHeaderSize) return ParseError::TooShort;
  m->h.id = r.be16();
  m->h.flags = r.be16();
  m->h.qd = r.be16();
  m->h.an = r.be16();
  m->h.ns = r.be16();
  m->h.ar = r.be16();
  m->records.clear();
  m->labels.clear();
  m->hasQuestion = false;
  // The message is reused between parses: a query without OPT must not inherit the last one's DO.
  m->hasOpt = false;
  m->optDo = false;
  m->optUdpSize = 0;
  m->optIndex = -1;
  m->hasSoa = false;
  if (m->h.qd > 1) return ParseError::BadQuestionCount;
  if (m->h.qd == 1) {
    if (!readName(data, size, r, &m->qname, &m->labels)) return ParseError::BadName;
    m->qtype = r.be16();
    m->qclass = r.be16();
    if (!r.ok()) return ParseError::Truncated;
    m->hasQuestion = true;
  }
  m->questionEnd = static_cast<uint32_t>(r.offset());
  size_t total = size_t{m->h.an} + m->h.ns + m->h.ar;
  if (total > kMaxRecords) return ParseError::TooManyRecords;
  // Each record needs at least 11 bytes; refuse counts the packet cannot hold before allocating.
  if (total * 11 > r.remaining()) return ParseError::Truncated;
  m->records.reserve(total);
  for (size_t i = 0; i < total; ++i) {
    RecordRef rr;
    rr.section = i < m->h.an ? Section::Answer
                 : i < size_t{m->h.an} + m->h.ns ? Section::Authority : Section::Additional;
    rr.start = static_cast<uint32_t>(r.offset());
    Name owner;
    if (!readName(data, size, r, &owner, &m->labels)) return ParseError::BadName;
    rr.type = r.be16();
    rr.cls = r.be16();
    rr.ttlOffset = static_cast<uint32_t>(r.offset());
    rr.ttl = r.be32();
    rr.rdlen = r.be16();
    rr.rdata = static_cast<uint32_t>(r.offset());
    if (!r.ok() || !r.skip(rr.rdlen)) return ParseError::Truncated;
    rr.end = static_cast<uint32_t>(r.offset());
    // RFC 2181 8: a TTL with the top bit set is treated as zero.
    if (rr.ttl & 0x80000000u) rr.ttl = 0;
    if (rr.type == kTypeOPT) {
      if (rr.section != Section::Additional || m->hasOpt || !owner.isRoot()) return ParseError::BadOpt;
      m->hasOpt = true;
      m->optUdpSize = rr.cls;
      m->optDo = (rr.ttl & 0x8000) != 0;
      m->optIndex = static_cast<int>(m->records.size());
    } else if (!checkRdata(data, size, rr, m)) {
      return ParseError::BadRdata;
    }
    m->records.push_back(rr);
  }
  m->end = static_cast<uint32_t>(r.offset());
  return ParseError::None;
}

void buildQuery(uint16_t id, uint16_t flags, const Name& name, uint16_t qtype, uint16_t qclass,
                uint16_t udpSize, bool dnssecOk, std::vector<uint8_t>* out) {
  out->clear();
  wire::Writer w(out);
  w.be16(id);
  w.be16(flags);
  w.be16(1);
  w.be16(0);
  w.be16(0);
  w.be16(udpSize ? 1 : 0);
  w.bytes(name.wire, name.len);
  w.be16(qtype);
  w.be16(qclass);
  if (udpSize) {
    w.u8(0);  // root owner
    w.be16(kTypeOPT);
    w.be16(udpSize);
    w.be32(dnssecOk ? 0x8000u : 0u);
    w.be16(0);
  }
}

void buildEmptyReply(uint16_t id, uint16_t flags, uint8_t rcode, const Name& qname, uint16_t qtype,
                     uint16_t qclass, std::vector<uint8_t>* out) {
  out->clear();
  wire::Writer w(out);
  w.be16(id);
  w.be16(static_cast<uint16_t>((flags & ~0xfu) | kFlagQR | rcode));
  w.be16(1);
  w.be16(0);
  w.be16(0);
  w.be16(0);
  w.bytes(qname.wire, qname.len);
  w.be16(qtype);
  w.be16(qclass);
}

bool rewriteOwner(const uint8_t* data, size_t size, const Message& m, const Name& question,
                  const Name& from, std::vector<uint8_t>* out) {
  out->clear();
  wire::Writer w(out);
  w.be16(m.h.id);
  w.be16(m.h.flags);
  w.be16(1);
  w.be16(m.h.an);
  w.be16(m.h.ns);
  w.be16(m.h.ar);
  w.bytes(question.wire, question.len);
  w.be16(m.qtype);
  w.be16(m.qclass);
  for (const RecordRef& rr : m.records) {
    wire::Reader r(data, size);
    r.skip(rr.start);
    Name owner;
    if (!readName(data, size, r, &owner)) return false;
    const Name& o = rr.type != kTypeOPT && nameEquals(owner, from) ? question : owner;
    w.bytes(o.wire, o.len);
    w.be16(rr.type);
    w.be16(rr.cls);
    w.bytes(data + rr.ttlOffset, 4);
    size_t lenAt = w.size();
    w.be16(0);
    size_t rdStart = w.size();
    wire::Reader rd(data, rr.rdata + size_t{rr.rdlen});
    rd.skip(rr.rdata);
    Name n;
    auto copyName = [&]() {
      if (!readName(data, size, rd, &n)) return false;
      w.bytes(n.wire, n.len);
      return true;
    };
    auto copyFixed = [&](size_t k) {
      wire::Span s = rd.span(k);
      if (!rd.ok()) return false;
      w.bytes(s.data, s.size);
      return true;
    };
    bool ok = true;
    switch (rr.type) {
      case kTypeNS: case kTypeCNAME: case kTypePTR: case kTypeDNAME: ok = copyName(); break;
      case kTypeMX: ok = copyFixed(2) && copyName(); break;
      case kTypeSRV: ok = copyFixed(6) && copyName(); break;
      case kTypeSOA: ok = copyName() && copyName() && copyFixed(20); break;
      default: ok = copyFixed(rr.rdlen); break;
    }
    if (!ok) return false;
    size_t rdlen = w.size() - rdStart;
    if (rdlen > 0xffff || w.size() > 0xffff) return false;
    w.be16At(lenAt, static_cast<uint16_t>(rdlen));
  }
  return true;
}

}  // namespace sy::dns
