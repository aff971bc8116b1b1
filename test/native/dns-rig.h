// SPDX-License-Identifier: Apache-2.0
// Helpers for the DNS engine tests: build messages, read the seed corpus, look at answers.
#pragma once

#include <cstdio>
#include <string>
#include <vector>

#include "../../native/core/dns/message.h"
#include "../../native/core/wire/writer.h"

namespace dnstest {

using Bytes = std::vector<uint8_t>;

inline sy::dns::Name N(const char* text) {
  sy::dns::Name n;
  sy::dns::nameFromText(text, &n);
  return n;
}

inline Bytes query(uint16_t id, const char* name, uint16_t qtype = 1, uint16_t edns = 0) {
  Bytes q;
  sy::dns::buildQuery(id, sy::dns::kFlagRD, N(name), qtype, 1, edns, false, &q);
  return q;
}

struct Rr {
  std::string owner;
  uint16_t type;
  uint32_t ttl;
  Bytes rdata;
};

// An answer with uncompressed names; section counts from the vectors; optional OPT last.
inline Bytes reply(uint16_t id, const char* qname, uint16_t qtype, uint8_t rcode, const std::vector<Rr>& an,
                   const std::vector<Rr>& ns = {}, bool opt = false, uint16_t extraFlags = 0) {
  Bytes out;
  sy::wire::Writer w(&out);
  w.be16(id);
  w.be16(static_cast<uint16_t>(0x8180 | extraFlags | rcode));
  w.be16(1);
  w.be16(static_cast<uint16_t>(an.size()));
  w.be16(static_cast<uint16_t>(ns.size()));
  w.be16(opt ? 1 : 0);
  sy::dns::Name q = N(qname);
  w.bytes(q.wire, q.len);
  w.be16(qtype);
  w.be16(1);
  for (const auto* sec : {&an, &ns})
    for (const Rr& r : *sec) {
      sy::dns::Name o = N(r.owner.c_str());
      w.bytes(o.wire, o.len);
      w.be16(r.type);
      w.be16(1);
      w.be32(r.ttl);
      w.be16(static_cast<uint16_t>(r.rdata.size()));
      w.bytes(r.rdata.data(), r.rdata.size());
    }
  if (opt) {
    w.u8(0);
    w.be16(41);
    w.be16(1232);
    w.be32(0);
    w.be16(0);
  }
  return out;
}

inline Bytes soaRdata(uint32_t minimum) {
  Bytes b;
  sy::wire::Writer w(&b);
  sy::dns::Name m = N("ns.example.com"), r = N("host.example.com");
  w.bytes(m.wire, m.len);
  w.bytes(r.wire, r.len);
  w.be32(1);
  w.be32(3600);
  w.be32(600);
  w.be32(86400);
  w.be32(minimum);
  return b;
}

inline Bytes seed(const std::string& corpus, const std::string& name) {
  std::string here = __FILE__;
  std::string path = here.substr(0, here.rfind('/')) + "/../fuzz/dns/seeds/" + corpus + "/" + name;
  Bytes out;
  FILE* f = std::fopen(path.c_str(), "rb");
  if (!f) {
    std::printf("  missing seed %s\n", path.c_str());
    return out;
  }
  int c;
  while ((c = std::fgetc(f)) != EOF) out.push_back(static_cast<uint8_t>(c));
  std::fclose(f);
  return out;
}

inline uint32_t firstTtl(const Bytes& msg) {
  sy::dns::Message m;
  if (sy::dns::parseMessage(msg.data(), msg.size(), &m) != sy::dns::ParseError::None || m.records.empty()) return 0xffffffff;
  return m.records[0].ttl;
}

}  // namespace dnstest
