// SPDX-License-Identifier: Apache-2.0
#include "../../native/core/wire/checksum.h"
#include "../../native/core/wire/ipv4-udp.h"
#include "../../native/core/wire/reader.h"
#include "harness.h"

using namespace sy::wire;

TEST(reader_fails_instead_of_reading_past_the_end) {
  uint8_t b[3] = {1, 2, 3};
  Reader r(b, 3);
  CHECK_EQ(unsigned{r.be16()}, 0x0102u);
  CHECK(r.ok());
  CHECK_EQ(r.be32(), 0u);  // only one byte left
  CHECK(!r.ok());
  CHECK_EQ(unsigned{r.u8()}, 0u);  // latched: even the remaining byte is refused
  Reader s(b, 3);
  Span sp = s.span(4);
  CHECK(sp.data == nullptr);
  CHECK(!s.ok());
  Reader t(b, 3);
  Reader sub = t.sub(2);
  CHECK_EQ(sub.remaining(), size_t{2});
  CHECK_EQ(unsigned{t.u8()}, 3u);
  Reader u(nullptr, 10);
  CHECK_EQ(u.remaining(), size_t{0});
}

TEST(ipv4_header_checksum_matches_rfc1071_example) {
  // A well-known header (Wikipedia's IPv4 checksum example): checksum 0xb861.
  uint8_t h[20] = {0x45, 0x00, 0x00, 0x73, 0x00, 0x00, 0x40, 0x00, 0x40, 0x11,
                   0x00, 0x00, 0xc0, 0xa8, 0x00, 0x01, 0xc0, 0xa8, 0x00, 0xc7};
  CHECK_EQ(unsigned{ipv4HeaderChecksum(h, 20)}, 0xb861u);
  h[10] = 0xb8;
  h[11] = 0x61;
  CHECK_EQ(unsigned{ipv4HeaderChecksum(h, 20)}, 0u);
}

TEST(built_datagram_parses_back) {
  uint8_t payload[5] = {'h', 'e', 'l', 'l', 'o'};
  auto f = buildIpv4Udp(0x0a000001, 0xffffffff, 67, 68, payload, 5);
  UdpDatagram d;
  REQUIRE(parseIpv4Udp(f.data(), f.size(), 68, true, &d) == FrameError::None);
  CHECK_EQ(d.src, 0x0a000001u);
  CHECK_EQ(d.payload.size, size_t{5});
  CHECK_EQ(unsigned{d.payload.data[4]}, unsigned{'o'});
  CHECK(parseIpv4Udp(f.data(), f.size(), 67, true, &d) == FrameError::WrongPort);
  CHECK(parseIpv4Udp(f.data(), 27, 68, true, &d) == FrameError::TooShort);
}
