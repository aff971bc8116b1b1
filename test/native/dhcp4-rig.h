// SPDX-License-Identifier: Apache-2.0
// An in-process DHCP server engine and a rig that wires a client engine to it on a
// fake clock (the style of ell's unit/test-dhcp.c): what the client sends goes to
// the server, the server's reply goes back as an L2 frame (broadcast path) or a
// bare UDP payload (unicast path).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "../../native/core/dhcp4/client.h"
#include "../../native/core/dhcp4/message.h"
#include "../../native/core/wire/checksum.h"
#include "../../native/core/wire/ipv4-udp.h"

namespace sytest {

using namespace sy::dhcp4;

constexpr uint32_t ip(unsigned a, unsigned b, unsigned c, unsigned d) {
  return (a << 24) | (b << 16) | (c << 8) | d;
}

inline std::vector<uint8_t> be32v(std::initializer_list<uint32_t> xs) {
  std::vector<uint8_t> v;
  for (uint32_t x : xs)
    for (int s = 24; s >= 0; s -= 8) v.push_back(static_cast<uint8_t>(x >> s));
  return v;
}
inline std::vector<uint8_t> str(const std::string& s) { return {s.begin(), s.end()}; }

struct ServerOption {
  uint8_t code;
  std::vector<uint8_t> data;
};

class TestServer {
 public:
  enum class Mode { Answer, Silent, Nak };
  Mode mode = Mode::Answer;
  uint32_t serverId = ip(192, 168, 7, 1);
  uint32_t pool = ip(192, 168, 7, 100);
  uint32_t leaseTime = 3600;
  std::vector<ServerOption> options = {
      {opt::SubnetMask, be32v({ip(255, 255, 255, 0)})},
      {opt::Router, be32v({ip(192, 168, 7, 1)})},
      {opt::DnsServer, be32v({ip(192, 168, 7, 53), ip(9, 9, 9, 9)})},
      {opt::DomainName, str("lan.example")},
  };
  std::vector<uint8_t> rawOptions;  // appended verbatim after the options above
  std::vector<uint8_t> file, sname;
  std::vector<Message> seen;

  std::vector<uint8_t> handle(const uint8_t* p, size_t n) {
    Message m;
    if (parseMessage(p, n, &m) != ParseError::None) return {};
    seen.push_back(m);
    if (mode == Mode::Silent) return {};
    uint8_t type = 0;
    if (m.type == Discover) type = Offer;
    if (m.type == Request) {
      type = mode == Mode::Nak ? Nak : Ack;
      const auto& req = m.options.get(opt::RequestedAddress);
      if (req.size() == 4 && be32v({pool}) != req) type = Nak;
    }
    if (type == 0) return {};
    MessageBuilder b(BootReply, type, m.xid, m.chaddr.data(), 6);
    b.optionU32(opt::ServerId, serverId);
    if (type == Nak) return b.build();
    b.yiaddr(pool);
    b.optionU32(opt::LeaseTime, leaseTime);
    for (const auto& o : options) b.option(o.code, o.data);
    b.rawOptions(rawOptions);
    b.file(file).sname(sname);
    return b.build();
  }
};

inline std::vector<uint8_t> l2Frame(uint32_t src, uint32_t dst, const std::vector<uint8_t>& bootp) {
  return sy::wire::buildIpv4Udp(src, dst, kServerPort, kClientPort, bootp.data(), bootp.size());
}

struct Rng {
  uint64_t s;
  uint32_t operator()() {
    // splitmix64: deterministic per seed, so every run sees the same xids and jitter.
    uint64_t z = (s += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return static_cast<uint32_t>((z ^ (z >> 31)) >> 16);
  }
};

inline ClientConfig defaultConfig() {
  ClientConfig c;
  c.mac = {0x02, 0x00, 0x5e, 0x10, 0x20, 0x30};
  c.hostname = "sy-test";
  c.vendorClass = "switchyard";
  return c;
}

struct Rig {
  TestServer server;
  Usec now = 1000 * kSecond;
  Usec deadline = 0;
  std::vector<Transmit> sent;
  std::vector<Event> events;
  std::vector<std::string> logs;
  Client client;

  explicit Rig(ClientConfig cfg = defaultConfig(), uint64_t seed = 1)
      : client(cfg, Rng{seed}, [this](const char* l) { logs.push_back(l); }) {}

  void apply(Actions a) {
    deadline = a.deadline;
    for (auto& e : a.events) events.push_back(e);
    for (auto& t : a.transmits) {
      sent.push_back(t);
      std::vector<uint8_t> reply = server.handle(t.payload.data(), t.payload.size());
      if (reply.empty()) continue;
      if (t.via == Transmit::Broadcast) {
        // dnsmasq's habit: unicast at L2 to chaddr with the offered address as IP dst.
        auto f = l2Frame(server.serverId, server.pool, reply);
        apply(client.receive(now, Source::Packet, f.data(), f.size()));
      } else {
        apply(client.receive(now, Source::Udp, reply.data(), reply.size()));
      }
    }
  }
  void start() { apply(client.start(now)); }
  void fire() {
    now = deadline;
    apply(client.timeout(now));
  }
  void feed(const std::vector<uint8_t>& frame, Source src = Source::Packet) {
    apply(client.receive(now, src, frame.data(), frame.size()));
  }
  Message lastSent() const {
    Message m;
    if (!sent.empty()) parseMessage(sent.back().payload.data(), sent.back().payload.size(), &m);
    return m;
  }
  bool loggedIgnoring() const {
    return !logs.empty() && logs.back().find("ignoring") != std::string::npos;
  }
};

}  // namespace sytest
