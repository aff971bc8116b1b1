// SPDX-License-Identifier: Apache-2.0
// The ARP engines' transport: one AF_PACKET/SOCK_DGRAM socket for ETH_P_ARP on the
// interface (every frame goes to the broadcast address, as RFC 5227 asks) and a
// CLOCK_BOOTTIME timerfd, behind one epoll fd. Every decision is the engine's.
#include "arp-runner.h"

#include <arpa/inet.h>
#include <errno.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <sys/socket.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "../core/acd/acd.h"
#include "../core/ipv4ll/ipv4ll.h"
#include "engine-loop.h"

namespace sy::io {

namespace {

std::string dotted(uint32_t a) {
  char b[16];
  std::snprintf(b, sizeof b, "%u.%u.%u.%u", a >> 24, (a >> 16) & 0xff, (a >> 8) & 0xff, a & 0xff);
  return b;
}

std::string macText(const acd::Mac& m) {
  char b[18];
  std::snprintf(b, sizeof b, "%02x:%02x:%02x:%02x:%02x:%02x", m[0], m[1], m[2], m[3], m[4], m[5]);
  return b;
}

enum Tag : uint32_t { kTagPacket = 1 };

}  // namespace

struct ArpRunner::Impl {
  Kind kind;
  ArpConfig config;
  EngineLoop loop;
  int packetFd = -1;  // owned by the loop
  uint64_t seed = 0;
  bool debug = false;
  acd::Engine acd;
  ipv4ll::Client ll;
  std::vector<ArpEventOut> events;
  uint8_t buf[1500];

  Impl(Kind k, const ArpConfig& c, uint64_t s)
      : kind(k), config(c), seed(s), debug(std::getenv("SY_DEBUG_ACD") != nullptr),
        acd(c.mac, [this] { return NextRandom(&seed); },
            [this](const char* l) { log(l); }),
        ll(c.mac, [this] { return NextRandom(&seed); },
           [this](const char* l) { log(l); }) {}

  void log(const char* line) {
    if (debug) std::fprintf(stderr, "arp[%s]: %s\n", config.ifname.c_str(), line);
  }

  void send(const std::vector<uint8_t>& arp) {
    sockaddr_ll to{};
    to.sll_family = AF_PACKET;
    to.sll_protocol = htons(ETH_P_ARP);
    to.sll_ifindex = config.ifindex;
    to.sll_halen = 6;
    std::memset(to.sll_addr, 0xff, 6);
    if (sendto(packetFd, arp.data(), arp.size(), 0, reinterpret_cast<sockaddr*>(&to), sizeof to) < 0) {
      char m[96];
      std::snprintf(m, sizeof m, "ARP send failed: %s", std::strerror(errno));
      log(m);  // the engine's timers go on; a missing link shows up as a netlink event
    }
  }

  void apply(acd::Actions a) {
    for (const auto& t : a.transmits) send(t);
    for (const acd::Event& e : a.events) {
      const char* type = e.type == acd::Event::Available ? "available"
                         : e.type == acd::Event::Conflict ? "conflict" : "defended";
      events.push_back({type, dotted(e.address),
                        e.type == acd::Event::Available ? std::string() : macText(e.other)});
    }
    loop.arm(a.deadline);
  }

  void apply(ipv4ll::Actions a) {
    for (const auto& t : a.transmits) send(t);
    for (const ipv4ll::Event& e : a.events)
      events.push_back({e.type == ipv4ll::Event::Bound ? "bound" : "lost", dotted(e.address), {}});
    loop.arm(a.deadline);
  }

  void onTimer(acd::Usec now) {
    if (kind == Kind::Acd) apply(acd.timeout(now));
    else apply(ll.timeout(now));
  }

  void drain() {
    for (int i = 0; i < 64; i++) {
      sockaddr_ll from{};
      socklen_t fl = sizeof from;
      ssize_t n = recvfrom(packetFd, buf, sizeof buf, MSG_DONTWAIT, reinterpret_cast<sockaddr*>(&from), &fl);
      if (n < 0) return;
      if (from.sll_pkttype == PACKET_OUTGOING) continue;
      acd::Usec now = BoottimeUsec();
      if (kind == Kind::Acd) apply(acd.receive(now, buf, static_cast<size_t>(n)));
      else apply(ll.receive(now, buf, static_cast<size_t>(n)));
    }
  }

  bool open(std::string* err) {
    packetFd = loop.own(socket(AF_PACKET, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, htons(ETH_P_ARP)));
    if (packetFd < 0) return Fail(err, "ARP packet socket");
    sockaddr_ll ll{};
    ll.sll_family = AF_PACKET;
    ll.sll_protocol = htons(ETH_P_ARP);
    ll.sll_ifindex = config.ifindex;
    if (bind(packetFd, reinterpret_cast<sockaddr*>(&ll), sizeof ll) < 0) return Fail(err, "bind ARP socket");
    return loop.open(err) && loop.watch(packetFd, kTagPacket, err);
  }

  void dispatch() {
    loop.dispatch([this](acd::Usec now) { onTimer(now); }, [this](uint32_t) { drain(); });
  }
};

std::unique_ptr<ArpRunner> ArpRunner::Create(Kind kind, const ArpConfig& c, std::string* err) {
  if (!ValidInterface(c.ifindex, c.ifname, err)) return nullptr;
  auto impl = std::make_unique<Impl>(kind, c, EngineSeed(c.mac));
  if (!impl->open(err)) return nullptr;
  return std::unique_ptr<ArpRunner>(new ArpRunner(std::move(impl)));
}

ArpRunner::ArpRunner(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
ArpRunner::~ArpRunner() = default;

int ArpRunner::fd() const { return impl_->loop.fd(); }

void ArpRunner::start(uint32_t address) {
  acd::Usec now = BoottimeUsec();
  if (impl_->kind == Kind::Acd) impl_->apply(impl_->acd.start(now, address));
  else impl_->apply(impl_->ll.start(now, address));
}

void ArpRunner::stop() {
  acd::Usec now = BoottimeUsec();
  if (impl_->kind == Kind::Acd) impl_->apply(impl_->acd.stop(now));
  else impl_->apply(impl_->ll.stop(now));
}

void ArpRunner::dispatch() { impl_->dispatch(); }

std::vector<ArpEventOut> ArpRunner::popEvents() {
  std::vector<ArpEventOut> out;
  out.swap(impl_->events);
  return out;
}

const char* ArpRunner::stateName() const {
  return impl_->kind == Kind::Acd ? acd::stateName(impl_->acd.state()) : ipv4ll::stateName(impl_->ll.state());
}

}  // namespace sy::io
