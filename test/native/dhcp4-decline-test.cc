// SPDX-License-Identifier: Apache-2.0
// DHCPDECLINE after an ACD conflict, the no-lease report that starts IPv4-LL, and
// option 119 decoding.
#include "dhcp4-rig.h"
#include "harness.h"

using namespace sytest;

TEST(decline_broadcasts_dhcpdecline_and_rediscovers_after_ten_seconds) {
  Rig r;
  r.start();
  REQUIRE(r.client.state() == State::Bound);
  Usec t = r.now;
  r.apply(r.client.decline(r.now));
  REQUIRE(r.sent.size() == 3);
  const Transmit& d = r.sent.back();
  CHECK(d.via == Transmit::Broadcast);
  CHECK_EQ(unsigned{d.type}, unsigned{Decline});
  Message m = r.lastSent();
  CHECK_EQ(m.ciaddr, 0u);
  CHECK(m.options.get(opt::RequestedAddress) == be32v({ip(192, 168, 7, 100)}));
  CHECK(m.options.get(opt::ServerId) == be32v({ip(192, 168, 7, 1)}));
  CHECK(r.events.back().type == Event::Declined);
  CHECK(!r.client.hasLease());
  CHECK(r.client.state() == State::Init);
  CHECK_EQ(r.deadline, t + Client::kDeclineWait);
  r.server.pool = ip(192, 168, 7, 101);  // the server hands out another address
  r.fire();
  CHECK(r.client.state() == State::Bound);
  CHECK_EQ(r.client.lease().address, ip(192, 168, 7, 101));
  // The declined address is not suggested again.
  CHECK(!r.server.seen[r.server.seen.size() - 2].options.has(opt::RequestedAddress));
}

TEST(decline_without_a_lease_sends_nothing) {
  Rig r;
  r.server.mode = TestServer::Mode::Silent;
  r.start();
  size_t n = r.sent.size();
  r.apply(r.client.decline(r.now));
  CHECK_EQ(r.sent.size(), n);
  CHECK(r.client.state() == State::Selecting);
}

TEST(silent_server_reports_no_lease_once_near_30s) {
  Rig r;
  r.server.mode = TestServer::Mode::Silent;
  Usec t0 = r.now;
  r.start();
  int noLease = 0;
  Usec at = 0;
  for (int i = 0; i < 8; i++) {
    r.fire();
    for (auto& e : r.events)
      if (e.type == Event::NoLease && !at) at = r.now;
  }
  for (auto& e : r.events) noLease += e.type == Event::NoLease;
  CHECK_EQ(noLease, 1);
  CHECK(at >= t0 + 25 * kSecond && at <= t0 + 31 * kSecond);
  CHECK(r.client.state() == State::Selecting);  // discovery goes on behind IPv4-LL
}

TEST(domain_search_119_decodes_with_backward_pointers_only) {
  // "eng.example.com" then "example.com" as a pointer to offset 4.
  std::vector<uint8_t> v = {3, 'e', 'n', 'g', 7, 'e', 'x', 'a', 'm', 'p', 'l', 'e',
                            3, 'c', 'o', 'm', 0, 0xc0, 4};
  std::vector<std::string> out;
  REQUIRE(decodeDomainSearch(v, &out));
  REQUIRE(out.size() == 2);
  CHECK_EQ(out[0], std::string("eng.example.com"));
  CHECK_EQ(out[1], std::string("example.com"));
  std::vector<uint8_t> loop = {3, 'a', 'b', 'c', 0xc0, 0};
  CHECK(!decodeDomainSearch(loop, &out));
  std::vector<uint8_t> self = {0xc0, 0};
  CHECK(!decodeDomainSearch(self, &out));
  std::vector<uint8_t> pastEnd = {9, 'a', 'b'};
  CHECK(!decodeDomainSearch(pastEnd, &out));
  std::vector<uint8_t> shell = {4, 'a', ';', 'r', 'm', 0};
  CHECK(!decodeDomainSearch(shell, &out));
  std::vector<uint8_t> cutPointer = {3, 'a', 'b', 'c', 0, 0xc0};
  CHECK(!decodeDomainSearch(cutPointer, &out));
}

TEST(ack_with_119_114_252_121_33_fills_the_lease) {
  Rig r;
  r.server.options.push_back({opt::DomainSearch, {3, 'l', 'a', 'n', 0}});
  r.server.options.push_back({opt::CaptivePortal, str("https://portal.example/")});
  r.server.options.push_back({opt::Wpad, str("http://wpad.example/wpad.dat")});
  r.server.options.push_back({opt::StaticRoute, be32v({ip(10, 1, 2, 3), ip(192, 168, 7, 2)})});
  r.start();
  REQUIRE(r.client.hasLease());
  const Lease& l = r.client.lease();
  CHECK(l.searchDomains == std::vector<std::string>{"lan"});
  CHECK_EQ(l.captivePortalUrl, std::string("https://portal.example/"));
  CHECK_EQ(l.wpadUrl, std::string("http://wpad.example/wpad.dat"));
  REQUIRE(l.staticRoutes.size() == 1);
  CHECK_EQ(l.staticRoutes[0].destination, ip(10, 1, 2, 3));
}
