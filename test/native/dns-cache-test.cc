// SPDX-License-Identifier: Apache-2.0
#include "../../native/core/dns/cache.h"
#include "dns-rig.h"
#include "harness.h"

using namespace sy::dns;
using namespace dnstest;

static ClientView client(uint16_t id, const char* name, bool edns = false, size_t limit = 512) {
  ClientView c;
  c.id = id;
  c.flags = kFlagRD;
  c.qname = N(name);
  c.edns = edns;
  c.limit = limit;
  return c;
}

static void put(Cache& cache, const Bytes& msg, double now) {
  Message m;
  REQUIRE(parseMessage(msg.data(), msg.size(), &m) == ParseError::None);
  cache.insert(msg.data(), m, kKeyRd, now);
}

TEST(dns_cache_any_type_case_insensitive_ttl_counts_down) {
  Cache cache;
  Bytes txt = reply(1, "Example.COM", kTypeTXT, 0, {{"example.com", kTypeTXT, 300, {5, 'h', 'e', 'l', 'l', 'o'}}});
  put(cache, txt, 100);
  Bytes out;
  REQUIRE(cache.lookup(N("eXample.com"), kTypeTXT, 1, kKeyRd, 160.5, client(77, "eXample.com"), &out));
  Message m;
  REQUIRE(parseMessage(out.data(), out.size(), &m) == ParseError::None);
  CHECK_EQ(m.h.id, static_cast<uint16_t>(77));
  CHECK_EQ(m.qname.toText(), std::string("eXample.com."));  // the client's spelling comes back
  CHECK_EQ(m.records[0].ttl, 240u);
  CHECK(!cache.lookup(N("example.com"), kTypeA, 1, kKeyRd, 161, client(1, "example.com"), &out));
  CHECK(!cache.lookup(N("example.com"), kTypeTXT, 1, kKeyRd, 400.5, client(1, "example.com"), &out));  // expired
  CHECK_EQ(cache.stats().entries, size_t{0});
}

TEST(dns_cache_negative_rfc2308) {
  Cache cache;
  // NXDOMAIN kept for min(SOA TTL 900, MINIMUM 60) = 60 s
  put(cache, reply(1, "nope.example.com", 1, kRcodeNxDomain, {}, {{"example.com", kTypeSOA, 900, soaRdata(60)}}), 0);
  Bytes out;
  REQUIRE(cache.lookup(N("nope.example.com"), 1, 1, kKeyRd, 59, client(2, "nope.example.com"), &out));
  CHECK_EQ(out[3] & 0xf, 3);
  CHECK(!cache.lookup(N("nope.example.com"), 1, 1, kKeyRd, 61, client(2, "nope.example.com"), &out));
  // NODATA (NOERROR, no answers) is negative too
  put(cache, reply(1, "v4only.example.com", 28, 0, {}, {{"example.com", kTypeSOA, 30, soaRdata(600)}}), 0);
  CHECK(cache.lookup(N("v4only.example.com"), 28, 1, kKeyRd, 29, client(2, "v4only.example.com"), &out));
  CHECK(!cache.lookup(N("v4only.example.com"), 28, 1, kKeyRd, 31, client(2, "v4only.example.com"), &out));
  // without an SOA: not cached at all; SERVFAIL never
  put(cache, reply(1, "nosoa.example.com", 1, kRcodeNxDomain, {}), 0);
  CHECK(!cache.lookup(N("nosoa.example.com"), 1, 1, kKeyRd, 1, client(2, "nosoa.example.com"), &out));
  put(cache, reply(1, "sf.example.com", 1, kRcodeServFail, {}, {{"example.com", kTypeSOA, 30, soaRdata(600)}}), 0);
  CHECK(!cache.lookup(N("sf.example.com"), 1, 1, kKeyRd, 1, client(2, "sf.example.com"), &out));
}

TEST(dns_cache_lru_bounded_expired_first) {
  CacheLimits lim;
  lim.maxEntries = 3;
  Cache cache(lim);
  char name[32];
  for (int i = 0; i < 3; ++i) {
    std::snprintf(name, sizeof name, "h%d.example.com", i);
    put(cache, reply(1, name, 1, 0, {{name, 1, i == 1 ? 5u : 300u, {10, 0, 0, 1}}}), 0);
  }
  Bytes out;
  CHECK(cache.lookup(N("h0.example.com"), 1, 1, kKeyRd, 1, client(1, "h0.example.com"), &out));  // h0 now most recent
  put(cache, reply(1, "h3.example.com", 1, 0, {{"h3.example.com", 1, 300, {10, 0, 0, 1}}}), 10);
  // h1 had expired at t=10: it goes first, so h2 (the LRU among live ones) survives
  CHECK(cache.lookup(N("h2.example.com"), 1, 1, kKeyRd, 11, client(1, "h2.example.com"), &out));
  put(cache, reply(1, "h4.example.com", 1, 0, {{"h4.example.com", 1, 300, {10, 0, 0, 1}}}), 12);
  CHECK(!cache.lookup(N("h0.example.com"), 1, 1, kKeyRd, 13, client(1, "h0.example.com"), &out));  // LRU evicted
  CHECK(cache.lookup(N("h4.example.com"), 1, 1, kKeyRd, 13, client(1, "h4.example.com"), &out));
  CHECK_EQ(cache.stats().entries, size_t{3});
}

TEST(dns_cache_edns_opt_and_truncation) {
  Cache cache;
  std::vector<Rr> many;
  for (int i = 0; i < 40; ++i) many.push_back({"big.example.com", 1, 300, {10, 0, 0, static_cast<uint8_t>(i)}});
  put(cache, reply(1, "big.example.com", 1, 0, many, {}, true), 0);
  Bytes out;
  Message m;
  // a client with EDNS and room gets everything, OPT included
  REQUIRE(cache.lookup(N("big.example.com"), 1, 1, kKeyRd, 1, client(5, "big.example.com", true, 4096), &out));
  REQUIRE(parseMessage(out.data(), out.size(), &m) == ParseError::None);
  CHECK(m.hasOpt);
  CHECK_EQ(m.h.an, static_cast<uint16_t>(40));
  // a plain client: OPT removed; 40 A records do not fit 512 bytes, so TC and no records
  REQUIRE(cache.lookup(N("big.example.com"), 1, 1, kKeyRd, 1, client(6, "big.example.com"), &out));
  REQUIRE(parseMessage(out.data(), out.size(), &m) == ParseError::None);
  CHECK(m.h.tc());
  CHECK(!m.hasOpt);
  CHECK(out.size() <= 512);
  put(cache, reply(1, "small.example.com", 1, 0, {{"small.example.com", 1, 300, {1, 2, 3, 4}}}, {}, true), 0);
  REQUIRE(cache.lookup(N("small.example.com"), 1, 1, kKeyRd, 1, client(6, "small.example.com"), &out));
  REQUIRE(parseMessage(out.data(), out.size(), &m) == ParseError::None);
  CHECK(!m.hasOpt);
  CHECK(!m.h.tc());
  CHECK_EQ(m.h.an, static_cast<uint16_t>(1));
}
