// SPDX-License-Identifier: Apache-2.0
// DHCPv6 parsing: lengths from the wire against the bytes received (CVE-2012-2322),
// encapsulated options, domain lists.
#include <algorithm>

#include "dhcp6-rig.h"
#include "harness.h"

using namespace sytest6;

namespace {

std::vector<uint8_t> header(uint8_t type, uint32_t xid) {
  return {type, static_cast<uint8_t>(xid >> 16), static_cast<uint8_t>(xid >> 8), static_cast<uint8_t>(xid)};
}

}  // namespace

TEST(dhcp6_parse_header_and_options) {
  MessageBuilder b(Reply, 0xabcdef);
  b.optionU16(opt::ElapsedTime, 7).option(opt::RapidCommit, nullptr, 0);
  Message m;
  std::vector<uint8_t> v = b.build();
  REQUIRE(parseMessage(v.data(), v.size(), &m) == ParseError::None);
  CHECK_EQ(unsigned{m.type}, unsigned{Reply});
  CHECK_EQ(m.xid, 0xabcdefu);
  CHECK_EQ(m.options.size(), size_t{2});
  CHECK(m.find(opt::RapidCommit) != nullptr);
  CHECK(m.find(opt::RapidCommit)->data.empty());
}

TEST(dhcp6_parse_too_short) {
  uint8_t three[3] = {7, 0, 0};
  Message m;
  CHECK(parseMessage(three, 3, &m) == ParseError::TooShort);
  CHECK(parseMessage(nullptr, 0, &m) == ParseError::TooShort);
}

// CVE-2012-2322: gdhcp's dhcpv6_get_option trusted the option length; a length past
// the end, or one large enough to wrap the pointer arithmetic, looped or crashed.
TEST(dhcp6_cve_2012_2322_option_length_past_the_end) {
  std::vector<uint8_t> v = header(Reply, 1);
  v.insert(v.end(), {0, opt::DnsServers, 0x00, 0x20, 0x20, 0x01});  // says 32, has 2
  Message m;
  CHECK(parseMessage(v.data(), v.size(), &m) == ParseError::OptionTruncated);
}

TEST(dhcp6_cve_2012_2322_option_length_ffff_wrap) {
  std::vector<uint8_t> v = header(Reply, 1);
  v.insert(v.end(), {0, opt::ServerId, 0xff, 0xff, 1, 2, 3, 4});
  Message m;
  CHECK(parseMessage(v.data(), v.size(), &m) == ParseError::OptionTruncated);
  // A header cut in half is as bad as a long length.
  std::vector<uint8_t> w = header(Reply, 1);
  w.insert(w.end(), {0, 1, 0});
  CHECK(parseMessage(w.data(), w.size(), &m) == ParseError::OptionTruncated);
}

TEST(dhcp6_cve_2012_2322_nested_ia_option_past_the_end) {
  // A well-formed outer IA_NA whose IAADDR claims more than the IA holds.
  std::vector<uint8_t> ia = be32b(0x5e102030);
  append(ia, be32b(10));
  append(ia, be32b(20));
  ia.insert(ia.end(), {0, opt::IaAddr, 0xff, 0xf0, 0x20, 0x01, 0x0d, 0xb8});
  MessageBuilder b(Reply, 1);
  b.option(opt::ClientId, std::vector<uint8_t>{0, 3, 0, 1, 2, 0, 0x5e, 0x10, 0x20, 0x30});
  b.option(opt::ServerId, std::vector<uint8_t>{0, 3, 0, 1, 2, 2, 2, 2, 2, 2});
  b.option(opt::IaNa, ia);
  Message m;
  std::vector<uint8_t> v = b.build();
  REQUIRE(parseMessage(v.data(), v.size(), &m) == ParseError::None);
  Lease l;
  const char* why = "";
  REQUIRE(decodeServerMessage(m, 0x5e102030, 0x5e102030, &l, &why));
  CHECK(!l.na.present);
  CHECK(l.na.addresses.empty());
}

TEST(dhcp6_cve_2012_2322_client_survives_and_ignores) {
  Rig6 r;
  r.server.mode = TestServer6::Mode::Silent;
  r.start();
  if (r.sent.empty()) r.fire();
  uint32_t x = r.client.xid();
  std::vector<uint8_t> v = header(Reply, x);
  v.insert(v.end(), {0, opt::ClientId, 0xff, 0xfe, 0});
  r.feed(v);
  CHECK(r.loggedIgnoring());
  CHECK(r.client.state() == State::Soliciting);
}

TEST(dhcp6_domain_list_rejects_compression_and_bad_bytes) {
  std::vector<std::string> out;
  std::vector<uint8_t> good = encodeDomainList({"a.example", "b.example"});
  REQUIRE(decodeDomainList(good.data(), good.size(), &out));
  CHECK_EQ(out.size(), size_t{2});
  CHECK_EQ(out[1], std::string("b.example"));
  std::vector<uint8_t> ptr = {1, 'a', 0xc0, 0x00};
  CHECK(!decodeDomainList(ptr.data(), ptr.size(), &out));
  // CVE-2012-2321's class: shell metacharacters never become a search domain.
  std::vector<uint8_t> evil = {5, 'a', ';', 'r', 'm', ' ', 0};
  CHECK(!decodeDomainList(evil.data(), evil.size(), &out));
  std::vector<uint8_t> unterminated = {3, 'a', 'b', 'c'};
  CHECK(!decodeDomainList(unterminated.data(), unterminated.size(), &out));
  std::vector<uint8_t> longLabel = {64};
  longLabel.resize(66, 'a');
  CHECK(!decodeDomainList(longLabel.data(), longLabel.size(), &out));
}

TEST(dhcp6_malformed_options_are_dropped_one_by_one) {
  MessageBuilder b(Reply, 1);
  b.option(opt::ServerId, std::vector<uint8_t>{0, 3, 0, 1, 2, 2, 2, 2, 2, 2});
  b.option(opt::DnsServers, std::vector<uint8_t>(17, 1));  // ragged: dropped
  b.option(opt::DomainList, encodeDomainList({"ok.example"}));
  b.option(opt::InfoRefreshTime, std::vector<uint8_t>{1, 2});  // short: dropped
  Message m;
  std::vector<uint8_t> v = b.build();
  REQUIRE(parseMessage(v.data(), v.size(), &m) == ParseError::None);
  Lease l;
  const char* why = "";
  REQUIRE(decodeServerMessage(m, 1, 1, &l, &why));
  CHECK(l.dns.empty());
  CHECK_EQ(l.domains.size(), size_t{1});
  CHECK_EQ(l.infoRefresh, 0u);
}

TEST(dhcp6_address_with_preferred_above_valid_is_discarded) {
  TestServer6 s;
  s.preferred = 4000;
  s.valid = 3000;
  MessageBuilder b(Reply, 1);
  b.option(opt::ServerId, s.serverId).raw(s.ia(opt::IaNa, 9));
  Message m;
  std::vector<uint8_t> v = b.build();
  REQUIRE(parseMessage(v.data(), v.size(), &m) == ParseError::None);
  Lease l;
  const char* why = "";
  REQUIRE(decodeServerMessage(m, 9, 9, &l, &why));
  CHECK(l.na.present);
  CHECK(l.na.addresses.empty());
}

TEST(dhcp6_two_server_ids_is_no_server) {
  MessageBuilder b(Reply, 1);
  b.option(opt::ServerId, std::vector<uint8_t>{1}).option(opt::ServerId, std::vector<uint8_t>{2});
  Message m;
  std::vector<uint8_t> v = b.build();
  REQUIRE(parseMessage(v.data(), v.size(), &m) == ParseError::None);
  Lease l;
  const char* why = "";
  CHECK(!decodeServerMessage(m, 1, 1, &l, &why));
}

TEST(dhcp6_domain_names_stop_at_255_octets_with_the_root) {
  // Fuzzer finding: a 254-character name was let through. 253 characters is the limit.
  auto nameOf = [](size_t chars) {
    std::string s;
    while (s.size() < chars) {
      if (!s.empty()) s += '.';
      s += std::string(std::min<size_t>(63, chars - s.size()), 'a');
    }
    return s;
  };
  std::vector<std::string> out;
  std::string ok = nameOf(253);
  REQUIRE(ok.size() == 253);
  std::vector<uint8_t> v = encodeDomainList({ok});
  CHECK_EQ(v.size(), size_t{255});
  CHECK(decodeDomainList(v.data(), v.size(), &out));
  std::string tooLong = nameOf(254);
  if (tooLong.back() == '.') tooLong += 'a';
  std::vector<uint8_t> w = encodeDomainList({tooLong});
  CHECK(w.size() > 255);
  CHECK(!decodeDomainList(w.data(), w.size(), &out));
}
