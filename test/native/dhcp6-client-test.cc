// SPDX-License-Identifier: Apache-2.0
// DHCPv6 client engine against the in-process server on a fake clock: each mode,
// the lease a user gets, and what goes on the wire when.
#include "dhcp6-rig.h"
#include "harness.h"

using namespace sytest6;

namespace {

bool bound(Rig6& r) { return r.runUntil(State::Bound); }

const Event* lastEvent(const Rig6& r, Event::Type t) {
  for (auto it = r.events.rbegin(); it != r.events.rend(); ++it)
    if (it->type == t) return &*it;
  return nullptr;
}

}  // namespace

TEST(dhcp6_solicit_advertise_request_reply_binds) {
  Rig6 r;
  r.start();
  REQUIRE(bound(r));
  REQUIRE(r.sent.size() == 2);
  CHECK_EQ(unsigned{r.sent[0].type}, unsigned{Solicit});
  CHECK_EQ(unsigned{r.sent[1].type}, unsigned{Request});
  const Event* e = lastEvent(r, Event::Bound);
  REQUIRE(e != nullptr);
  const Lease& l = e->lease;
  REQUIRE(l.na.addresses.size() == 1);
  CHECK(l.na.addresses[0].address == r.server.address);
  CHECK_EQ(l.na.addresses[0].valid, 3600u);
  CHECK_EQ(l.t1, 900u);
  CHECK_EQ(l.t2, 1440u);
  REQUIRE(l.dns.size() == 1);
  CHECK(l.dns[0] == r.server.dns[0]);
  REQUIRE(l.domains.size() == 2);
  CHECK_EQ(l.domains[0], std::string("lab6.test"));
  CHECK_EQ(l.domains[1], std::string("corp.example"));
  REQUIRE(l.ntp.size() == 1);
  REQUIRE(l.ntpNames.size() == 1);
  CHECK_EQ(l.ntpNames[0], std::string("ntp.lab6.test"));
  CHECK(l.serverId == r.server.serverId);
  // The Request names the advertising server and carries the advertised address.
  Message req;
  REQUIRE(parseMessage(r.sent[1].payload.data(), r.sent[1].payload.size(), &req) == ParseError::None);
  REQUIRE(req.find(opt::ServerId) != nullptr);
  CHECK(req.find(opt::ServerId)->data == r.server.serverId);
  REQUIRE(req.find(opt::IaNa) != nullptr);
  CHECK(req.find(opt::IaNa)->data.size() == 12 + 4 + 24);
}

TEST(dhcp6_solicit_is_delayed_then_collects_advertises_for_the_first_rt) {
  Rig6 r;
  r.start();
  // RFC 8415 18.2.1: the first Solicit waits 0..SOL_MAX_DELAY.
  CHECK(r.sent.empty() || r.sentAt[0] == r.now);
  r.runUntil(State::Soliciting);
  if (r.sent.empty()) r.fire();
  REQUIRE(r.sent.size() >= 1);
  CHECK(r.sentAt[0] - 1000 * kSecond <= rt::kSolMaxDelay);
  // The Advertise arrived at once, but the Request waits for the first RT (> IRT).
  if (r.client.state() == State::Soliciting) {
    Usec first = r.sentAt[0];
    r.fire();
    CHECK_EQ(unsigned{r.sent.back().type}, unsigned{Request});
    CHECK(r.sentAt.back() - first > kSecond);
    CHECK(r.sentAt.back() - first <= kSecond + kSecond / 10);
  }
}

TEST(dhcp6_preference_255_requests_at_once) {
  Rig6 r;
  r.server.preference = 255;
  r.start();
  if (r.sent.empty()) r.fire();
  CHECK(r.client.state() == State::Bound);
  REQUIRE(r.sent.size() == 2);
  CHECK_EQ(r.sentAt[0], r.sentAt[1]);
}

TEST(dhcp6_rapid_commit_binds_in_two_messages) {
  Rig6 r;
  r.server.rapidCommit = true;
  r.start();
  if (r.sent.empty()) r.fire();
  CHECK(r.client.state() == State::Bound);
  REQUIRE(r.sent.size() == 1);
  CHECK(r.server.seen[0].find(opt::RapidCommit) != nullptr);
  CHECK(lastEvent(r, Event::Bound) != nullptr);
}

TEST(dhcp6_reply_to_solicit_without_rapid_commit_is_ignored) {
  ClientConfig c = defaultConfig6();
  c.rapidCommit = false;
  Rig6 r(c);
  r.server.rapidCommit = true;
  r.start();
  if (r.sent.empty()) r.fire();
  CHECK(r.server.seen[0].find(opt::RapidCommit) == nullptr);
  CHECK(r.client.state() == State::Soliciting);  // an Advertise came, not a Reply
  CHECK(bound(r));
  CHECK_EQ(r.countSent(Request), size_t{1});
}

TEST(dhcp6_stateless_information_request_gets_dns_domains_and_refreshes) {
  ClientConfig c = defaultConfig6();
  c.stateless = true;
  Rig6 r(c);
  r.server.infoRefresh = 100;  // below IRT_MINIMUM: raised to 600 s
  r.start();
  REQUIRE(r.runUntil(State::Informed));
  REQUIRE(r.sent.size() == 1);
  CHECK_EQ(unsigned{r.sent[0].type}, unsigned{InformationRequest});
  Message m = r.server.seen[0];
  CHECK(m.find(opt::IaNa) == nullptr);
  CHECK(m.find(opt::ClientId) != nullptr);
  const Event* e = lastEvent(r, Event::Info);
  REQUIRE(e != nullptr);
  CHECK(e->lease.na.addresses.empty());
  CHECK_EQ(e->lease.dns.size(), size_t{1});
  CHECK_EQ(e->lease.domains.size(), size_t{2});
  Usec got = r.now;
  CHECK_EQ(r.deadline, got + 600 * kSecond);
  r.fire();
  if (r.client.state() == State::Informing) r.fire();
  CHECK(r.client.state() == State::Informed);
  CHECK_EQ(r.countSent(InformationRequest), size_t{2});
}

TEST(dhcp6_stateless_default_refresh_is_a_day) {
  ClientConfig c = defaultConfig6();
  c.stateless = true;
  Rig6 r(c);
  r.start();
  REQUIRE(r.runUntil(State::Informed));
  CHECK_EQ(r.deadline, r.now + 86400 * kSecond);
}

TEST(dhcp6_renew_at_t1_answered_gives_renewed) {
  Rig6 r;
  r.start();
  REQUIRE(bound(r));
  Usec boundAt = r.now;
  r.fire();
  CHECK_EQ(r.now, boundAt + 900 * kSecond);
  CHECK(r.client.state() == State::Bound);
  Message renew = r.lastSent();
  CHECK_EQ(unsigned{renew.type}, unsigned{Renew});
  REQUIRE(renew.find(opt::ServerId) != nullptr);
  CHECK(renew.find(opt::ServerId)->data == r.server.serverId);
  CHECK(lastEvent(r, Event::Renewed) != nullptr);
}

TEST(dhcp6_silent_server_renew_then_rebind_then_expire) {
  Rig6 r;
  r.start();
  REQUIRE(bound(r));
  Usec boundAt = r.now;
  r.server.mode = TestServer6::Mode::Silent;
  r.fire();
  CHECK(r.client.state() == State::Renewing);
  CHECK_EQ(r.now, boundAt + 900 * kSecond);
  // REN_TIMEOUT 10 s, doubling, never past T2.
  r.fire();
  CHECK_EQ(unsigned{r.lastSent().type}, unsigned{Renew});
  Usec gap = r.sentAt.back() - r.sentAt[r.sentAt.size() - 2];
  CHECK(gap >= 9 * kSecond && gap <= 11 * kSecond);
  REQUIRE(r.runUntil(State::Rebinding));
  CHECK_EQ(r.now, boundAt + 1440 * kSecond);
  Message rebind = r.lastSent();
  CHECK_EQ(unsigned{rebind.type}, unsigned{Rebind});
  CHECK(rebind.find(opt::ServerId) == nullptr);
  for (Usec t : r.sentAt) CHECK(t <= boundAt + 1440 * kSecond || t >= boundAt + 1440 * kSecond);
  REQUIRE(r.runUntil(State::Soliciting));
  CHECK_EQ(r.now, boundAt + 3600 * kSecond);
  CHECK(lastEvent(r, Event::Expired) != nullptr);
  CHECK(!r.client.hasLease());
}

TEST(dhcp6_rebind_answered_by_any_server) {
  Rig6 r;
  r.start();
  REQUIRE(bound(r));
  r.server.mode = TestServer6::Mode::Silent;
  REQUIRE(r.runUntil(State::Rebinding));
  r.server.mode = TestServer6::Mode::Answer;
  r.server.serverId = {0, 3, 0, 1, 2, 2, 2, 2, 2, 2};  // another server answers
  r.fire();
  CHECK(r.client.state() == State::Bound);
  CHECK(r.client.lease().serverId == r.server.serverId);
}

TEST(dhcp6_nobinding_on_renew_requests_again) {
  Rig6 r;
  r.start();
  REQUIRE(bound(r));
  r.server.mode = TestServer6::Mode::NoBinding;
  r.fire();
  // The Renew got NoBinding; the Request that followed at once was answered.
  CHECK_EQ(unsigned{r.sent[r.sent.size() - 2].type}, unsigned{Renew});
  CHECK_EQ(unsigned{r.sent.back().type}, unsigned{Request});
  CHECK(r.client.state() == State::Bound);
  CHECK(lastEvent(r, Event::Expired) != nullptr);
  CHECK(lastEvent(r, Event::Bound) != &r.events.front());
  Message req = r.lastSent();
  CHECK(req.find(opt::IaNa)->data.size() == 12 + 4 + 24);  // the old address as a hint
}

TEST(dhcp6_t1_t2_zero_default_to_half_and_four_fifths_of_preferred) {
  Rig6 r;
  r.server.t1 = r.server.t2 = 0;
  r.start();
  REQUIRE(bound(r));
  CHECK_EQ(r.client.lease().t1, 900u);
  CHECK_EQ(r.client.lease().t2, 1440u);
}

TEST(dhcp6_t1_above_t2_discards_the_ia) {
  Rig6 r;
  r.server.t1 = 2000;
  r.server.t2 = 1000;
  r.start();
  for (int i = 0; i < 4; i++) r.fire();
  CHECK(r.client.state() != State::Bound);
  CHECK(r.countSent(Request) == 0);  // nothing usable was advertised
}

TEST(dhcp6_prefix_delegation) {
  ClientConfig c = defaultConfig6();
  c.requestAddress = false;
  c.requestPrefix = true;
  c.prefixHint = 56;
  Rig6 r(c);
  r.start();
  REQUIRE(bound(r));
  Message sol = r.server.seen[0];
  CHECK(sol.find(opt::IaNa) == nullptr);
  REQUIRE(sol.find(opt::IaPd) != nullptr);
  CHECK_EQ(sol.find(opt::IaPd)->data.size(), size_t{12 + 4 + 25});
  const Lease& l = r.client.lease();
  REQUIRE(l.pd.prefixes.size() == 1);
  CHECK(l.pd.prefixes[0].prefix == r.server.prefix);
  CHECK_EQ(unsigned{l.pd.prefixes[0].length}, 56u);
  CHECK_EQ(l.pd.prefixes[0].valid, 3600u);
  // With only prefixes a moved link is checked by Rebind, not Confirm.
  r.apply(r.client.linkChanged(r.now));
  CHECK(r.client.state() == State::Bound);
  CHECK_EQ(r.countSent(Confirm), size_t{0});
  CHECK_EQ(r.countSent(Rebind), size_t{1});
}

TEST(dhcp6_address_and_prefix_together) {
  ClientConfig c = defaultConfig6();
  c.requestPrefix = true;
  Rig6 r(c);
  r.start();
  REQUIRE(bound(r));
  CHECK_EQ(r.client.lease().na.addresses.size(), size_t{1});
  CHECK_EQ(r.client.lease().pd.prefixes.size(), size_t{1});
}

TEST(dhcp6_noaddrsavail_advertise_is_ignored) {
  Rig6 r;
  r.server.mode = TestServer6::Mode::NoAddrs;
  r.start();
  for (int i = 0; i < 5; i++) r.fire();
  CHECK(r.client.state() == State::Soliciting);
  CHECK_EQ(r.countSent(Request), size_t{0});
}

TEST(dhcp6_confirm_success_keeps_the_lease_notonlink_expires) {
  Rig6 r;
  r.start();
  REQUIRE(bound(r));
  r.apply(r.client.linkChanged(r.now));
  if (r.client.state() == State::Confirming) r.fire();
  CHECK(r.client.state() == State::Bound);
  Message cnf = r.lastSent();
  CHECK_EQ(unsigned{cnf.type}, unsigned{Confirm});
  CHECK(cnf.find(opt::ServerId) == nullptr);
  CHECK(cnf.find(opt::IaNa) != nullptr);
  CHECK(r.client.hasLease());

  r.server.mode = TestServer6::Mode::NotOnLink;
  r.apply(r.client.linkChanged(r.now));
  if (r.client.state() == State::Confirming) r.fire();
  CHECK(lastEvent(r, Event::Expired) != nullptr);
  CHECK(r.client.state() == State::Soliciting);
}

TEST(dhcp6_unanswered_confirm_keeps_the_lease_after_cnf_max_rd) {
  Rig6 r;
  r.start();
  REQUIRE(bound(r));
  r.server.mode = TestServer6::Mode::Silent;
  r.apply(r.client.linkChanged(r.now));
  Usec began = r.now;
  REQUIRE(r.runUntil(State::Bound));
  CHECK(r.client.hasLease());
  CHECK(r.now - began <= rt::kCnfMaxDelay + rt::kCnfMaxRd);
  CHECK(r.countSent(Confirm) >= 3);
}

TEST(dhcp6_release_on_stop) {
  Rig6 r;
  r.start();
  REQUIRE(bound(r));
  r.apply(r.client.stop(r.now, true));
  Message rel = r.lastSent();
  CHECK_EQ(unsigned{rel.type}, unsigned{Release});
  REQUIRE(rel.find(opt::ServerId) != nullptr);
  CHECK(rel.find(opt::ServerId)->data == r.server.serverId);
  CHECK(rel.find(opt::IaNa) != nullptr);
  CHECK(r.client.state() == State::Stopped);
  CHECK(lastEvent(r, Event::Stopped) != nullptr);
  CHECK_EQ(r.deadline, Usec{0});
}

TEST(dhcp6_stop_without_release_sends_nothing) {
  Rig6 r;
  r.start();
  REQUIRE(bound(r));
  size_t n = r.sent.size();
  r.apply(r.client.stop(r.now, false));
  CHECK_EQ(r.sent.size(), n);
}

TEST(dhcp6_solicit_retransmission_schedule) {
  Rig6 r;
  r.server.mode = TestServer6::Mode::Silent;
  r.start();
  if (r.sent.empty()) r.fire();
  for (int i = 0; i < 20; i++) r.fire();
  REQUIRE(r.sent.size() == 21);
  // RFC 8415 15: RT1 = IRT + RAND*IRT with RAND in (0, 0.1] for Solicit; then
  // RT = 2*RTprev + RAND*RTprev, capped at MRT + RAND*MRT (SOL_MAX_RT 3600 s).
  double prev = 0;
  for (size_t i = 1; i < r.sentAt.size(); i++) {
    double rt = static_cast<double>(r.sentAt[i] - r.sentAt[i - 1]) / kSecond;
    if (i == 1) {
      CHECK(rt > 1.0 && rt <= 1.1);
    } else if (2 * prev * 0.9 < 3600 * 0.9) {
      CHECK(rt >= prev * 1.9 - 1e-6 || rt >= 3600 * 0.9);
      CHECK(rt <= prev * 2.1 + 1e-6);
    }
    CHECK(rt <= 3600 * 1.1 + 1e-6);
    prev = rt;
  }
  double last = static_cast<double>(r.sentAt.back() - r.sentAt[r.sentAt.size() - 2]) / kSecond;
  CHECK(last >= 3600 * 0.9 && last <= 3600 * 1.1);
}

TEST(dhcp6_sol_max_rt_from_an_ignored_advertise_caps_the_schedule) {
  Rig6 r;
  r.server.mode = TestServer6::Mode::NoAddrs;
  r.server.raw = encodeOption(opt::SolMaxRt, be32b(120));
  r.start();
  for (int i = 0; i < 15; i++) r.fire();
  double last = static_cast<double>(r.sentAt.back() - r.sentAt[r.sentAt.size() - 2]) / kSecond;
  CHECK(last >= 108 && last <= 132);
}

TEST(dhcp6_request_gives_up_after_req_max_rc) {
  Rig6 r;
  r.start();
  if (r.sent.empty()) r.fire();
  REQUIRE(r.client.state() == State::Soliciting);
  r.server.mode = TestServer6::Mode::Silent;
  r.fire();
  REQUIRE(r.client.state() == State::Requesting);
  for (int i = 0; i < 12 && r.client.state() == State::Requesting; i++) r.fire();
  CHECK_EQ(r.countSent(Request), size_t{rt::kReqMaxRc});
  CHECK(r.client.state() == State::Soliciting);
  // REQ_MAX_RT 30 s caps the gaps (plus RAND).
  for (size_t i = 1; i < r.sentAt.size(); i++)
    if (r.sent[i].type == Request && r.sent[i - 1].type == Request)
      CHECK(r.sentAt[i] - r.sentAt[i - 1] <= 33 * kSecond);
}

TEST(dhcp6_elapsed_time_counts_centiseconds_from_the_first_message) {
  Rig6 r;
  r.server.mode = TestServer6::Mode::Silent;
  r.start();
  if (r.sent.empty()) r.fire();
  r.fire();
  r.fire();
  auto elapsed = [](const Transmit& t) {
    Message m;
    parseMessage(t.payload.data(), t.payload.size(), &m);
    const Option* o = m.find(opt::ElapsedTime);
    return o && o->data.size() == 2 ? (o->data[0] << 8) | o->data[1] : -1;
  };
  CHECK_EQ(elapsed(r.sent[0]), 0);
  Usec cs = (r.sentAt[2] - r.sentAt[0]) / 10000;
  CHECK_EQ(elapsed(r.sent[2]), static_cast<int>(cs));
}

TEST(dhcp6_duid_ll_by_default_and_stored_duid_when_given) {
  Rig6 r;
  std::vector<uint8_t> ll = {0, 3, 0, 1, 0x02, 0x00, 0x5e, 0x10, 0x20, 0x30};
  CHECK(r.client.duid() == ll);
  CHECK_EQ(r.client.iaid(), 0x5e102030u);
  ClientConfig c = defaultConfig6();
  c.duid = {0, 1, 0, 1, 0x2a, 0x2b, 0x2c, 0x2d, 0x02, 0x00, 0x5e, 0x10, 0x20, 0x30};  // DUID-LLT
  Rig6 s(c);
  s.start();
  REQUIRE(bound(s));
  CHECK(s.server.seen[0].find(opt::ClientId)->data == c.duid);
}

TEST(dhcp6_replies_for_others_are_ignored) {
  Rig6 r;
  r.server.mode = TestServer6::Mode::Silent;
  r.start();
  if (r.sent.empty()) r.fire();
  TestServer6 s;
  s.rapidCommit = true;
  Message sol = r.lastSent();
  // Wrong xid.
  MessageBuilder a(Reply, (r.client.xid() + 1) & 0xffffff);
  a.option(opt::ClientId, r.client.duid()).option(opt::ServerId, s.serverId).option(opt::RapidCommit, nullptr, 0);
  a.raw(s.ia(opt::IaNa, r.client.iaid()));
  r.feed(a.build());
  CHECK(r.loggedIgnoring());
  // Another client's DUID.
  MessageBuilder b(Reply, r.client.xid());
  b.option(opt::ClientId, std::vector<uint8_t>{0, 3, 0, 1, 1, 2, 3, 4, 5, 6})
      .option(opt::ServerId, s.serverId)
      .option(opt::RapidCommit, nullptr, 0);
  b.raw(s.ia(opt::IaNa, r.client.iaid()));
  r.feed(b.build());
  CHECK(r.loggedIgnoring());
  // No server identifier.
  MessageBuilder c(Reply, r.client.xid());
  c.option(opt::ClientId, r.client.duid()).option(opt::RapidCommit, nullptr, 0);
  c.raw(s.ia(opt::IaNa, r.client.iaid()));
  r.feed(c.build());
  CHECK(r.loggedIgnoring());
  // Reconfigure is never acted on.
  MessageBuilder d(Reconfigure, 0);
  d.option(opt::ClientId, r.client.duid()).option(opt::ServerId, s.serverId);
  r.feed(d.build());
  CHECK(r.loggedIgnoring());
  CHECK(r.client.state() == State::Soliciting);
  CHECK(r.events.empty());
  (void)sol;
}

TEST(dhcp6_confirm_during_renewing_resumes_renewing_not_a_stale_bound) {
  // Fuzzer finding: the CONFIRM ran out after T1, and BOUND kept a deadline in the past.
  Rig6 r;
  r.start();
  REQUIRE(bound(r));
  r.server.mode = TestServer6::Mode::Silent;
  r.fire();
  REQUIRE(r.client.state() == State::Renewing);
  r.apply(r.client.linkChanged(r.now));
  REQUIRE(r.runUntil(State::Renewing));
  CHECK(r.deadline > r.now);
  CHECK_EQ(unsigned{r.lastSent().type}, unsigned{Renew});
}

TEST(dhcp6_rapid_commit_reply_without_addresses_keeps_the_solicit_schedule) {
  // Found against dnsmasq 2.90 (no IA_PD support): a NoAddrsAvail Reply to every Rapid
  // Commit Solicit restarted the exchange, a Solicit every few hundred ms.
  ClientConfig c = defaultConfig6();
  c.requestAddress = false;
  c.requestPrefix = true;
  Rig6 r(c);
  r.server.rapidCommit = true;
  r.server.mode = TestServer6::Mode::NoAddrs;
  r.start();
  if (r.sent.empty()) r.fire();
  uint32_t xid = r.client.xid();
  for (int i = 0; i < 5; i++) r.fire();
  CHECK(r.client.state() == State::Soliciting);
  CHECK_EQ(r.client.xid(), xid);  // one exchange, retransmitted
  CHECK_EQ(r.countSent(Solicit), size_t{6});
  CHECK(r.sentAt.back() - r.sentAt.front() > 20 * kSecond);  // about 1+2+4+8+16 s
  CHECK(r.events.empty());
}
