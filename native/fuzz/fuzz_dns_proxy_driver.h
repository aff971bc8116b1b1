// SPDX-License-Identifier: Apache-2.0
// Drives the forwarder through a script of upstream replies, clock steps and socket errors, and
// checks what a client must be able to rely on: every answer parses, carries the client's ID and
// question and fits the client's limit; each query is answered at most once, and once the clock
// has run past every timeout, exactly once. Shared by fuzz_dns_proxy.cc and the native CVE tests.
// Input: [scenario]([kind][len16][bytes])*, see test/fuzz/dns/make-seeds.py.
#pragma once

#include <arpa/inet.h>
#include <sys/socket.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <string>
#include <vector>

#include "../core/dns/forwarder.h"
#include "../core/wire/reader.h"

namespace sy::dnsfuzz {

struct ProxyOutcome {
  std::map<uint64_t, std::vector<uint8_t>> answers;  // client -> its answer
  std::vector<dns::UpstreamSend> sends;              // everything sent upstream, in order
  std::vector<std::string> violations;
  dns::ForwarderStats stats;
};

inline dns::ServerAddr v4(const char* s) {
  dns::ServerAddr a;
  a.family = AF_INET;
  inet_pton(AF_INET, s, a.addr);
  return a;
}

inline std::shared_ptr<const dns::DnsConfig> fuzzConfig() {
  auto c = std::make_shared<dns::DnsConfig>();
  dns::ServiceDns a, b;
  a.id = "default";
  a.servers = {v4("192.0.2.1"), v4("192.0.2.2")};
  dns::Name d;
  dns::nameFromText("corp.test", &d);
  a.domains.push_back(d);
  b.id = "vpn";
  b.servers = {v4("198.51.100.1")};
  dns::nameFromText("lab.test", &d);
  b.domains.push_back(d);
  c->services = {a, b};
  return c;
}

inline void scenarioQuery(uint8_t scenario, uint16_t id, std::vector<uint8_t>* q) {
  static const char* names[] = {"www.example.com", "host", ".", "big.example.com"};
  static const uint16_t types[] = {1, 1, 2, 16};
  dns::Name n;
  dns::nameFromText(names[scenario % 4], &n);
  dns::buildQuery(id, dns::kFlagRD, n, types[scenario % 4], 1, (scenario & 4) ? 4096 : 0, false, q);
}

inline void checkAnswer(ProxyOutcome* o, uint64_t client, const std::vector<uint8_t>& query,
                        const std::vector<uint8_t>& ans) {
  dns::Message q, a;
  if (o->answers.count(client)) o->violations.push_back("client answered twice");
  o->answers[client] = ans;
  if (dns::parseMessage(query.data(), query.size(), &q) != dns::ParseError::None || !q.hasQuestion) {
    if (ans.size() < 12 || ans[0] != query[0] || ans[1] != query[1]) o->violations.push_back("bad error reply");
    return;
  }
  if (dns::parseMessage(ans.data(), ans.size(), &a) != dns::ParseError::None) {
    o->violations.push_back("answer does not parse");
    return;
  }
  if (a.h.id != q.h.id || !a.h.qr()) o->violations.push_back("answer ID/QR wrong");
  if (!a.hasQuestion || a.qname.len != q.qname.len ||
      std::memcmp(a.qname.wire, q.qname.wire, q.qname.len) != 0 || a.qtype != q.qtype)
    o->violations.push_back("answer question differs from the client's");
  size_t limit = q.hasOpt ? std::max<size_t>(512, std::min<size_t>(q.optUdpSize, 4096)) : 512;
  if (ans.size() > limit) o->violations.push_back("answer larger than the client's limit");
  if (!q.hasOpt && a.hasOpt) o->violations.push_back("OPT sent to a client without EDNS");
}

inline ProxyOutcome runProxy(const uint8_t* data, size_t size) {
  ProxyOutcome o;
  uint32_t nextId = 0x1000;
  dns::Forwarder fw([&nextId]() { return nextId++; });
  fw.setConfig(fuzzConfig());
  wire::Reader r(data, size);
  uint8_t scenario = r.u8();
  double now = 1000;
  std::map<uint64_t, std::vector<uint8_t>> queries;
  std::vector<uint64_t> open;
  uint64_t nextClient = 1;
  auto drain = [&]() {
    for (auto& s : fw.sends()) {
      open.push_back(s.token);
      o.sends.push_back(s);
    }
    fw.sends().clear();
    for (uint64_t t : fw.closes())
      for (size_t i = 0; i < open.size(); ++i)
        if (open[i] == t) open.erase(open.begin() + static_cast<long>(i--));
    fw.closes().clear();
    for (auto& rep : fw.replies()) checkAnswer(&o, rep.client, queries[rep.client], rep.message);
    fw.replies().clear();
  };
  auto ask = [&](const std::vector<uint8_t>& q) {
    uint64_t c = nextClient++;
    queries[c] = q;
    std::vector<uint8_t> reply;
    if (fw.onQuery(c, false, q.data(), q.size(), now, &reply) == dns::QueryResult::Answered)
      checkAnswer(&o, c, q, reply);
    drain();
  };
  std::vector<uint8_t> q;
  scenarioQuery(scenario, 0x4242, &q);
  ask(q);
  while (r.ok() && !r.empty()) {
    uint8_t kind = r.u8();
    uint16_t len = r.be16();
    wire::Span body = r.span(len);
    if (!r.ok()) break;
    switch (kind % 5) {
      case 0: case 1:
        if (!open.empty()) fw.onUpstream(kind % 5 == 0 ? open.front() : open.back(), body.data, body.size, now);
        break;
      case 2: now += 3; fw.onTimer(now); break;
      case 3: if (!open.empty()) fw.onUpstreamError(open.front(), now); break;
      case 4: ask(std::vector<uint8_t>(body.data, body.data + body.size)); break;
    }
    drain();
  }
  // Let every timeout fire: afterwards nothing may be pending and every query has its answer.
  for (int i = 0; i < 20 && fw.nextDeadline() >= 0; ++i) {
    now = fw.nextDeadline() + 0.001;
    fw.onTimer(now);
    drain();
  }
  if (fw.pendingCount() != 0) o.violations.push_back("queries still pending after every timeout");
  if (!open.empty()) o.violations.push_back("upstream sockets left open");
  for (auto& kv : queries) {
    dns::Message m;
    bool isQuery = kv.second.size() >= 12 && !(kv.second[2] & 0x80);
    (void)m;
    if (isQuery && !o.answers.count(kv.first) && fw.stats().dropped == 0) o.violations.push_back("query never answered");
  }
  o.stats = fw.stats();
  return o;
}

}  // namespace sy::dnsfuzz
