// SPDX-License-Identifier: Apache-2.0
// Client engine against the in-process server: the lease a user gets and the
// packets that go on the wire, through every state.
#include <algorithm>

#include "dhcp4-rig.h"
#include "harness.h"

using namespace sytest;

namespace {

std::vector<uint8_t> optionOf(const Message& m, uint8_t code) { return m.options.get(code); }

void bind(Rig& r) {
  r.start();
}

}  // namespace

TEST(dora_binds_with_the_offered_lease) {
  Rig r;
  bind(r);
  REQUIRE(r.events.size() == 1);
  CHECK(r.events[0].type == Event::Bound);
  const Lease& l = r.events[0].lease;
  CHECK_EQ(l.address, ip(192, 168, 7, 100));
  CHECK_EQ(unsigned{l.prefixLength}, 24u);
  CHECK_EQ(l.serverId, ip(192, 168, 7, 1));
  CHECK_EQ(l.broadcast, ip(192, 168, 7, 255));
  CHECK(l.routers == std::vector<uint32_t>{ip(192, 168, 7, 1)});
  CHECK(l.dns == (std::vector<uint32_t>{ip(192, 168, 7, 53), ip(9, 9, 9, 9)}));
  CHECK_EQ(l.domainName, std::string("lan.example"));
  CHECK_EQ(l.leaseTime, 3600u);
  CHECK_EQ(l.t1, 1800u);  // lease/2 when the server sends no option 58
  CHECK_EQ(l.t2, 3150u);  // lease*7/8 when the server sends no option 59
  CHECK(r.client.state() == State::Bound);
  CHECK_EQ(r.deadline, r.now + 1800 * kSecond);
  CHECK_EQ(std::string(stateName(r.client.state())), std::string("BOUND"));
}

TEST(discover_and_request_carry_the_rfc_options) {
  Rig r;
  bind(r);
  REQUIRE(r.server.seen.size() == 2);
  REQUIRE(r.sent.size() == 2);
  const Message& d = r.server.seen[0];
  const Message& q = r.server.seen[1];
  CHECK(r.sent[0].via == Transmit::Broadcast);
  CHECK(r.sent[1].via == Transmit::Broadcast);
  CHECK_EQ(r.sent[0].dst, 0xffffffffu);
  CHECK_EQ(r.sent[0].src, 0u);
  CHECK_EQ(unsigned{d.type}, unsigned{Discover});
  CHECK_EQ(unsigned{d.op}, unsigned{BootRequest});
  CHECK_EQ(unsigned{d.flags}, 0u);
  CHECK(optionOf(d, opt::ClientId) == (std::vector<uint8_t>{1, 0x02, 0x00, 0x5e, 0x10, 0x20, 0x30}));
  CHECK(optionOf(d, opt::Hostname) == str("sy-test"));
  CHECK(optionOf(d, opt::VendorClass) == str("switchyard"));
  CHECK(optionOf(d, opt::MaxMessageSize) == (std::vector<uint8_t>{0x05, 0xdc}));
  CHECK(optionOf(d, opt::ParameterList) ==
        (std::vector<uint8_t>{1, 3, 6, 12, 15, 26, 28, 33, 42, 51, 54, 58, 59, 114, 119, 121, 252}));
  CHECK(!d.options.has(opt::ServerId));
  CHECK(!d.options.has(opt::RequestedAddress));
  // REQUEST from SELECTING: same xid as the offer, 50 and 54 set, ciaddr zero.
  CHECK_EQ(unsigned{q.type}, unsigned{Request});
  CHECK_EQ(q.xid, d.xid);
  CHECK_EQ(q.ciaddr, 0u);
  CHECK(optionOf(q, opt::RequestedAddress) == be32v({ip(192, 168, 7, 100)}));
  CHECK(optionOf(q, opt::ServerId) == be32v({ip(192, 168, 7, 1)}));
  CHECK(r.sent[0].payload.size() >= 300u);
}

TEST(no_hostname_or_vendor_class_when_unset) {
  ClientConfig c = defaultConfig();
  c.hostname.clear();
  c.vendorClass.clear();
  Rig r(c);
  bind(r);
  REQUIRE(!r.server.seen.empty());
  CHECK(!r.server.seen[0].options.has(opt::Hostname));
  CHECK(!r.server.seen[0].options.has(opt::VendorClass));
  CHECK(r.client.state() == State::Bound);
}

TEST(t1_renews_by_unicast_to_the_server) {
  Rig r;
  bind(r);
  Usec boundAt = r.now;
  r.server.leaseTime = 7200;
  r.fire();  // T1
  CHECK_EQ(r.now, boundAt + 1800 * kSecond);
  REQUIRE(r.sent.size() == 3);
  const Transmit& t = r.sent[2];
  CHECK(t.via == Transmit::Unicast);
  CHECK_EQ(t.dst, ip(192, 168, 7, 1));
  CHECK_EQ(t.src, ip(192, 168, 7, 100));
  const Message& q = r.server.seen[2];
  CHECK_EQ(unsigned{q.type}, unsigned{Request});
  CHECK_EQ(q.ciaddr, ip(192, 168, 7, 100));
  CHECK(!q.options.has(opt::RequestedAddress));
  CHECK(!q.options.has(opt::ServerId));
  REQUIRE(r.events.size() == 2);
  CHECK(r.events[1].type == Event::Renewed);
  CHECK_EQ(r.events[1].lease.leaseTime, 7200u);
  CHECK(r.client.state() == State::Bound);
  CHECK_EQ(r.deadline, r.now + 3600 * kSecond);
}

TEST(t2_rebinds_by_broadcast_when_the_server_is_gone) {
  Rig r;
  bind(r);
  Usec boundAt = r.now;
  r.server.mode = TestServer::Mode::Silent;
  r.fire();  // T1 -> RENEWING
  CHECK(r.client.state() == State::Renewing);
  std::vector<Usec> renewTimes;
  while (r.client.state() == State::Renewing) {
    renewTimes.push_back(r.now);
    r.fire();
  }
  CHECK(r.client.state() == State::Rebinding);
  CHECK_EQ(r.now, boundAt + 3150 * kSecond);
  // RFC 2131 4.4.5: half the time left to T2, never under 60 s.
  REQUIRE(renewTimes.size() >= 2);
  CHECK_EQ(renewTimes[1] - renewTimes[0], (1350 / 2) * kSecond);
  for (size_t i = 1; i < renewTimes.size(); i++) CHECK(renewTimes[i] - renewTimes[i - 1] >= 60 * kSecond);
  const Transmit& t = r.sent.back();
  CHECK(t.via == Transmit::Broadcast);
  CHECK_EQ(t.dst, 0xffffffffu);
  Message q = r.lastSent();
  CHECK_EQ(q.ciaddr, ip(192, 168, 7, 100));
  CHECK(!q.options.has(opt::ServerId));
  r.server.mode = TestServer::Mode::Answer;
  r.fire();  // retransmitted rebind, now answered
  CHECK(r.client.state() == State::Bound);
  CHECK(r.events.back().type == Event::Renewed);
}

TEST(expiry_reports_expired_and_restarts_discovery) {
  Rig r;
  bind(r);
  Usec boundAt = r.now;
  r.server.mode = TestServer::Mode::Silent;
  int guard = 0;
  while (r.events.back().type != Event::Expired && guard++ < 100) r.fire();
  REQUIRE(r.events.back().type == Event::Expired);
  CHECK_EQ(r.now, boundAt + 3600 * kSecond);
  CHECK(r.client.state() == State::Selecting);
  CHECK(!r.client.hasLease());
  CHECK_EQ(unsigned{r.lastSent().type}, unsigned{Discover});
  CHECK(r.sent.back().via == Transmit::Broadcast);
}

TEST(nak_while_requesting_restarts_discovery) {
  Rig r;
  r.server.mode = TestServer::Mode::Nak;
  r.start();
  // DISCOVER, REQUEST, NAK, DISCOVER, REQUEST, NAK: the second restart waits.
  CHECK_EQ(r.events.size(), size_t{2});
  for (const Event& e : r.events) CHECK(e.type == Event::Nak);
  CHECK(r.client.state() == State::Init);
  CHECK(r.deadline > r.now);
  size_t before = r.sent.size();
  r.server.mode = TestServer::Mode::Answer;
  r.fire();
  CHECK(r.sent.size() == before + 2);
  CHECK(r.client.state() == State::Bound);
  CHECK(r.events.back().type == Event::Bound);
}

TEST(nak_while_renewing_drops_the_lease) {
  Rig r;
  bind(r);
  r.server.mode = TestServer::Mode::Nak;
  r.fire();  // T1 -> REQUEST -> NAK -> INIT -> DISCOVER -> ... -> NAK
  REQUIRE(r.events.size() >= 2);
  CHECK(r.events[1].type == Event::Nak);
  CHECK(!r.client.hasLease());
  CHECK(r.client.state() != State::Bound);
}

TEST(silent_server_backoff_is_4_8_16_32_64_with_jitter) {
  Rig r;
  r.server.mode = TestServer::Mode::Silent;
  r.start();
  uint32_t xid = r.client.xid();
  std::vector<Usec> at{r.now};
  for (int i = 0; i < 7; i++) {
    r.fire();
    at.push_back(r.now);
  }
  const long expect[] = {4, 8, 16, 32, 64, 64, 64};
  for (size_t i = 0; i < 7; i++) {
    long d = static_cast<long>(at[i + 1] - at[i]);
    CHECK(d >= (expect[i] - 1) * static_cast<long>(kSecond));
    CHECK(d <= (expect[i] + 1) * static_cast<long>(kSecond));
  }
  CHECK_EQ(r.sent.size(), size_t{8});
  for (const Message& m : r.server.seen) {
    CHECK_EQ(unsigned{m.type}, unsigned{Discover});
    CHECK_EQ(m.xid, xid);
  }
  // 'secs' counts from the first DISCOVER.
  CHECK_EQ(unsigned{r.server.seen[0].secs}, 0u);
  CHECK(r.server.seen[7].secs >= 180);
  CHECK(r.client.state() == State::Selecting);
  // Jitter comes from the injected generator: two seeds, two schedules.
  Rig other(defaultConfig(), 99);
  other.server.mode = TestServer::Mode::Silent;
  other.start();
  CHECK(other.deadline - other.now != at[1] - at[0]);
}

TEST(requesting_gives_up_after_retransmissions) {
  // Offer by hand, then silence: the client asks 6 times and restarts.
  Rig q;
  q.server.mode = TestServer::Mode::Silent;
  q.start();
  MessageBuilder b(BootReply, Offer, q.client.xid(), defaultConfig().mac.data(), 6);
  b.yiaddr(ip(192, 168, 7, 100)).optionU32(opt::ServerId, ip(192, 168, 7, 1));
  q.feed(l2Frame(ip(192, 168, 7, 1), 0xffffffff, b.build()));
  CHECK(q.client.state() == State::Requesting);
  int requests = 0;
  while (q.client.state() == State::Requesting) {
    requests++;
    q.fire();
  }
  CHECK_EQ(requests, 6);
  CHECK(q.client.state() == State::Selecting);
  CHECK_EQ(unsigned{q.lastSent().type}, unsigned{Discover});
}

TEST(init_reboot_requests_the_stored_address) {
  ClientConfig c = defaultConfig();
  c.requestedAddress = ip(192, 168, 7, 100);
  Rig r(c);
  r.start();
  REQUIRE(!r.server.seen.empty());
  const Message& q = r.server.seen[0];
  CHECK_EQ(unsigned{q.type}, unsigned{Request});
  CHECK(q.options.get(opt::RequestedAddress) == be32v({ip(192, 168, 7, 100)}));
  CHECK(!q.options.has(opt::ServerId));
  CHECK_EQ(q.ciaddr, 0u);
  CHECK(r.sent[0].via == Transmit::Broadcast);
  REQUIRE(r.events.size() == 1);
  CHECK(r.events[0].type == Event::Bound);
  CHECK_EQ(r.events[0].lease.address, ip(192, 168, 7, 100));
  CHECK_EQ(r.sent.size(), size_t{1});  // no DISCOVER at all
}

TEST(init_reboot_with_a_foreign_address_is_naked_then_discovers) {
  ClientConfig c = defaultConfig();
  c.requestedAddress = ip(10, 1, 2, 3);
  Rig r(c);
  r.start();
  REQUIRE(r.events.size() == 2);
  CHECK(r.events[0].type == Event::Nak);
  CHECK(r.events[1].type == Event::Bound);
  CHECK_EQ(r.events[1].lease.address, ip(192, 168, 7, 100));
  CHECK_EQ(unsigned{r.server.seen[1].type}, unsigned{Discover});
  // The NAKed address is not suggested again.
  CHECK(!r.server.seen[1].options.has(opt::RequestedAddress));
}

TEST(stop_with_release_unicasts_dhcprelease) {
  Rig r;
  bind(r);
  r.apply(r.client.stop(r.now, true));
  REQUIRE(r.sent.size() == 3);
  const Transmit& t = r.sent.back();
  CHECK(t.via == Transmit::Unicast);
  CHECK_EQ(t.dst, ip(192, 168, 7, 1));
  const Message& m = r.server.seen.back();
  CHECK_EQ(unsigned{m.type}, unsigned{Release});
  CHECK_EQ(m.ciaddr, ip(192, 168, 7, 100));
  CHECK(m.options.get(opt::ServerId) == be32v({ip(192, 168, 7, 1)}));
  CHECK(r.events.back().type == Event::Stopped);
  CHECK(r.client.state() == State::Stopped);
  CHECK_EQ(r.deadline, Usec{0});
  // After a release the next start discovers from scratch.
  r.start();
  CHECK_EQ(unsigned{r.server.seen[3].type}, unsigned{Discover});
  CHECK(!r.server.seen[3].options.has(opt::RequestedAddress));
}

TEST(stop_without_release_sends_nothing_and_restart_reboots) {
  Rig r;
  bind(r);
  r.apply(r.client.stop(r.now, false));
  CHECK_EQ(r.sent.size(), size_t{2});
  CHECK(r.events.back().type == Event::Stopped);
  r.apply(r.client.stop(r.now, false));  // second stop is a no-op
  CHECK_EQ(r.events.size(), size_t{2});
  r.start();
  CHECK_EQ(unsigned{r.server.seen[2].type}, unsigned{Request});  // INIT-REBOOT
  CHECK(r.client.state() == State::Bound);
}

TEST(server_t1_t2_are_used_and_bad_ones_replaced) {
  Rig r;
  r.server.options.push_back({opt::RenewalTime, be32v({600})});
  r.server.options.push_back({opt::RebindingTime, be32v({900})});
  bind(r);
  CHECK_EQ(r.events[0].lease.t1, 600u);
  CHECK_EQ(r.events[0].lease.t2, 900u);
  Rig bad;
  bad.server.options.push_back({opt::RenewalTime, be32v({5000})});
  bad.server.options.push_back({opt::RebindingTime, be32v({4000})});
  bind(bad);
  CHECK_EQ(bad.events[0].lease.t1, 1800u);
  CHECK_EQ(bad.events[0].lease.t2, 3150u);
}

TEST(infinite_lease_arms_no_timer) {
  Rig r;
  r.server.leaseTime = kInfiniteLease;
  bind(r);
  CHECK(r.client.state() == State::Bound);
  CHECK_EQ(r.deadline, Usec{0});
}

TEST(offer_and_ack_for_others_are_ignored) {
  Rig r;
  r.server.mode = TestServer::Mode::Silent;
  r.start();
  auto offer = [&](uint32_t xid, const uint8_t* mac, uint8_t op) {
    MessageBuilder b(op, Offer, xid, mac, 6);
    b.yiaddr(ip(192, 168, 7, 100)).optionU32(opt::ServerId, ip(192, 168, 7, 1));
    return l2Frame(ip(192, 168, 7, 1), 0xffffffff, b.build());
  };
  uint8_t other[6] = {2, 0, 0, 0, 0, 9};
  r.feed(offer(r.client.xid() + 1, defaultConfig().mac.data(), BootReply));
  CHECK(r.loggedIgnoring());
  r.feed(offer(r.client.xid(), other, BootReply));
  CHECK(r.loggedIgnoring());
  r.feed(offer(r.client.xid(), defaultConfig().mac.data(), BootRequest));
  CHECK(r.loggedIgnoring());
  CHECK(r.client.state() == State::Selecting);
  CHECK_EQ(r.sent.size(), size_t{1});
  r.feed(offer(r.client.xid(), defaultConfig().mac.data(), BootReply));
  CHECK(r.client.state() == State::Requesting);
}

TEST(late_renewal_ack_counts_the_lease_from_the_latest_request) {
  // Fuzzer finding: with a long lease, renewal retransmissions spread over weeks;
  // an ACK then timed the new lease from the first REQUEST and armed timers in the past.
  Rig r;
  r.server.leaseTime = 6000000;
  bind(r);
  r.server.mode = TestServer::Mode::Silent;
  for (int i = 0; i < 6; i++) r.fire();  // T1 and five renewal retransmissions
  REQUIRE(r.client.state() == State::Renewing);
  r.server.mode = TestServer::Mode::Answer;
  r.server.leaseTime = 3600;
  r.fire();
  CHECK(r.client.state() == State::Bound);
  CHECK(r.events.back().type == Event::Renewed);
  CHECK_EQ(r.deadline, r.now + 1800 * kSecond);
}

TEST(init_reboot_to_a_silent_server_falls_back_to_discover_within_5s) {
  // dnsmasq stays silent to INIT-REBOOT for an address it has forgotten (RFC 2131 4.3.2).
  ClientConfig c = defaultConfig();
  c.requestedAddress = ip(192, 168, 7, 100);
  Rig r(c);
  r.server.mode = TestServer::Mode::Silent;
  r.start();
  Usec t0 = r.now;
  CHECK(r.client.state() == State::Rebooting);
  r.fire();
  CHECK(r.client.state() == State::Selecting);
  CHECK(r.now - t0 <= 5 * kSecond);
  Message d = r.lastSent();
  CHECK_EQ(unsigned{d.type}, unsigned{Discover});
  // The old address is still asked for, as a hint.
  CHECK(d.options.get(opt::RequestedAddress) == be32v({ip(192, 168, 7, 100)}));
  r.server.mode = TestServer::Mode::Answer;
  r.fire();
  CHECK(r.client.state() == State::Bound);
  CHECK_EQ(r.events.back().lease.address, ip(192, 168, 7, 100));
}
