// SPDX-License-Identifier: Apache-2.0
// ACD (RFC 5227) and IPv4-LL (RFC 3927) engines on a fake clock: probes, announce,
// defence, conflicts from a second host, the rate limit, and the ARP parser's bounds.
#include "../../native/core/acd/acd.h"
#include "../../native/core/ipv4ll/ipv4ll.h"
#include "dhcp4-rig.h"
#include "harness.h"

using namespace sytest;
namespace acd = sy::acd;
namespace ll = sy::ipv4ll;

namespace {

const acd::Mac kOurs{0x02, 0x00, 0x5e, 0x10, 0x20, 0x30};
const acd::Mac kTheirs{0x02, 0x11, 0x22, 0x33, 0x44, 0x55};
constexpr uint32_t kAddr = ip(192, 168, 7, 100);
constexpr acd::Usec kS = acd::kSecond;

acd::ArpPacket parsed(const std::vector<uint8_t>& v) {
  acd::ArpPacket p;
  acd::parseArp(v.data(), v.size(), &p);
  return p;
}

struct AcdRig {
  acd::Engine engine{kOurs, Rng{7}, nullptr};
  acd::Usec now = 500 * kS, deadline = 0;
  std::vector<std::pair<acd::Usec, acd::ArpPacket>> sent;
  std::vector<acd::Event> events;

  void apply(acd::Actions a) {
    deadline = a.deadline;
    for (auto& t : a.transmits) sent.push_back({now, parsed(t)});
    for (auto& e : a.events) events.push_back(e);
  }
  void start(uint32_t addr = kAddr) { apply(engine.start(now, addr)); }
  void fire() {
    now = deadline;
    apply(engine.timeout(now));
  }
  void hear(uint16_t op, const acd::Mac& sha, uint32_t spa, uint32_t tpa) {
    auto f = acd::buildArp(op, sha, spa, acd::Mac{}, tpa);
    apply(engine.receive(now, f.data(), f.size()));
  }
  void runToDefending() {
    start();
    for (int i = 0; i < 10 && engine.state() != acd::State::Defending; i++) fire();
  }
};

struct LlRig {
  ll::Client client{kOurs, Rng{3}, nullptr};
  acd::Usec now = 500 * kS, deadline = 0;
  std::vector<acd::ArpPacket> sent;
  std::vector<ll::Event> events;
  void apply(ll::Actions a) {
    deadline = a.deadline;
    for (auto& t : a.transmits) sent.push_back(parsed(t));
    for (auto& e : a.events) events.push_back(e);
  }
  void fire() {
    now = deadline;
    apply(client.timeout(now));
  }
  void hear(const acd::Mac& sha, uint32_t spa, uint32_t tpa) {
    auto f = acd::buildArp(acd::ArpReply, sha, spa, acd::Mac{}, tpa);
    apply(client.receive(now, f.data(), f.size()));
  }
};

}  // namespace

TEST(arp_parser_reads_only_ethernet_ipv4_and_never_past_the_end) {
  auto f = acd::buildArp(acd::ArpRequest, kOurs, kAddr, kTheirs, ip(10, 0, 0, 1));
  CHECK_EQ(f.size(), acd::kArpLength);
  acd::ArpPacket p;
  REQUIRE(acd::parseArp(f.data(), f.size(), &p) == acd::ArpError::None);
  CHECK(p.sha == kOurs);
  CHECK(p.tha == kTheirs);
  CHECK_EQ(p.spa, kAddr);
  CHECK_EQ(p.tpa, ip(10, 0, 0, 1));
  for (size_t n = 0; n < f.size(); n++) {
    std::vector<uint8_t> cut(f.begin(), f.begin() + static_cast<long>(n));
    CHECK(acd::parseArp(cut.data(), cut.size(), &p) != acd::ArpError::None);
  }
  auto padded = f;
  padded.resize(46, 0);  // Ethernet minimum payload padding
  CHECK(acd::parseArp(padded.data(), padded.size(), &p) == acd::ArpError::None);
  auto other = f;
  other[4] = 16;  // a hardware length that would move every later field
  CHECK(acd::parseArp(other.data(), other.size(), &p) == acd::ArpError::NotEthernetIpv4);
  auto rarp = f;
  rarp[7] = 3;
  CHECK(acd::parseArp(rarp.data(), rarp.size(), &p) == acd::ArpError::BadOp);
}

TEST(acd_probes_three_times_then_announces_twice_and_defends) {
  AcdRig r;
  acd::Usec t0 = r.now;
  r.start();
  CHECK(r.deadline <= t0 + acd::kProbeWait);
  r.runToDefending();
  REQUIRE(r.sent.size() == 5);
  for (int i = 0; i < 3; i++) {
    const auto& p = r.sent[i].second;
    CHECK_EQ(p.op, uint16_t{acd::ArpRequest});
    CHECK_EQ(p.spa, 0u);
    CHECK_EQ(p.tpa, kAddr);
    CHECK(p.sha == kOurs);
    if (i > 0) {
      acd::Usec gap = r.sent[i].first - r.sent[i - 1].first;
      CHECK(gap >= acd::kProbeMin && gap <= acd::kProbeMax);
    }
  }
  CHECK_EQ(r.sent[3].first - r.sent[2].first, acd::kAnnounceWait);
  CHECK_EQ(r.sent[3].second.spa, kAddr);
  CHECK_EQ(r.sent[3].second.tpa, kAddr);
  CHECK_EQ(r.sent[4].first - r.sent[3].first, acd::kAnnounceInterval);
  REQUIRE(r.events.size() == 1);
  CHECK(r.events[0].type == acd::Event::Available);
  CHECK(r.engine.state() == acd::State::Defending);
  CHECK_EQ(r.deadline, acd::Usec{0});
  // RFC 5227 2.4 (b): one defence, a second conflict within DEFEND_INTERVAL gives up.
  r.hear(acd::ArpRequest, kTheirs, kAddr, kAddr);
  CHECK_EQ(r.sent.size(), size_t{6});
  CHECK(r.events.back().type == acd::Event::Defended);
  r.now += 3 * kS;
  r.hear(acd::ArpReply, kTheirs, kAddr, ip(192, 168, 7, 1));
  CHECK(r.events.back().type == acd::Event::Conflict);
  CHECK(r.events.back().other == kTheirs);
  CHECK(r.engine.state() == acd::State::Stopped);
}

TEST(acd_defends_again_after_the_defend_interval) {
  AcdRig r;
  r.runToDefending();
  r.hear(acd::ArpRequest, kTheirs, kAddr, kAddr);
  r.now += acd::kDefendInterval + kS;
  r.hear(acd::ArpRequest, kTheirs, kAddr, kAddr);
  CHECK(r.events.back().type == acd::Event::Defended);
  CHECK(r.engine.state() == acd::State::Defending);
}

TEST(acd_conflict_while_probing_on_a_reply_or_a_competing_probe) {
  {
    AcdRig r;
    r.start();
    r.fire();
    r.hear(acd::ArpReply, kTheirs, kAddr, 0);
    REQUIRE(!r.events.empty());
    CHECK(r.events.back().type == acd::Event::Conflict);
    CHECK(r.engine.state() == acd::State::Stopped);
  }
  {
    AcdRig r;
    r.start();
    r.fire();
    r.hear(acd::ArpRequest, kTheirs, 0, kAddr);  // another host probing for it too
    REQUIRE(!r.events.empty());
    CHECK(r.events.back().type == acd::Event::Conflict);
  }
  {
    AcdRig r;  // unrelated traffic and our own looped-back probes are no conflict
    r.start();
    r.fire();
    r.hear(acd::ArpRequest, kTheirs, ip(192, 168, 7, 5), ip(192, 168, 7, 1));
    r.hear(acd::ArpRequest, kOurs, 0, kAddr);
    CHECK(r.events.empty());
    CHECK(r.engine.state() == acd::State::Probing);
  }
}

TEST(acd_garbage_is_ignored_in_every_state) {
  AcdRig r;
  r.start();
  uint8_t junk[3] = {0, 1, 8};
  for (int i = 0; i < 8; i++) {
    r.apply(r.engine.receive(r.now, junk, sizeof junk));
    r.apply(r.engine.receive(r.now, nullptr, 0));
    if (r.deadline) r.fire();
  }
  CHECK(r.engine.state() == acd::State::Defending);
}

TEST(ipv4ll_picks_a_stable_address_in_range_and_binds_after_acd) {
  uint32_t a = ll::addressFromMac(kOurs);
  CHECK(ll::isLinkLocal(a));
  CHECK_EQ(a, ll::addressFromMac(kOurs));
  CHECK(a != ll::addressFromMac(kTheirs));
  CHECK(!ll::isLinkLocal(ip(169, 254, 0, 9)));
  CHECK(!ll::isLinkLocal(ip(169, 254, 255, 1)));
  LlRig r;
  acd::Usec t0 = r.now;
  r.apply(r.client.start(r.now));
  while (r.events.empty() && r.deadline) r.fire();
  REQUIRE(r.events.size() == 1);
  CHECK(r.events[0].type == ll::Event::Bound);
  CHECK_EQ(r.events[0].address, a);
  CHECK(r.now - t0 <= 9 * kS);  // PROBE_WAIT + 2 * PROBE_MAX + ANNOUNCE_WAIT at most
  CHECK(r.client.state() == ll::State::Bound);
  CHECK_EQ(r.client.address(), a);
}

TEST(ipv4ll_conflict_while_probing_moves_to_a_new_address) {
  LlRig r;
  r.apply(r.client.start(r.now));
  uint32_t first = ll::addressFromMac(kOurs);
  r.fire();
  r.hear(kTheirs, first, 0);
  CHECK_EQ(r.client.conflicts(), 1u);
  CHECK(r.client.state() == ll::State::Probing);
  uint32_t second = r.client.acd().address();
  CHECK(second != first);
  CHECK(ll::isLinkLocal(second));
  while (r.events.empty() && r.deadline) r.fire();
  REQUIRE(!r.events.empty());
  CHECK_EQ(r.events[0].address, second);
}

TEST(ipv4ll_lost_after_a_failed_defence_then_rebinds_elsewhere) {
  LlRig r;
  r.apply(r.client.start(r.now));
  while (r.client.acd().state() != acd::State::Defending) r.fire();
  uint32_t first = r.client.address();
  r.hear(kTheirs, first, first);
  r.now += kS;
  r.hear(kTheirs, first, first);
  REQUIRE(r.events.size() == 2);
  CHECK(r.events[1].type == ll::Event::Lost);
  CHECK_EQ(r.events[1].address, first);
  while (r.events.size() < 3 && r.deadline) r.fire();
  REQUIRE(r.events.size() == 3);
  CHECK(r.events[2].type == ll::Event::Bound);
  CHECK(r.events[2].address != first);
}

TEST(ipv4ll_rate_limits_after_max_conflicts) {
  LlRig r;
  r.apply(r.client.start(r.now));
  for (unsigned i = 0; i < ll::kMaxConflicts; i++) {
    r.fire();
    r.hear(kTheirs, r.client.acd().address(), 0);
  }
  CHECK_EQ(r.client.conflicts(), ll::kMaxConflicts);
  // RFC 3927 2.2.1: no more than one new address per RATE_LIMIT_INTERVAL.
  CHECK(r.deadline >= r.now + ll::kRateLimitInterval);
}

TEST(ipv4ll_stop_is_quiet_and_restart_prefers_the_old_address) {
  LlRig r;
  r.apply(r.client.start(r.now));
  r.apply(r.client.stop(r.now));
  CHECK(r.client.state() == ll::State::Stopped);
  size_t before = r.sent.size();
  r.apply(r.client.timeout(r.now + 100 * kS));
  CHECK_EQ(r.sent.size(), before);
  r.apply(r.client.start(r.now, ip(169, 254, 77, 7)));
  CHECK_EQ(r.client.acd().address(), ip(169, 254, 77, 7));
}
