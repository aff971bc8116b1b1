// SPDX-License-Identifier: Apache-2.0
// The DHCPv6 engine's transports: one UDP socket on [::]:546 bound to the interface
// (replies come unicast to our link-local address, RFC 8415 18.3), sends to
// ff02::1:2 port 547 leaving through that interface, and a CLOCK_BOOTTIME timerfd,
// behind one epoll fd. Every decision is the engine's; this file only moves bytes.
#include "dhcp6-runner.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "../core/dhcp6/client.h"
#include "engine-loop.h"

namespace sy::io {

namespace {

std::string text(const dhcp6::Address& a) {
  char b[INET6_ADDRSTRLEN];
  inet_ntop(AF_INET6, a.data(), b, sizeof b);
  return b;
}

std::string hex(const std::vector<uint8_t>& v) {
  static const char d[] = "0123456789abcdef";
  std::string s;
  for (uint8_t b : v) {
    s += d[b >> 4];
    s += d[b & 15];
  }
  return s;
}

Dhcp6LeaseOut toLeaseOut(const dhcp6::Lease& l) {
  Dhcp6LeaseOut o;
  o.serverId = hex(l.serverId);
  for (const auto& a : l.na.addresses) o.addresses.push_back({text(a.address), 128, a.preferred, a.valid});
  for (const auto& p : l.pd.prefixes) o.prefixes.push_back({text(p.prefix), p.length, p.preferred, p.valid});
  for (const auto& a : l.dns) o.dns.push_back(text(a));
  o.domains = l.domains;
  for (const auto& a : l.ntp) o.ntp.push_back(text(a));
  o.ntp.insert(o.ntp.end(), l.ntpNames.begin(), l.ntpNames.end());
  for (const auto& a : l.sntp) o.sntp.push_back(text(a));
  o.t1 = l.t1;
  o.t2 = l.t2;
  o.infoRefresh = l.infoRefresh;
  return o;
}

Dhcp6EventOut::Type toType(dhcp6::Event::Type t) {
  switch (t) {
    case dhcp6::Event::Bound: return Dhcp6EventOut::Bound;
    case dhcp6::Event::Renewed: return Dhcp6EventOut::Renewed;
    case dhcp6::Event::Info: return Dhcp6EventOut::Info;
    case dhcp6::Event::Expired: return Dhcp6EventOut::Expired;
    case dhcp6::Event::Stopped: return Dhcp6EventOut::Stopped;
  }
  return Dhcp6EventOut::Stopped;
}

enum Tag : uint32_t { kTagUdp = 1 };

}  // namespace

struct Dhcp6Runner::Impl {
  Dhcp6Config config;
  EngineLoop loop;
  int udpFd = -1;  // owned by the loop
  uint64_t seed = 0;
  bool debug = false;
  dhcp6::Client engine;
  std::vector<Dhcp6EventOut> events;
  std::vector<uint8_t> buf = std::vector<uint8_t>(65536);

  Impl(const Dhcp6Config& c, dhcp6::ClientConfig ec, uint64_t s)
      : config(c), seed(s), debug(std::getenv("SY_DEBUG_DHCP6") != nullptr),
        engine(std::move(ec), [this] { return NextRandom(&seed); },
               [this](const char* line) { log(line); }) {}

  void log(const char* line) {
    if (debug) std::fprintf(stderr, "dhcp6[%s]: %s\n", config.ifname.c_str(), line);
  }

  void send(const dhcp6::Transmit& t) {
    sockaddr_in6 to{};
    to.sin6_family = AF_INET6;
    to.sin6_port = htons(dhcp6::kServerPort);
    std::memcpy(&to.sin6_addr, dhcp6::kAllServers.data(), 16);
    to.sin6_scope_id = static_cast<uint32_t>(config.ifindex);
    if (sendto(udpFd, t.payload.data(), t.payload.size(), 0, reinterpret_cast<sockaddr*>(&to), sizeof to) < 0) {
      // No link-local address yet (DAD still running) is the usual cause; the engine
      // retransmits on its own schedule.
      char m[96];
      std::snprintf(m, sizeof m, "send failed: %s", std::strerror(errno));
      log(m);
    }
  }

  void apply(dhcp6::Actions a) {
    for (const dhcp6::Transmit& t : a.transmits) send(t);
    for (const dhcp6::Event& e : a.events) {
      Dhcp6EventOut o{toType(e.type), {}};
      if (e.type == dhcp6::Event::Bound || e.type == dhcp6::Event::Renewed || e.type == dhcp6::Event::Info)
        o.lease = toLeaseOut(e.lease);
      events.push_back(std::move(o));
    }
    loop.arm(a.deadline);
  }

  void drainUdp() {
    for (int i = 0; i < 64; i++) {
      ssize_t n = recv(udpFd, buf.data(), buf.size(), MSG_DONTWAIT | MSG_TRUNC);
      if (n < 0) return;
      if (static_cast<size_t>(n) > buf.size()) {
        log("oversized datagram, ignoring");
        continue;
      }
      apply(engine.receive(BoottimeUsec(), buf.data(), static_cast<size_t>(n)));
    }
  }

  bool open(std::string* err) {
    udpFd = loop.own(socket(AF_INET6, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0));
    if (udpFd < 0) return Fail(err, "UDP socket");
    int one = 1, zero = 0;
    setsockopt(udpFd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    setsockopt(udpFd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof one);
    // Our own multicast must not come back to us as if a server had sent it.
    setsockopt(udpFd, IPPROTO_IPV6, IPV6_MULTICAST_LOOP, &zero, sizeof zero);
    int ifindex = config.ifindex;
    if (setsockopt(udpFd, IPPROTO_IPV6, IPV6_MULTICAST_IF, &ifindex, sizeof ifindex) < 0)
      return Fail(err, "IPV6_MULTICAST_IF");
    // Bound to the device first, so each interface's client owns port 546 on its link.
    if (setsockopt(udpFd, SOL_SOCKET, SO_BINDTODEVICE, config.ifname.c_str(),
                   static_cast<socklen_t>(config.ifname.size() + 1)) < 0)
      return Fail(err, "SO_BINDTODEVICE");
    sockaddr_in6 in{};
    in.sin6_family = AF_INET6;
    in.sin6_port = htons(dhcp6::kClientPort);
    in.sin6_addr = in6addr_any;
    if (bind(udpFd, reinterpret_cast<sockaddr*>(&in), sizeof in) < 0) return Fail(err, "bind UDP port 546");

    return loop.open(err) && loop.watch(udpFd, kTagUdp, err);
  }

  void dispatch() {
    loop.dispatch([this](dhcp6::Usec now) { apply(engine.timeout(now)); },
                  [this](uint32_t tag) { if (tag == kTagUdp) drainUdp(); });
  }
};

std::unique_ptr<Dhcp6Runner> Dhcp6Runner::Create(const Dhcp6Config& c, std::string* err) {
  if (!ValidInterface(c.ifindex, c.ifname, err)) return nullptr;
  dhcp6::ClientConfig ec;
  ec.mac = c.mac;
  ec.duid = c.duid;
  ec.stateless = c.stateless;
  ec.requestAddress = c.requestAddress;
  ec.requestPrefix = c.requestPrefix;
  ec.prefixHint = c.prefixHint;
  ec.rapidCommit = c.rapidCommit;
  auto impl = std::make_unique<Impl>(c, std::move(ec), EngineSeed(c.mac));
  if (!impl->open(err)) return nullptr;
  return std::unique_ptr<Dhcp6Runner>(new Dhcp6Runner(std::move(impl)));
}

Dhcp6Runner::Dhcp6Runner(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Dhcp6Runner::~Dhcp6Runner() = default;

int Dhcp6Runner::fd() const { return impl_->loop.fd(); }
void Dhcp6Runner::start() { impl_->apply(impl_->engine.start(BoottimeUsec())); }
void Dhcp6Runner::stop(bool release) { impl_->apply(impl_->engine.stop(BoottimeUsec(), release)); }
void Dhcp6Runner::linkChanged() { impl_->apply(impl_->engine.linkChanged(BoottimeUsec())); }
void Dhcp6Runner::dispatch() { impl_->dispatch(); }
std::vector<Dhcp6EventOut> Dhcp6Runner::popEvents() {
  std::vector<Dhcp6EventOut> out;
  out.swap(impl_->events);
  return out;
}
const char* Dhcp6Runner::stateName() const { return dhcp6::stateName(impl_->engine.state()); }
std::string Dhcp6Runner::duidHex() const { return hex(impl_->engine.duid()); }

}  // namespace sy::io
