// SPDX-License-Identifier: Apache-2.0
// An in-process DHCPv6 server engine and a rig that wires a client engine to it on a
// fake clock: what the client sends goes to the server, the reply comes straight back.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "../../native/core/dhcp6/client.h"
#include "../../native/core/dhcp6/message.h"
#include "../../native/core/wire/writer.h"

namespace sytest6 {

using namespace sy::dhcp6;

inline Address addr6(std::initializer_list<uint16_t> groups) {
  Address a{};
  size_t i = 0;
  for (uint16_t g : groups) {
    if (i >= 16) break;
    a[i++] = static_cast<uint8_t>(g >> 8);
    a[i++] = static_cast<uint8_t>(g);
  }
  return a;
}

inline std::vector<uint8_t> be32b(uint32_t x) {
  return {static_cast<uint8_t>(x >> 24), static_cast<uint8_t>(x >> 16), static_cast<uint8_t>(x >> 8),
          static_cast<uint8_t>(x)};
}

inline void append(std::vector<uint8_t>& v, const std::vector<uint8_t>& w) { v.insert(v.end(), w.begin(), w.end()); }

class TestServer6 {
 public:
  enum class Mode { Answer, Silent, NoAddrs, NotOnLink, NoBinding };
  Mode mode = Mode::Answer;
  bool rapidCommit = false;  // honour the client's Rapid Commit
  int preference = -1;       // -1 = no Preference option
  std::vector<uint8_t> serverId = {0, 3, 0, 1, 0x02, 0xaa, 0xbb, 0xcc, 0xdd, 0xee};
  Address address = addr6({0x2001, 0xdb8, 1, 0, 0, 0, 0, 0x100});
  Address prefix = addr6({0x2001, 0xdb8, 0xff00});
  uint8_t prefixLength = 56;
  uint32_t t1 = 900, t2 = 1440, preferred = 1800, valid = 3600;
  uint32_t infoRefresh = 0;  // 0 = no option
  std::vector<Address> dns = {addr6({0x2001, 0xdb8, 1, 0, 0, 0, 0, 0x53})};
  std::vector<std::string> domains = {"lab6.test", "corp.example"};
  std::vector<uint8_t> raw;  // appended verbatim to every reply
  std::vector<Message> seen;

  std::vector<uint8_t> ia(uint16_t code, uint32_t iaid) const {
    std::vector<uint8_t> v = be32b(iaid);
    append(v, be32b(t1));
    append(v, be32b(t2));
    if (mode == Mode::NoAddrs) {
      append(v, encodeStatus(code == opt::IaNa ? NoAddrsAvail : NoPrefixAvail, "none left"));
    } else if (mode == Mode::NotOnLink && code == opt::IaNa) {
      append(v, encodeStatus(NotOnLink, "wrong link"));
    } else if (code == opt::IaNa) {
      std::vector<uint8_t> a(address.begin(), address.end());
      append(a, be32b(preferred));
      append(a, be32b(valid));
      append(v, encodeOption(opt::IaAddr, a));
    } else {
      std::vector<uint8_t> p = be32b(preferred);
      append(p, be32b(valid));
      p.push_back(prefixLength);
      p.insert(p.end(), prefix.begin(), prefix.end());
      append(v, encodeOption(opt::IaPrefix, p));
    }
    return encodeOption(code, v);
  }

  std::vector<uint8_t> handle(const uint8_t* p, size_t n) {
    Message m;
    if (parseMessage(p, n, &m) != ParseError::None) return {};
    seen.push_back(m);
    if (mode == Mode::Silent) return {};
    uint8_t type = Reply;
    if (m.type == Solicit) type = (rapidCommit && m.find(opt::RapidCommit)) ? Reply : Advertise;
    // RFC 8415 16.6: a server ignores a Request or Renew for another server.
    const Option* sid = m.find(opt::ServerId);
    if ((m.type == Request || m.type == Renew || m.type == Release) && (!sid || sid->data != serverId)) return {};
    MessageBuilder b(type, m.xid);
    if (const Option* c = m.find(opt::ClientId)) b.option(opt::ClientId, c->data);
    b.option(opt::ServerId, serverId);
    if (preference >= 0) b.option(opt::Preference, std::vector<uint8_t>{static_cast<uint8_t>(preference)});
    if (type == Reply && m.type == Solicit) b.option(opt::RapidCommit, nullptr, 0);
    std::vector<uint8_t> body;
    if (m.type == Confirm) {
      append(body, encodeStatus(mode == Mode::NotOnLink ? NotOnLink : Success, ""));
    } else if (m.type == Release) {
      append(body, encodeStatus(Success, "released"));
    } else if (m.type == InformationRequest) {
      if (infoRefresh) append(body, encodeOption(opt::InfoRefreshTime, be32b(infoRefresh)));
    } else {
      for (const Option& o : m.options) {
        if (o.code != opt::IaNa && o.code != opt::IaPd) continue;
        if (o.data.size() < 4) continue;
        uint32_t iaid = (uint32_t{o.data[0]} << 24) | (uint32_t{o.data[1]} << 16) | (uint32_t{o.data[2]} << 8) | o.data[3];
        if (mode == Mode::NoBinding && (m.type == Renew || m.type == Rebind)) {
          std::vector<uint8_t> v = be32b(iaid);
          append(v, be32b(0));
          append(v, be32b(0));
          append(v, encodeStatus(NoBinding, "forgot you"));
          append(body, encodeOption(o.code, v));
        } else {
          append(body, ia(o.code, iaid));
        }
      }
    }
    if (m.type != Confirm && m.type != Release) {
      std::vector<uint8_t> d;
      for (const Address& a : dns) d.insert(d.end(), a.begin(), a.end());
      if (!d.empty()) append(body, encodeOption(opt::DnsServers, d));
      if (!domains.empty()) append(body, encodeOption(opt::DomainList, encodeDomainList(domains)));
      std::vector<uint8_t> ntp = encodeOption(1, std::vector<uint8_t>(dns[0].begin(), dns[0].end()));
      append(ntp, encodeOption(3, encodeDomainList({"ntp.lab6.test"})));
      append(body, encodeOption(opt::NtpServer, ntp));
    }
    b.raw(body).raw(raw);
    return b.build();
  }
};

struct Rng {
  uint64_t s;
  uint32_t operator()() {
    uint64_t z = (s += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return static_cast<uint32_t>((z ^ (z >> 31)) >> 16);
  }
};

inline ClientConfig defaultConfig6() {
  ClientConfig c;
  c.mac = {0x02, 0x00, 0x5e, 0x10, 0x20, 0x30};
  return c;
}

struct Rig6 {
  TestServer6 server;
  Usec now = 1000 * kSecond;
  Usec deadline = 0;
  std::vector<Transmit> sent;
  std::vector<Usec> sentAt;
  std::vector<Event> events;
  std::vector<std::string> logs;
  Client client;

  explicit Rig6(ClientConfig cfg = defaultConfig6(), uint64_t seed = 1)
      : client(cfg, Rng{seed}, [this](const char* l) { logs.push_back(l); }) {}

  void apply(Actions a) {
    deadline = a.deadline;
    for (auto& e : a.events) events.push_back(e);
    for (auto& t : a.transmits) {
      sent.push_back(t);
      sentAt.push_back(now);
      std::vector<uint8_t> reply = server.handle(t.payload.data(), t.payload.size());
      if (!reply.empty()) apply(client.receive(now, reply.data(), reply.size()));
    }
  }
  void start() { apply(client.start(now)); }
  void fire() {
    if (deadline > now) now = deadline;
    apply(client.timeout(now));
  }
  // Fire deadlines until the client reaches s (or n steps pass).
  bool runUntil(State s, int n = 50) {
    for (int i = 0; i < n && client.state() != s; i++) fire();
    return client.state() == s;
  }
  void feed(const std::vector<uint8_t>& m) { apply(client.receive(now, m.data(), m.size())); }
  Message lastSent() const {
    Message m;
    if (!sent.empty()) parseMessage(sent.back().payload.data(), sent.back().payload.size(), &m);
    return m;
  }
  bool loggedIgnoring() const {
    return !logs.empty() && logs.back().find("ignoring") != std::string::npos;
  }
  size_t countSent(uint8_t type) const {
    size_t n = 0;
    for (const auto& t : sent) n += t.type == type;
    return n;
  }
};

}  // namespace sytest6
