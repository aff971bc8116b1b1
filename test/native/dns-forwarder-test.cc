// SPDX-License-Identifier: Apache-2.0
#include <arpa/inet.h>

#include "../../native/core/dns/forwarder.h"
#include "../../native/fuzz/fuzz_dns_proxy_driver.h"
#include "dns-forwarder-rig.h"
#include "harness.h"

using namespace sy::dns;
using namespace dnstest;
using sy::dnsfuzz::v4;

TEST(dns_forward_answer_then_cache_hit) {
  Rig r;
  Bytes out;
  CHECK(r.ask(query(0xabcd, "www.example.com"), &out) == QueryResult::Forwarded);
  REQUIRE(r.fw.sends().size() == 1);
  UpstreamSend s = r.take();
  CHECK(s.server == v4("192.0.2.1"));  // the default service's first server
  Message q = r.parsed(s.message);
  CHECK(q.hasOpt);                     // EDNS0 towards upstream
  CHECK_EQ(q.optUdpSize, static_cast<uint16_t>(1232));
  CHECK(q.h.id != 0xabcd);             // our own ID, not the client's
  Bytes ans = reply(q.h.id, "www.example.com", 1, 0, {{"www.example.com", 1, 60, {10, 0, 0, 1}}}, {}, true);
  r.fw.onUpstream(s.token, ans.data(), ans.size(), r.now);
  REQUIRE(r.fw.replies().size() == 1);
  Message a = r.parsed(r.fw.replies()[0].message);
  CHECK_EQ(a.h.id, static_cast<uint16_t>(0xabcd));
  CHECK(!a.hasOpt);  // the client asked without EDNS
  CHECK_EQ(r.fw.closes().size(), size_t{1});
  r.now += 10;
  CHECK(r.ask(query(0x1111, "WWW.example.com"), &out) == QueryResult::Answered);
  a = r.parsed(out);
  CHECK_EQ(a.h.id, static_cast<uint16_t>(0x1111));
  CHECK_EQ(a.records[0].ttl, 50u);
}

TEST(dns_forward_failover_timeout_servfail_refused_conn) {
  Rig r;
  Bytes out;
  r.ask(query(1, "www.example.com"), &out);
  UpstreamSend a = r.take();
  r.now += 2.1;
  r.fw.onTimer(r.now);
  UpstreamSend b = r.take();
  CHECK(b.server == v4("192.0.2.2"));
  Message q = r.parsed(b.message);
  Bytes sf = reply(q.h.id, "www.example.com", 1, kRcodeServFail, {});
  r.fw.onUpstream(b.token, sf.data(), sf.size(), r.now);
  UpstreamSend c = r.take();
  CHECK(c.server == v4("198.51.100.1"));  // then the other service's server
  r.fw.onUpstreamError(c.token, r.now);
  REQUIRE(r.fw.replies().size() == 1);  // all three failed: the upstream's SERVFAIL goes back
  CHECK_EQ(r.fw.replies()[0].message[3] & 0xf, 2);
  (void)a;
}

TEST(dns_forward_mismatched_answers_ignored) {
  Rig r;
  Bytes out;
  r.ask(query(1, "www.example.com"), &out);
  UpstreamSend s = r.take();
  Message q = r.parsed(s.message);
  Bytes wrongId = reply(static_cast<uint16_t>(q.h.id + 1), "www.example.com", 1, 0, {{"www.example.com", 1, 60, {6, 6, 6, 6}}});
  Bytes wrongQ = reply(q.h.id, "evil.example.com", 1, 0, {{"evil.example.com", 1, 60, {6, 6, 6, 6}}});
  r.fw.onUpstream(s.token, wrongId.data(), wrongId.size(), r.now);
  r.fw.onUpstream(s.token, wrongQ.data(), wrongQ.size(), r.now);
  CHECK(r.fw.replies().empty());
  Bytes good = reply(q.h.id, "www.example.com", 1, 0, {{"www.example.com", 1, 60, {10, 0, 0, 1}}});
  r.fw.onUpstream(s.token, good.data(), good.size(), r.now);
  REQUIRE(r.fw.replies().size() == 1);
  CHECK_EQ(r.fw.replies()[0].message.back(), 1);
}

TEST(dns_forward_tc_retries_same_server_over_tcp) {
  Rig r;
  Bytes out;
  r.ask(query(1, "big.example.com", 16), &out);
  UpstreamSend s = r.take();
  Message q = r.parsed(s.message);
  Bytes tc = reply(q.h.id, "big.example.com", 16, 0, {}, {}, false, kFlagTC);
  r.fw.onUpstream(s.token, tc.data(), tc.size(), r.now);
  UpstreamSend t = r.take();
  CHECK(t.tcp);
  CHECK(t.server == s.server);
  CHECK_EQ(r.fw.stats().tcpFallbacks, 1ull);
}

TEST(dns_forward_split_dns_and_single_label_search) {
  Rig r;
  Bytes out;
  r.ask(query(1, "intranet.lab.test"), &out);
  UpstreamSend s = r.take();
  CHECK(s.server == v4("198.51.100.1"));  // lab.test is the VPN's domain
  r.fw.sends().clear();
  r.ask(query(2, "host"), &out, 2);
  REQUIRE(r.fw.sends().size() == 3);  // host, host.corp.test, host.lab.test
  UpstreamSend bare = r.take(), corp = r.take(), lab = r.take();
  CHECK_EQ(r.parsed(corp.message).qname.toText(), std::string("host.corp.test."));
  CHECK(corp.server == v4("192.0.2.1"));
  CHECK(lab.server == v4("198.51.100.1"));
  Bytes nx = reply(r.parsed(bare.message).h.id, "host", 1, kRcodeNxDomain, {});
  r.fw.onUpstream(bare.token, nx.data(), nx.size(), r.now);
  CHECK(r.fw.replies().empty());
  Bytes hit = reply(r.parsed(corp.message).h.id, "host.corp.test", 1, 0, {{"host.corp.test", 1, 60, {10, 1, 1, 1}}});
  r.fw.onUpstream(corp.token, hit.data(), hit.size(), r.now);
  REQUIRE(r.fw.replies().size() == 1);
  Message a = r.parsed(r.fw.replies()[0].message);
  CHECK_EQ(a.qname.toText(), std::string("host."));
  REQUIRE(a.records.size() == 1);
  Bytes& msg = r.fw.replies()[0].message;
  sy::wire::Reader rd(msg.data(), msg.size());
  rd.skip(a.records[0].start);
  Name owner;
  CHECK(readName(msg.data(), msg.size(), rd, &owner));
  CHECK_EQ(owner.toText(), std::string("host."));  // rewritten to what the client asked
  CHECK_EQ(r.fw.closes().size(), size_t{3});        // the lab.test attempt was abandoned too
}

TEST(dns_forward_cache_flushed_when_servers_change) {
  Rig r;
  Bytes out;
  r.ask(query(1, "www.example.com"), &out);
  UpstreamSend s = r.take();
  Bytes ans = reply(r.parsed(s.message).h.id, "www.example.com", 1, 0, {{"www.example.com", 1, 600, {10, 0, 0, 1}}});
  r.fw.onUpstream(s.token, ans.data(), ans.size(), r.now);
  CHECK(r.ask(query(2, "www.example.com"), &out) == QueryResult::Answered);
  r.fw.setConfig(sy::dnsfuzz::fuzzConfig());  // same servers: cache kept
  CHECK(r.ask(query(3, "www.example.com"), &out) == QueryResult::Answered);
  auto c = std::make_shared<DnsConfig>(*sy::dnsfuzz::fuzzConfig());
  c->services.erase(c->services.begin());
  r.fw.setConfig(c);
  CHECK(r.ask(query(4, "www.example.com"), &out) == QueryResult::Forwarded);
  CHECK(r.fw.sends().back().server == v4("198.51.100.1"));
}

TEST(dns_forward_no_servers_fallback_and_servfail) {
  uint32_t n = 1;
  Forwarder fw([&n]() { return n++; });
  Bytes out;
  Bytes q = query(9, "www.example.com");
  CHECK(fw.onQuery(1, false, q.data(), q.size(), 0, &out) == QueryResult::Answered);
  CHECK_EQ(out[3] & 0xf, 2);
  auto c = std::make_shared<DnsConfig>();
  c->fallback = {v4("203.0.113.53")};
  fw.setConfig(c);
  CHECK(fw.onQuery(1, false, q.data(), q.size(), 0, &out) == QueryResult::Forwarded);
  CHECK(fw.sends().back().server == v4("203.0.113.53"));
}

TEST(dns_forward_ids_random_and_responses_dropped) {
  std::vector<uint16_t> ids;
  Rig r;
  r.next = 0;
  uint32_t x = 12345;
  Forwarder fw([&x]() { x = x * 1103515245 + 12345; return x >> 8; });
  fw.setConfig(sy::dnsfuzz::fuzzConfig());
  Bytes out;
  for (int i = 0; i < 4; ++i) {
    // distinct names: identical ones would be merged into the first one's upstream query
    std::string name = "w" + std::to_string(i) + ".example.com";
    Bytes q = query(1, name.c_str());
    q[2] |= 0;
    fw.onQuery(static_cast<uint64_t>(i + 1), false, q.data(), q.size(), 0, &out);
    ids.push_back(r.parsed(fw.sends().back().message).h.id);
  }
  CHECK(ids[0] != ids[1] || ids[1] != ids[2]);
  Bytes resp = reply(1, "www.example.com", 1, 0, {});
  CHECK(fw.onQuery(9, false, resp.data(), resp.size(), 0, &out) == QueryResult::Dropped);
}
