// SPDX-License-Identifier: Apache-2.0
#include "../../native/core/dns/name.h"
#include "dns-rig.h"
#include "harness.h"

using namespace sy::dns;
using dnstest::Bytes;
using dnstest::N;

static bool readAt(const Bytes& msg, size_t off, Name* n) {
  sy::wire::Reader r(msg.data(), msg.size());
  r.skip(off);
  return readName(msg.data(), msg.size(), r, n);
}

TEST(dns_name_reads_plain_and_compressed) {
  Bytes msg(12, 0);
  Name www = N("www.example.com");
  msg.insert(msg.end(), www.wire, www.wire + www.len);
  size_t second = msg.size();
  msg.insert(msg.end(), {3, 'f', 't', 'p', 0xc0, 16});  // ftp + pointer to "example.com"
  Name n;
  REQUIRE(readAt(msg, 12, &n));
  CHECK_EQ(n.toText(), std::string("www.example.com."));
  REQUIRE(readAt(msg, second, &n));
  CHECK_EQ(n.toText(), std::string("ftp.example.com."));
  sy::wire::Reader r(msg.data(), msg.size());
  r.skip(second);
  readName(msg.data(), msg.size(), r, &n);
  CHECK_EQ(r.offset(), msg.size());  // the reader stops after the pointer, not after the target
}

TEST(dns_name_refuses_loops_forward_pointers_and_overlong) {
  Bytes self(12, 0);
  self.insert(self.end(), {0xc0, 12});
  Name n;
  CHECK(!readAt(self, 12, &n));
  Bytes fwd(12, 0);
  fwd.insert(fwd.end(), {0xc0, 14, 0});
  CHECK(!readAt(fwd, 12, &n));
  Bytes two(12, 0);  // a -> b -> a
  two.insert(two.end(), {1, 'a', 0xc0, 16, 1, 'b', 0xc0, 12});
  CHECK(!readAt(two, 16, &n));
  Bytes longn(12, 0);
  for (int i = 0; i < 4; ++i) {
    longn.push_back(63);
    longn.insert(longn.end(), 63, 'x');
  }
  longn.push_back(0);
  CHECK(!readAt(longn, 12, &n));  // 257 bytes expanded
  Bytes edge(12, 0);
  for (int i = 0; i < 3; ++i) {
    edge.push_back(63);
    edge.insert(edge.end(), 63, 'x');
  }
  edge.push_back(61);
  edge.insert(edge.end(), 61, 'y');
  edge.push_back(0);
  CHECK(readAt(edge, 12, &n));  // exactly 255
  CHECK_EQ(static_cast<int>(n.len), 255);
  Bytes cut(12, 0);
  cut.insert(cut.end(), {5, 'a', 'b'});
  CHECK(!readAt(cut, 12, &n));
  Bytes ext(12, 0);
  ext.insert(ext.end(), {0x41, 0});
  CHECK(!readAt(ext, 12, &n));
}

TEST(dns_name_case_and_suffix) {
  CHECK(nameEquals(N("WWW.Example.COM"), N("www.example.com")));
  CHECK(nameUnder(N("a.corp.test"), N("corp.test")));
  CHECK(nameUnder(N("corp.test"), N("CORP.test")));
  CHECK(!nameUnder(N("xcorp.test"), N("corp.test")));
  CHECK(!nameUnder(N("test"), N("corp.test")));
  Name j;
  CHECK(nameConcat(N("host"), N("lab.test"), &j));
  CHECK_EQ(j.toText(), std::string("host.lab.test."));
  CHECK_EQ(N("host").labelCount(), 1);
  CHECK_EQ(N(".").labelCount(), 0);
  Name bad;
  CHECK(!nameFromText("a..b", &bad));
  CHECK(!nameFromText(std::string(64, 'a'), &bad));
}
