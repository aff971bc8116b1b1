// SPDX-License-Identifier: Apache-2.0
// RTM_NEWNDUSEROPT and AF_INET6 RTM_NEWLINK payloads as the kernel builds them:
// RDNSS / DNSSL with lifetimes, the RA M/O flags, and malformed lengths refused.
#include <cstring>

#include "../../native/core/dhcp6/nd-useropt.h"
#include "dhcp6-rig.h"
#include "harness.h"

using namespace sytest6;

namespace {

void host16(std::vector<uint8_t>& v, uint16_t x) {
  uint8_t b[2];
  std::memcpy(b, &x, 2);
  v.insert(v.end(), b, b + 2);
}
void host32(std::vector<uint8_t>& v, uint32_t x) {
  uint8_t b[4];
  std::memcpy(b, &x, 4);
  v.insert(v.end(), b, b + 4);
}

// struct nduseroptmsg + options + NDUSEROPT_SRCADDR, as ndisc_ra_useropt() sends it.
std::vector<uint8_t> userOpt(int ifindex, const std::vector<uint8_t>& opts, bool withRouter = true) {
  std::vector<uint8_t> v = {10, 0};
  host16(v, static_cast<uint16_t>(opts.size()));
  host32(v, static_cast<uint32_t>(ifindex));
  v.insert(v.end(), {134, 0, 0, 0, 0, 0, 0, 0});
  append(v, opts);
  if (withRouter) {
    host16(v, 20);
    host16(v, 1);
    Address r = addr6({0xfe80, 0, 0, 0, 0, 0, 0, 1});
    v.insert(v.end(), r.begin(), r.end());
  }
  return v;
}

std::vector<uint8_t> rdnss(uint32_t lifetime, std::vector<Address> servers) {
  std::vector<uint8_t> v = {kNdOptRdnss, static_cast<uint8_t>(1 + 2 * servers.size()), 0, 0};
  append(v, be32b(lifetime));
  for (const Address& a : servers) v.insert(v.end(), a.begin(), a.end());
  return v;
}

std::vector<uint8_t> dnssl(uint32_t lifetime, const std::vector<std::string>& names) {
  std::vector<uint8_t> body = encodeDomainList(names);
  size_t total = 8 + body.size();
  total = (total + 7) / 8 * 8;
  std::vector<uint8_t> v = {kNdOptDnssl, static_cast<uint8_t>(total / 8), 0, 0};
  append(v, be32b(lifetime));
  append(v, body);
  v.resize(total, 0);
  return v;
}

}  // namespace

TEST(ndopt_rdnss_with_lifetime_and_router) {
  Address a = addr6({0x2001, 0xdb8, 0, 0, 0, 0, 0, 0x53}), b = addr6({0x2001, 0xdb8, 0, 0, 0, 0, 0, 0x54});
  std::vector<uint8_t> m = userOpt(7, rdnss(600, {a, b}));
  NdUserOption o;
  const char* why = "";
  REQUIRE(parseNdUserOpt(m.data(), m.size(), &o, &why));
  CHECK_EQ(o.ifindex, 7);
  CHECK(o.rdnss);
  CHECK(!o.dnssl);
  CHECK_EQ(o.rdnssLifetime, 600u);
  REQUIRE(o.servers.size() == 2);
  CHECK(o.servers[1] == b);
  CHECK(o.haveRouter);
  CHECK_EQ(unsigned{o.router[0]}, 0xfeu);
}

TEST(ndopt_dnssl_with_lifetime_and_padding) {
  std::vector<uint8_t> m = userOpt(3, dnssl(1200, {"lab6.test", "corp.example"}));
  NdUserOption o;
  const char* why = "";
  REQUIRE(parseNdUserOpt(m.data(), m.size(), &o, &why));
  CHECK(o.dnssl);
  CHECK_EQ(o.dnsslLifetime, 1200u);
  REQUIRE(o.domains.size() == 2);
  CHECK_EQ(o.domains[0], std::string("lab6.test"));
  CHECK_EQ(o.domains[1], std::string("corp.example"));
}

TEST(ndopt_zero_lifetime_is_reported_as_a_withdrawal) {
  std::vector<uint8_t> m = userOpt(3, rdnss(0, {addr6({0x2001, 0xdb8})}), false);
  NdUserOption o;
  const char* why = "";
  REQUIRE(parseNdUserOpt(m.data(), m.size(), &o, &why));
  CHECK_EQ(o.rdnssLifetime, 0u);
  CHECK(!o.haveRouter);
}

TEST(ndopt_malformed_lengths_are_refused) {
  NdUserOption o;
  const char* why = "";
  // opts_len past the message.
  std::vector<uint8_t> m = userOpt(3, rdnss(60, {addr6({0x2001})}), false);
  m[2] = 0xff;
  m[3] = 0x0f;
  CHECK(!parseNdUserOpt(m.data(), m.size(), &o, &why));
  // An ND option of length 0 (RFC 4861 4.6) would loop forever if trusted.
  std::vector<uint8_t> zero = {kNdOptRdnss, 0, 0, 0, 0, 0, 0, 0};
  m = userOpt(3, zero);
  CHECK(!parseNdUserOpt(m.data(), m.size(), &o, &why));
  // The option's own length past opts_len.
  std::vector<uint8_t> longer = rdnss(60, {addr6({0x2001})});
  longer[1] = 9;
  m = userOpt(3, longer);
  CHECK(!parseNdUserOpt(m.data(), m.size(), &o, &why));
  // RDNSS with a ragged address list (length 2: 8 bytes of addresses).
  std::vector<uint8_t> ragged = {kNdOptRdnss, 2, 0, 0, 0, 0, 0, 60, 1, 2, 3, 4, 5, 6, 7, 8};
  m = userOpt(3, ragged);
  CHECK(!parseNdUserOpt(m.data(), m.size(), &o, &why));
  // DNSSL with a compression pointer or shell metacharacters.
  std::vector<uint8_t> ptr = {kNdOptDnssl, 2, 0, 0, 0, 0, 0, 60, 1, 'a', 0xc0, 0, 0, 0, 0, 0};
  m = userOpt(3, ptr);
  CHECK(!parseNdUserOpt(m.data(), m.size(), &o, &why));
  std::vector<uint8_t> evil = {kNdOptDnssl, 2, 0, 0, 0, 0, 0, 60, 3, 'a', ';', 'b', 0, 0, 0, 0};
  m = userOpt(3, evil);
  CHECK(!parseNdUserOpt(m.data(), m.size(), &o, &why));
  // Shorter than the header.
  CHECK(!parseNdUserOpt(m.data(), 15, &o, &why));
}

TEST(ndopt_inet6_link_flags_managed_and_other) {
  // ifinfomsg, then IFLA_PROTINFO { IFLA_INET6_FLAGS u32 }, after an unrelated attribute.
  std::vector<uint8_t> v = {10, 0};
  host16(v, 1);
  host32(v, 4);
  host32(v, 0);
  host32(v, 0);
  host16(v, 5);  // IFLA_MTU-ish attribute with a 1-byte payload and padding
  host16(v, 4);
  v.insert(v.end(), {9, 0, 0, 0});
  host16(v, 12);
  host16(v, 12 | 0x8000);  // NLA_F_NESTED
  host16(v, 8);
  host16(v, 1);
  host32(v, kRaManaged | kRaOtherConf | kRaReceived | 0x80000000u);
  int ifindex = 0;
  uint32_t flags = 0;
  REQUIRE(parseInet6LinkFlags(v.data(), v.size(), &ifindex, &flags));
  CHECK_EQ(ifindex, 4);
  CHECK((flags & kRaManaged) != 0);
  CHECK((flags & kRaOtherConf) != 0);
  // Cut inside the nested attribute: refused, nothing read past the end.
  CHECK(!parseInet6LinkFlags(v.data(), v.size() - 2, &ifindex, &flags));
  // An AF_UNSPEC link message is not ours.
  v[0] = 0;
  CHECK(!parseInet6LinkFlags(v.data(), v.size(), &ifindex, &flags));
}
