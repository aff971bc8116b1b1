// SPDX-License-Identifier: Apache-2.0
// The cache keyed on DO/CD/RD, and identical queries merged while in flight.
#include "../../native/core/dns/cache.h"
#include "dns-forwarder-rig.h"

using namespace sy::dns;
using namespace dnstest;
using sy::dnsfuzz::v4;

namespace {
// A query with the given header flags and, when `edns`, an OPT record with DO as asked.
Bytes queryWith(uint16_t id, const char* name, uint16_t flags, bool edns, bool dnssecOk) {
  Bytes q;
  buildQuery(id, flags, N(name), kTypeA, 1, edns ? 1232 : 0, dnssecOk, &q);
  return q;
}

// An answer for `qid` carrying an A record and, when `signed_`, an RRSIG (type 46) beside it.
Bytes answerFor(uint16_t qid, const char* name, bool signed_) {
  std::vector<Rr> an = {{name, kTypeA, 300, {10, 0, 0, 7}}};
  if (signed_) an.push_back({name, 46, 300, Bytes(30, 0xab)});
  return reply(qid, name, kTypeA, 0, an, {}, true);
}

size_t answerCount(const Bytes& msg) {
  Message m;
  if (parseMessage(msg.data(), msg.size(), &m) != ParseError::None) return 999;
  return m.h.an;
}

// Answers the oldest upstream send with `ans` built for its ID; returns that send's query.
Message answerOldest(Rig& r, bool signed_) {
  UpstreamSend s = r.take();
  Message q = r.parsed(s.message);
  Bytes a = answerFor(q.h.id, q.qname.toText().c_str(), signed_);
  r.fw.onUpstream(s.token, a.data(), a.size(), r.now);
  return q;
}
}  // namespace

TEST(dns_cache_key_separates_do_cd_rd) {
  Cache cache;
  Bytes a = answerFor(1, "sec.example.com", true);
  Message m;
  REQUIRE(parseMessage(a.data(), a.size(), &m) == ParseError::None);
  cache.insert(a.data(), m, kKeyRd | kKeyDo, 10);
  ClientView c;
  c.qname = N("sec.example.com");
  c.flags = kFlagRD;
  c.edns = true;
  c.limit = 4096;
  Bytes out;
  CHECK(cache.lookup(N("sec.example.com"), kTypeA, 1, kKeyRd | kKeyDo, 11, c, &out));
  CHECK(!cache.lookup(N("sec.example.com"), kTypeA, 1, kKeyRd, 11, c, &out));
  CHECK(!cache.lookup(N("sec.example.com"), kTypeA, 1, kKeyRd | kKeyDo | kKeyCd, 11, c, &out));
  CHECK(!cache.lookup(N("sec.example.com"), kTypeA, 1, kKeyDo, 11, c, &out));
  CHECK_EQ(keyBits(true, kFlagRD | kFlagCD), static_cast<uint8_t>(kKeyDo | kKeyCd | kKeyRd));
  CHECK_EQ(keyBits(false, 0), static_cast<uint8_t>(0));
}

TEST(dns_forward_do_and_cd_answers_not_shared) {
  Rig r;
  Bytes out;
  // DO=0 first: cached without signatures.
  CHECK(r.ask(queryWith(1, "sec.example.com", kFlagRD, true, false), &out) == QueryResult::Forwarded);
  Message up = answerOldest(r, false);
  CHECK(!up.optDo);
  r.fw.replies().clear();
  // DO=1 must not get the unsigned entry: it goes upstream with DO set.
  CHECK(r.ask(queryWith(2, "sec.example.com", kFlagRD, true, true), &out) == QueryResult::Forwarded);
  up = answerOldest(r, true);
  CHECK(up.optDo);
  REQUIRE(r.fw.replies().size() == 1);
  CHECK_EQ(answerCount(r.fw.replies()[0].message), size_t{2});
  r.fw.replies().clear();
  // Now both are cached, each for its own kind of client.
  CHECK(r.ask(queryWith(3, "SEC.example.com", kFlagRD, true, false), &out) == QueryResult::Answered);
  CHECK_EQ(answerCount(out), size_t{1});
  CHECK(r.ask(queryWith(4, "sec.example.com", kFlagRD, true, true), &out) == QueryResult::Answered);
  CHECK_EQ(answerCount(out), size_t{2});
  // CD=1 (the client validates itself) is yet another question, forwarded with CD set.
  CHECK(r.ask(queryWith(5, "sec.example.com", kFlagRD | kFlagCD, true, true), &out) == QueryResult::Forwarded);
  up = answerOldest(r, true);
  CHECK(up.h.flags & kFlagCD);
  REQUIRE(r.fw.replies().size() == 1);
  CHECK(r.fw.replies()[0].message[3] & kFlagCD);
  r.fw.replies().clear();
  CHECK(r.ask(queryWith(6, "sec.example.com", kFlagRD | kFlagCD, true, true), &out) == QueryResult::Answered);
  CHECK(r.ask(queryWith(7, "sec.example.com", kFlagRD, true, true), &out) == QueryResult::Answered);
  CHECK(!(out[3] & kFlagCD));
  CHECK_EQ(r.fw.cache().stats().entries, size_t{3});
  // CD without DO, and a client without EDNS at all, are questions of their own too (and the
  // parser, which reuses its Message, once let this query inherit the previous one's DO bit).
  CHECK(r.ask(queryWith(8, "sec.example.com", kFlagRD | kFlagCD, false, false), &out) == QueryResult::Forwarded);
  up = answerOldest(r, false);
  CHECK(up.h.flags & kFlagCD);
  CHECK(!up.optDo);
  CHECK(r.ask(queryWith(9, "sec.example.com", kFlagRD | kFlagCD, false, false), &out) == QueryResult::Answered);
  CHECK_EQ(r.fw.cache().stats().entries, size_t{4});
}

TEST(dns_forward_identical_queries_merged) {
  Rig r;
  Bytes out;
  CHECK(r.ask(queryWith(0x1111, "www.example.com", kFlagRD, false, false), &out, 1) == QueryResult::Forwarded);
  CHECK(r.ask(queryWith(0x2222, "WWW.Example.COM", kFlagRD, false, false), &out, 2) == QueryResult::Forwarded);
  CHECK(r.ask(queryWith(0x3333, "wWw.example.com", kFlagRD, true, false), &out, 3, true) == QueryResult::Forwarded);
  // Not identical: another DO bit, another type.
  CHECK(r.ask(queryWith(0x4444, "www.example.com", kFlagRD, true, true), &out, 4) == QueryResult::Forwarded);
  Bytes aaaa;
  buildQuery(0x5555, kFlagRD, N("www.example.com"), kTypeAAAA, 1, 0, false, &aaaa);
  CHECK(r.ask(aaaa, &out, 5) == QueryResult::Forwarded);
  CHECK_EQ(r.fw.sends().size(), size_t{3});
  CHECK_EQ(r.fw.stats().merged, 2ull);
  CHECK_EQ(r.fw.pendingCount(), size_t{3});
  Message up = answerOldest(r, false);
  CHECK_EQ(up.qname.toText(), std::string("www.example.com."));  // the first client's spelling
  REQUIRE(r.fw.replies().size() == 3);
  const char* spelled[] = {"www.example.com.", "WWW.Example.COM.", "wWw.example.com."};
  const uint16_t ids[] = {0x1111, 0x2222, 0x3333};
  for (size_t i = 0; i < 3; ++i) {
    const ClientReply& rep = r.fw.replies()[i];
    Message a = r.parsed(rep.message);
    CHECK_EQ(rep.client, static_cast<uint64_t>(i + 1));
    CHECK_EQ(a.h.id, ids[i]);
    CHECK_EQ(a.qname.toText(), std::string(spelled[i]));
    CHECK_EQ(a.h.an, static_cast<uint16_t>(1));
    CHECK(a.hasOpt == (i == 2));  // only the EDNS client gets an OPT back
  }
  CHECK_EQ(r.fw.closes().size(), size_t{1});
  // Once answered it is no longer in flight: the same question is a cache hit, not a join.
  CHECK(r.ask(queryWith(0x6666, "www.example.com", kFlagRD, false, false), &out, 6) == QueryResult::Answered);
  CHECK_EQ(r.fw.stats().merged, 2ull);
}

TEST(dns_forward_merged_waiters_bounded_and_all_get_servfail) {
  ForwarderOptions o;
  o.maxWaiters = 3;
  Rig r(o);
  Bytes out;
  for (uint16_t i = 1; i <= 3; ++i)
    CHECK(r.ask(queryWith(i, "slow.example.com", kFlagRD, false, false), &out, i) == QueryResult::Forwarded);
  CHECK(r.ask(queryWith(4, "slow.example.com", kFlagRD, false, false), &out, 4) == QueryResult::Dropped);
  CHECK_EQ(r.fw.sends().size(), size_t{1});
  // Nothing answers: after the query's deadline every waiter gets SERVFAIL under its own ID.
  for (int i = 0; i < 10 && r.fw.nextDeadline() >= 0; ++i) {
    r.now = r.fw.nextDeadline() + 0.001;
    r.fw.onTimer(r.now);
  }
  REQUIRE(r.fw.replies().size() == 3);
  for (uint16_t i = 0; i < 3; ++i) {
    Message a = r.parsed(r.fw.replies()[i].message);
    CHECK_EQ(a.h.id, static_cast<uint16_t>(i + 1));
    CHECK_EQ(a.h.rcode(), kRcodeServFail);
  }
  CHECK_EQ(r.fw.pendingCount(), size_t{0});
  // A SERVFAIL is not cached and the query is gone from the in-flight set: asking again sends again.
  r.fw.sends().clear();
  CHECK(r.ask(queryWith(9, "slow.example.com", kFlagRD, false, false), &out, 9) == QueryResult::Forwarded);
  CHECK_EQ(r.fw.sends().size(), size_t{1});
}

TEST(dns_forward_no_merge_across_server_change) {
  Rig r;
  Bytes out;
  r.ask(queryWith(1, "www.example.com", kFlagRD, false, false), &out, 1);
  auto c = std::make_shared<DnsConfig>(*sy::dnsfuzz::fuzzConfig());
  c->services.erase(c->services.begin());
  r.fw.setConfig(c);
  // The first query still runs against the old server; the new one must ask the new server.
  CHECK(r.ask(queryWith(2, "www.example.com", kFlagRD, false, false), &out, 2) == QueryResult::Forwarded);
  REQUIRE(r.fw.sends().size() == 2);
  CHECK(r.fw.sends()[1].server == v4("198.51.100.1"));
  answerOldest(r, false);
  answerOldest(r, false);
  REQUIRE(r.fw.replies().size() == 2);
  CHECK_EQ(r.fw.pendingCount(), size_t{0});
}

// The fuzzers' merge seeds, replayed through the fuzz driver and its client-side invariants.
TEST(dns_merge_seeds_hold_the_driver_invariants) {
  Bytes b = seed("proxy", "merge-identical-then-answer");
  sy::dnsfuzz::ProxyOutcome o = sy::dnsfuzz::runProxy(b.data(), b.size());
  for (const auto& v : o.violations) std::printf("  violation: %s\n", v.c_str());
  CHECK(o.violations.empty());
  CHECK_EQ(o.stats.merged, 1ull);
  CHECK_EQ(o.sends.size(), size_t{2});  // the merged pair once, the DO query once
  REQUIRE(o.answers.size() == 3);
  for (const auto& kv : o.answers) CHECK_EQ(answerCount(kv.second), size_t{1});

  b = seed("proxy", "merge-identical-then-timeouts");
  o = sy::dnsfuzz::runProxy(b.data(), b.size());
  for (const auto& v : o.violations) std::printf("  violation: %s\n", v.c_str());
  CHECK(o.violations.empty());
  CHECK_EQ(o.stats.merged, 1ull);
  REQUIRE(o.answers.size() == 2);
  for (const auto& kv : o.answers) CHECK_EQ(kv.second[3] & 0xf, kRcodeServFail);
}
