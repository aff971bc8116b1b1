// SPDX-License-Identifier: Apache-2.0
// Option decoding (overload, RFC 3396, classless routes) and every ConnMan DHCP
// CVE trigger: the garbage is dropped, logged, and the engine keeps its state.
#include "dhcp4-rig.h"
#include "harness.h"

using namespace sytest;

namespace {

// A client in SELECTING with a silent server, plus a well-formed OFFER for it.
struct Selecting {
  Rig r;
  Selecting() {
    r.server.mode = TestServer::Mode::Silent;
    r.start();
  }
  std::vector<uint8_t> offer(const std::vector<uint8_t>& raw = {}) {
    MessageBuilder b(BootReply, Offer, r.client.xid(), defaultConfig().mac.data(), 6);
    b.yiaddr(ip(192, 168, 7, 100)).optionU32(opt::ServerId, ip(192, 168, 7, 1)).rawOptions(raw);
    return b.build();
  }
  void expectUnmoved() {
    CHECK(r.client.state() == State::Selecting);
    CHECK_EQ(r.sent.size(), size_t{1});
    CHECK(r.events.empty());
    CHECK(r.loggedIgnoring());
  }
};

void setTotLen(std::vector<uint8_t>& f, size_t v) {
  f[2] = static_cast<uint8_t>(v >> 8);
  f[3] = static_cast<uint8_t>(v);
  f[10] = f[11] = 0;
  uint16_t c = sy::wire::ipv4HeaderChecksum(f.data(), 20);
  f[10] = static_cast<uint8_t>(c >> 8);
  f[11] = static_cast<uint8_t>(c);
}

}  // namespace

TEST(option_overload_reads_file_and_sname) {
  Rig r;
  // 52 = 3: options continue in file, then sname (RFC 2132 9.3).
  r.server.rawOptions = {opt::Overload, 1, 3};
  r.server.options = {{opt::SubnetMask, be32v({ip(255, 255, 0, 0)})}};
  r.server.file = {opt::DnsServer, 4, 1, 1, 1, 1, opt::End};
  r.server.sname = {opt::DomainName, 4, 'h', 'o', 'm', 'e', opt::End};
  r.start();
  REQUIRE(r.events.size() == 1);
  const Lease& l = r.events[0].lease;
  CHECK_EQ(unsigned{l.prefixLength}, 16u);
  CHECK(l.dns == std::vector<uint32_t>{ip(1, 1, 1, 1)});
  CHECK_EQ(l.domainName, std::string("home"));
}

TEST(file_and_sname_are_not_options_without_overload) {
  Rig r;
  r.server.options = {};
  r.server.file = {opt::DnsServer, 4, 1, 1, 1, 1, opt::End};
  r.start();
  REQUIRE(r.events.size() == 1);
  CHECK(r.events[0].lease.dns.empty());
}

TEST(rfc3396_split_options_are_concatenated) {
  Rig r;
  // Option 6 in three pieces: two in the options field, one in file (overload 1).
  r.server.options = {};
  r.server.rawOptions = {opt::Overload, 1, 1, opt::DnsServer, 4, 10, 0, 0, 1,
                         opt::DnsServer, 2, 10, 0};
  r.server.file = {opt::DnsServer, 6, 0, 2, 10, 0, 0, 3, opt::End};
  r.start();
  REQUIRE(r.events.size() == 1);
  CHECK(r.events[0].lease.dns ==
        (std::vector<uint32_t>{ip(10, 0, 0, 1), ip(10, 0, 0, 2), ip(10, 0, 0, 3)}));
}

TEST(long_option_built_as_split_instances_round_trips) {
  std::vector<uint8_t> search(300, 'a');
  MessageBuilder b(BootReply, Ack, 7, nullptr, 0);
  b.option(opt::DomainSearch, search);
  auto bytes = b.build();
  Message m;
  REQUIRE(parseMessage(bytes.data(), bytes.size(), &m) == ParseError::None);
  CHECK(m.options.get(opt::DomainSearch) == search);
}

TEST(classless_routes_replace_the_router_option) {
  Rig r;
  r.server.options.push_back(
      {opt::ClasslessRoute,
       {0, 192, 168, 7, 254,              // default via 192.168.7.254
        8, 10, 192, 168, 7, 2,            // 10/8 via 192.168.7.2
        24, 172, 16, 5, 192, 168, 7, 3,   // 172.16.5/24 via .3
        32, 1, 2, 3, 4, 0, 0, 0, 0}});    // host route, on-link
  r.start();
  REQUIRE(r.events.size() == 1);
  const Lease& l = r.events[0].lease;
  REQUIRE(l.classlessRoutes.size() == 4);
  CHECK_EQ(l.classlessRoutes[1].destination, ip(10, 0, 0, 0));
  CHECK_EQ(unsigned{l.classlessRoutes[1].prefixLength}, 8u);
  CHECK_EQ(l.classlessRoutes[1].gateway, ip(192, 168, 7, 2));
  CHECK_EQ(l.classlessRoutes[2].destination, ip(172, 16, 5, 0));
  CHECK_EQ(l.classlessRoutes[3].destination, ip(1, 2, 3, 4));
  CHECK_EQ(l.classlessRoutes[3].gateway, 0u);
  // RFC 3442: option 3 is ignored when 121 is present.
  CHECK(l.routers == std::vector<uint32_t>{ip(192, 168, 7, 254)});
}

TEST(malformed_classless_routes_are_ignored_not_fatal) {
  std::vector<Route> out;
  CHECK(!parseClasslessRoutes({33, 1, 2, 3, 4, 5, 6, 7, 8, 9}, &out));
  CHECK(!parseClasslessRoutes({24, 10, 0}, &out));
  CHECK(!parseClasslessRoutes({24, 10, 0, 0, 1, 2, 3}, &out));
  Rig r;
  r.server.options.push_back({opt::ClasslessRoute, {24, 10, 0}});
  r.start();
  REQUIRE(r.events.size() == 1);
  CHECK(r.events[0].lease.classlessRoutes.empty());
  CHECK(r.events[0].lease.routers == std::vector<uint32_t>{ip(192, 168, 7, 1)});
}

TEST(mtu_ntp_broadcast_wpad_hostname_are_read) {
  Rig r;
  r.server.options.push_back({opt::InterfaceMtu, {0x05, 0x78}});
  r.server.options.push_back({opt::NtpServer, be32v({ip(192, 168, 7, 123)})});
  r.server.options.push_back({opt::Broadcast, be32v({ip(192, 168, 7, 127)})});
  r.server.options.push_back({opt::Wpad, str("http://wpad/wpad.dat")});
  r.server.options.push_back({opt::Hostname, str("box-1")});
  r.server.options.push_back({opt::CaptivePortal, str("https://portal.example/")});
  r.start();
  REQUIRE(r.events.size() == 1);
  const Lease& l = r.events[0].lease;
  CHECK_EQ(unsigned{l.mtu}, 1400u);
  CHECK(l.ntp == std::vector<uint32_t>{ip(192, 168, 7, 123)});
  CHECK_EQ(l.broadcast, ip(192, 168, 7, 127));
  CHECK_EQ(l.wpadUrl, std::string("http://wpad/wpad.dat"));
  CHECK_EQ(l.hostname, std::string("box-1"));
  CHECK_EQ(l.captivePortalUrl, std::string("https://portal.example/"));
}

TEST(cve_2021_26676_offer_shorter_than_bootp_header_is_dropped) {
  Selecting s;
  for (size_t len : {size_t{0}, size_t{1}, size_t{44}, size_t{200}, size_t{235}, size_t{239}}) {
    auto o = s.offer();
    o.resize(len);
    s.r.feed(l2Frame(ip(192, 168, 7, 1), 0xffffffff, o));
    s.expectUnmoved();
    s.r.feed(o, Source::Udp);
    s.expectUnmoved();
  }
}

TEST(cve_2021_26676_ack_shorter_than_bootp_header_is_dropped) {
  Selecting s;
  s.r.feed(l2Frame(ip(192, 168, 7, 1), 0xffffffff, s.offer()));
  REQUIRE(s.r.client.state() == State::Requesting);
  MessageBuilder b(BootReply, Ack, s.r.client.xid(), defaultConfig().mac.data(), 6);
  b.yiaddr(ip(192, 168, 7, 100)).optionU32(opt::ServerId, ip(192, 168, 7, 1));
  auto ack = b.build();
  ack.resize(100);
  s.r.feed(l2Frame(ip(192, 168, 7, 1), 0xffffffff, ack));
  CHECK(s.r.client.state() == State::Requesting);
  CHECK(s.r.events.empty());
  CHECK(s.r.loggedIgnoring());
}

TEST(cve_2021_26676_options_running_past_the_received_length_are_dropped) {
  Selecting s;
  // A DNS option claiming 200 bytes with 4 present, no End: the message is cut there.
  auto o = s.offer({opt::DnsServer, 200, 1, 2, 3, 4});
  o.resize(o.size() - (o.size() - (240 + 3 + 6 + 6 + 6)));  // drop padding and End
  s.r.feed(l2Frame(ip(192, 168, 7, 1), 0xffffffff, o));
  s.expectUnmoved();
  // A code with its length byte missing at the very end.
  auto p = s.offer();
  p.resize(240 + 3 + 6);
  p.push_back(opt::Router);
  s.r.feed(l2Frame(ip(192, 168, 7, 1), 0xffffffff, p));
  s.expectUnmoved();
  // Overloaded file whose option runs past the 128-byte field.
  MessageBuilder b(BootReply, Offer, s.r.client.xid(), defaultConfig().mac.data(), 6);
  std::vector<uint8_t> file(128, 0);
  file[126] = opt::DnsServer;
  file[127] = 8;
  b.yiaddr(ip(192, 168, 7, 100)).optionU32(opt::ServerId, ip(192, 168, 7, 1));
  b.optionU8(opt::Overload, 1).file(file);
  s.r.feed(l2Frame(ip(192, 168, 7, 1), 0xffffffff, b.build()));
  s.expectUnmoved();
}

TEST(cve_2023_28488_tot_len_below_ip_and_udp_headers_is_dropped) {
  Selecting s;
  for (size_t tot : {size_t{0}, size_t{20}, size_t{27}}) {
    auto f = l2Frame(ip(192, 168, 7, 1), 0xffffffff, s.offer());
    setTotLen(f, tot);
    s.r.feed(f);
    s.expectUnmoved();
    CHECK(s.r.logs.back().find("total length below") != std::string::npos);
  }
}

TEST(cve_2023_28488_tot_len_different_from_bytes_received_is_dropped) {
  Selecting s;
  auto good = l2Frame(ip(192, 168, 7, 1), 0xffffffff, s.offer());
  auto longer = good;
  setTotLen(longer, good.size() + 100);
  s.r.feed(longer);
  s.expectUnmoved();
  auto truncated = good;
  truncated.resize(good.size() - 50);  // tot_len still claims the full size
  s.r.feed(truncated);
  s.expectUnmoved();
  auto shorter = good;
  setTotLen(shorter, good.size() - 10);  // now disagrees with the UDP length
  s.r.feed(shorter);
  s.expectUnmoved();
  // Link-layer padding after a consistent datagram is not payload, and harmless.
  auto padded = good;
  padded.resize(good.size() + 18, 0);
  s.r.feed(padded);
  CHECK(s.r.client.state() == State::Requesting);
}

TEST(option_252_with_zero_length_gives_no_url_and_no_crash) {
  Rig r;
  r.server.options.push_back({opt::Wpad, {}});
  r.start();
  REQUIRE(r.events.size() == 1);
  CHECK(r.events[0].type == Event::Bound);
  CHECK(r.events[0].lease.wpadUrl.empty());
  // The option really went out empty: code 252, length 0.
  Message m;
  auto ack = r.server.handle(r.sent[1].payload.data(), r.sent[1].payload.size());
  REQUIRE(parseMessage(ack.data(), ack.size(), &m) == ParseError::None);
  CHECK(m.options.has(opt::Wpad));
  CHECK(m.options.get(opt::Wpad).empty());
}

TEST(cve_2012_2321_hostname_and_domain_with_shell_characters_are_refused) {
  Rig r;
  r.server.options = {{opt::Hostname, str("x;reboot")}, {opt::DomainName, str("$(id).lan")}};
  r.start();
  REQUIRE(r.events.size() == 1);
  CHECK(r.events[0].lease.hostname.empty());
  CHECK(r.events[0].lease.domainName.empty());
  CHECK(r.client.state() == State::Bound);
}

TEST(bad_checksums_are_dropped_unless_offloaded) {
  Selecting s;
  auto f = l2Frame(ip(192, 168, 7, 1), 0xffffffff, s.offer());
  auto badIp = f;
  badIp[10] ^= 0xff;
  s.r.feed(badIp);
  s.expectUnmoved();
  auto badUdp = f;
  badUdp[26] ^= 0xff;
  s.r.feed(badUdp);
  s.expectUnmoved();
  // TP_STATUS_CSUMNOTREADY: the kernel says the checksum was never filled in.
  s.r.apply(s.r.client.receive(s.r.now, Source::Packet, badUdp.data(), badUdp.size(), false));
  CHECK(s.r.client.state() == State::Requesting);
}

TEST(non_udp_wrong_port_and_fragments_are_dropped) {
  Selecting s;
  auto f = l2Frame(ip(192, 168, 7, 1), 0xffffffff, s.offer());
  auto tcp = f;
  tcp[9] = 6;
  s.r.feed(tcp);
  s.expectUnmoved();
  auto v6 = f;
  v6[0] = 0x65;
  s.r.feed(v6);
  s.expectUnmoved();
  auto frag = f;
  frag[6] = 0x20;  // MF
  s.r.feed(frag);
  s.expectUnmoved();
  auto port = sy::wire::buildIpv4Udp(ip(192, 168, 7, 1), 0xffffffff, 67, 67,
                                     s.offer().data(), s.offer().size());
  s.r.feed(port);
  s.expectUnmoved();
  auto ihl = f;
  ihl[0] = 0x4f;  // 60-byte header claimed
  s.r.feed(std::vector<uint8_t>(ihl.begin(), ihl.begin() + 40));
  s.expectUnmoved();
}

TEST(garbage_in_bound_state_leaves_the_lease_alone) {
  Rig r;
  r.start();
  REQUIRE(r.client.state() == State::Bound);
  Usec d = r.deadline;
  std::vector<uint8_t> junk(400, 0xa5);
  r.feed(junk);
  r.feed(junk, Source::Udp);
  CHECK(r.client.state() == State::Bound);
  CHECK_EQ(r.deadline, d);
  CHECK_EQ(r.events.size(), size_t{1});
}

TEST(l3_ack_of_minimal_length_is_accepted_while_renewing) {
  // ConnMan 49b16df3: its CVE-2021-26676 fix broke short, valid ACKs on the UDP path.
  Rig r;
  r.start();
  r.server.mode = TestServer::Mode::Silent;
  r.fire();  // T1: RENEWING
  REQUIRE(r.client.state() == State::Renewing);
  MessageBuilder b(BootReply, Ack, r.client.xid(), defaultConfig().mac.data(), 6);
  b.yiaddr(ip(192, 168, 7, 100)).optionU32(opt::ServerId, ip(192, 168, 7, 1));
  b.optionU32(opt::LeaseTime, 120);
  auto ack = b.build();
  ack.resize(240 + 3 + 6 + 6 + 1);  // no padding to 300: 256 bytes
  r.feed(ack, Source::Udp);
  CHECK(r.client.state() == State::Bound);
  CHECK(r.events.back().type == Event::Renewed);
  CHECK_EQ(r.events.back().lease.leaseTime, 120u);
}
