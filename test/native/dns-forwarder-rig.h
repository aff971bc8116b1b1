// SPDX-License-Identifier: Apache-2.0
// A forwarder with a counting ID source, the fuzz driver's two-service configuration and a clock,
// for the forwarder tests.
#pragma once

#include "../../native/core/dns/forwarder.h"
#include "../../native/fuzz/fuzz_dns_proxy_driver.h"
#include "dns-rig.h"
#include "harness.h"

namespace dnstest {
using sy::dns::Forwarder;
using sy::dns::Message;
using sy::dns::QueryResult;
using sy::dns::UpstreamSend;

struct Rig {
  uint32_t next = 0x1000;
  Forwarder fw;
  double now = 100;
  explicit Rig(sy::dns::ForwarderOptions o = {}) : fw([this]() { return next++; }, o) {
    fw.setConfig(sy::dnsfuzz::fuzzConfig());
  }
  QueryResult ask(const Bytes& q, Bytes* out, uint64_t client = 1, bool tcp = false) {
    return fw.onQuery(client, tcp, q.data(), q.size(), now, out);
  }
  UpstreamSend take() {
    REQUIRE_SEND();
    UpstreamSend s = fw.sends().front();
    fw.sends().erase(fw.sends().begin());
    return s;
  }
  void REQUIRE_SEND() {
    if (fw.sends().empty()) sytest::fail(__FILE__, __LINE__, "no upstream send");
  }
  Message parsed(const Bytes& b) {
    Message m;
    parseMessage(b.data(), b.size(), &m);
    return m;
  }
};

}  // namespace dnstest
