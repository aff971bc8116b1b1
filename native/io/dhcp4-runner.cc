// SPDX-License-Identifier: Apache-2.0
// The DHCPv4 engine's transports: an AF_PACKET socket for everything broadcast and
// for replies before we own an address, a UDP socket bound to port 68 on the
// interface for unicast renewals and releases, and a CLOCK_BOOTTIME timerfd, all
// behind one epoll fd. Every decision is the engine's; this file only moves bytes.
#include "dhcp4-runner.h"

#include <arpa/inet.h>
#include <errno.h>
#include <linux/filter.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "../core/dhcp4/client.h"
#include "../core/wire/ipv4-udp.h"
#include "engine-loop.h"

namespace sy::io {

namespace {

std::string dotted(uint32_t a) {
  char b[16];
  std::snprintf(b, sizeof b, "%u.%u.%u.%u", a >> 24, (a >> 16) & 0xff, (a >> 8) & 0xff, a & 0xff);
  return b;
}

std::vector<std::string> dottedList(const std::vector<uint32_t>& v) {
  std::vector<std::string> out;
  for (uint32_t a : v) out.push_back(dotted(a));
  return out;
}

Dhcp4LeaseOut toLeaseOut(const dhcp4::Lease& l) {
  Dhcp4LeaseOut o{};
  o.address = dotted(l.address);
  o.prefixLength = l.prefixLength;
  o.serverId = dotted(l.serverId);
  o.broadcast = dotted(l.broadcast);
  o.routers = dottedList(l.routers);
  o.dns = dottedList(l.dns);
  o.ntp = dottedList(l.ntp);
  o.domainName = l.domainName;
  o.hostname = l.hostname;
  o.searchDomains = l.searchDomains;
  o.wpadUrl = l.wpadUrl;
  o.captivePortalUrl = l.captivePortalUrl;
  for (const dhcp4::Route& r : l.classlessRoutes)
    o.classlessRoutes.push_back({dotted(r.destination), r.prefixLength, dotted(r.gateway)});
  for (const dhcp4::Route& r : l.staticRoutes)
    o.staticRoutes.push_back({dotted(r.destination), r.prefixLength, dotted(r.gateway)});
  o.mtu = l.mtu;
  o.leaseTime = l.leaseTime;
  o.t1 = l.t1;
  o.t2 = l.t2;
  return o;
}

Dhcp4EventOut::Type toType(dhcp4::Event::Type t) {
  switch (t) {
    case dhcp4::Event::Bound: return Dhcp4EventOut::Bound;
    case dhcp4::Event::Renewed: return Dhcp4EventOut::Renewed;
    case dhcp4::Event::Expired: return Dhcp4EventOut::Expired;
    case dhcp4::Event::Nak: return Dhcp4EventOut::Nak;
    case dhcp4::Event::Stopped: return Dhcp4EventOut::Stopped;
    case dhcp4::Event::Declined: return Dhcp4EventOut::Declined;
    case dhcp4::Event::NoLease: return Dhcp4EventOut::NoLease;
  }
  return Dhcp4EventOut::Stopped;
}

// Kernel-side pre-filter on the IP header (the packet socket is SOCK_DGRAM, so
// offset 0 is the IP header): UDP, first fragment only, destination port 68.
// It only saves wake-ups; the engine checks all of this again.
const sock_filter kBpf[] = {
    BPF_STMT(BPF_LD | BPF_B | BPF_ABS, 9),
    BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, IPPROTO_UDP, 0, 6),
    BPF_STMT(BPF_LD | BPF_H | BPF_ABS, 6),
    BPF_JUMP(BPF_JMP | BPF_JSET | BPF_K, 0x1fff, 4, 0),
    BPF_STMT(BPF_LDX | BPF_B | BPF_MSH, 0),
    BPF_STMT(BPF_LD | BPF_H | BPF_IND, 2),
    BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, dhcp4::kClientPort, 0, 1),
    BPF_STMT(BPF_RET | BPF_K, 0xffff),
    BPF_STMT(BPF_RET | BPF_K, 0),
};

enum Tag : uint32_t { kTagPacket = 1, kTagUdp = 2 };

}  // namespace

struct Dhcp4Runner::Impl {
  Dhcp4Config config;
  EngineLoop loop;
  int packetFd = -1, udpFd = -1;  // owned by the loop
  uint64_t seed = 0;
  bool debug = false;
  dhcp4::Client engine;
  std::vector<Dhcp4EventOut> events;
  std::vector<uint8_t> buf = std::vector<uint8_t>(9216);

  Impl(const Dhcp4Config& c, dhcp4::ClientConfig ec, uint64_t s)
      : config(c), seed(s), debug(std::getenv("SY_DEBUG_DHCP4") != nullptr),
        engine(std::move(ec), [this] { return NextRandom(&seed); },
               [this](const char* line) { log(line); }) {}

  void log(const char* line) {
    if (debug) std::fprintf(stderr, "dhcp4[%s]: %s\n", config.ifname.c_str(), line);
  }

  void sendBroadcast(const dhcp4::Transmit& t) {
    std::vector<uint8_t> frame = wire::buildIpv4Udp(t.src, t.dst, dhcp4::kClientPort,
                                                    dhcp4::kServerPort, t.payload.data(),
                                                    t.payload.size());
    sockaddr_ll to{};
    to.sll_family = AF_PACKET;
    to.sll_protocol = htons(ETH_P_IP);
    to.sll_ifindex = config.ifindex;
    to.sll_halen = 6;
    std::memset(to.sll_addr, 0xff, 6);
    if (sendto(packetFd, frame.data(), frame.size(), 0, reinterpret_cast<sockaddr*>(&to),
               sizeof to) < 0) {
      char m[96];
      std::snprintf(m, sizeof m, "broadcast send failed: %s", std::strerror(errno));
      log(m);
    }
  }

  void sendUnicast(const dhcp4::Transmit& t) {
    sockaddr_in to{};
    to.sin_family = AF_INET;
    to.sin_port = htons(dhcp4::kServerPort);
    to.sin_addr.s_addr = htonl(t.dst);
    if (sendto(udpFd, t.payload.data(), t.payload.size(), 0, reinterpret_cast<sockaddr*>(&to),
               sizeof to) < 0) {
      // The engine retransmits; a missing address or route is not fatal here.
      char m[96];
      std::snprintf(m, sizeof m, "unicast send failed: %s", std::strerror(errno));
      log(m);
    }
  }

  void apply(dhcp4::Actions a) {
    for (const dhcp4::Transmit& t : a.transmits) {
      switch (t.via) {
        case dhcp4::Transmit::Broadcast: sendBroadcast(t); break;
        case dhcp4::Transmit::Unicast: sendUnicast(t); break;
      }
    }
    for (const dhcp4::Event& e : a.events) {
      Dhcp4EventOut o{toType(e.type), Dhcp4LeaseOut{}};
      if (e.type == dhcp4::Event::Bound || e.type == dhcp4::Event::Renewed)
        o.lease = toLeaseOut(e.lease);
      events.push_back(std::move(o));
    }
    loop.arm(a.deadline);
  }

  void drainPacket() {
    for (int i = 0; i < 64; i++) {
      sockaddr_ll from{};
      iovec iov{buf.data(), buf.size()};
      alignas(cmsghdr) uint8_t control[CMSG_SPACE(sizeof(tpacket_auxdata))];
      msghdr mh{};
      mh.msg_name = &from;
      mh.msg_namelen = sizeof from;
      mh.msg_iov = &iov;
      mh.msg_iovlen = 1;
      mh.msg_control = control;
      mh.msg_controllen = sizeof control;
      ssize_t n = recvmsg(packetFd, &mh, MSG_DONTWAIT);
      if (n < 0) return;
      if (from.sll_pkttype == PACKET_OUTGOING) continue;
      // Once bound, replies come over UDP; nothing on the packet socket is ours.
      if (engine.state() == dhcp4::State::Bound) continue;
      if (mh.msg_flags & MSG_TRUNC) {
        log("oversized frame truncated by the socket, ignoring");
        continue;
      }
      bool checksumReady = true;
      for (cmsghdr* c = CMSG_FIRSTHDR(&mh); c; c = CMSG_NXTHDR(&mh, c)) {
        if (c->cmsg_level == SOL_PACKET && c->cmsg_type == PACKET_AUXDATA &&
            c->cmsg_len >= CMSG_LEN(sizeof(tpacket_auxdata))) {
          tpacket_auxdata aux;
          std::memcpy(&aux, CMSG_DATA(c), sizeof aux);
          // Offloaded checksums are not computed yet for locally generated frames
          // (veth, bridges): verifying them would drop good packets.
          if (aux.tp_status & TP_STATUS_CSUMNOTREADY) checksumReady = false;
        }
      }
      apply(engine.receive(BoottimeUsec(), dhcp4::Source::Packet, buf.data(),
                           static_cast<size_t>(n), checksumReady));
    }
  }

  void drainUdp() {
    for (int i = 0; i < 64; i++) {
      ssize_t n = recv(udpFd, buf.data(), buf.size(), MSG_DONTWAIT | MSG_TRUNC);
      if (n < 0) return;
      if (static_cast<size_t>(n) > buf.size()) {
        log("oversized datagram, ignoring");
        continue;
      }
      apply(engine.receive(BoottimeUsec(), dhcp4::Source::Udp, buf.data(),
                           static_cast<size_t>(n)));
    }
  }

  bool open(std::string* err) {
    packetFd = loop.own(socket(AF_PACKET, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, htons(ETH_P_IP)));
    if (packetFd < 0) return Fail(err, "packet socket");
    sock_fprog prog{static_cast<unsigned short>(sizeof kBpf / sizeof kBpf[0]),
                    const_cast<sock_filter*>(kBpf)};
    if (setsockopt(packetFd, SOL_SOCKET, SO_ATTACH_FILTER, &prog, sizeof prog) < 0)
      return Fail(err, "attach BPF filter");
    int one = 1;
    if (setsockopt(packetFd, SOL_PACKET, PACKET_AUXDATA, &one, sizeof one) < 0)
      return Fail(err, "PACKET_AUXDATA");
    sockaddr_ll ll{};
    ll.sll_family = AF_PACKET;
    ll.sll_protocol = htons(ETH_P_IP);
    ll.sll_ifindex = config.ifindex;
    if (bind(packetFd, reinterpret_cast<sockaddr*>(&ll), sizeof ll) < 0)
      return Fail(err, "bind packet socket");

    udpFd = loop.own(socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0));
    if (udpFd < 0) return Fail(err, "UDP socket");
    setsockopt(udpFd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    setsockopt(udpFd, SOL_SOCKET, SO_BROADCAST, &one, sizeof one);
    if (setsockopt(udpFd, SOL_SOCKET, SO_BINDTODEVICE, config.ifname.c_str(),
                   static_cast<socklen_t>(config.ifname.size() + 1)) < 0)
      return Fail(err, "SO_BINDTODEVICE");
    sockaddr_in in{};
    in.sin_family = AF_INET;
    in.sin_port = htons(dhcp4::kClientPort);
    in.sin_addr.s_addr = htonl(INADDR_ANY);
    if (bind(udpFd, reinterpret_cast<sockaddr*>(&in), sizeof in) < 0)
      return Fail(err, "bind UDP port 68");

    return loop.open(err) && loop.watch(packetFd, kTagPacket, err) && loop.watch(udpFd, kTagUdp, err);
  }

  void dispatch() {
    loop.dispatch([this](dhcp4::Usec now) { apply(engine.timeout(now)); },
                  [this](uint32_t tag) {
                    switch (tag) {
                      case kTagPacket: drainPacket(); break;
                      case kTagUdp: drainUdp(); break;
                      default: break;
                    }
                  });
  }
};

std::unique_ptr<Dhcp4Runner> Dhcp4Runner::Create(const Dhcp4Config& c, std::string* err) {
  if (!ValidInterface(c.ifindex, c.ifname, err)) return nullptr;
  dhcp4::ClientConfig ec;
  ec.mac = c.mac;
  ec.hostname = c.hostname;
  ec.vendorClass = c.vendorClass;
  ec.requestedAddress = ntohl(c.requestedAddress);
  auto impl = std::make_unique<Impl>(c, std::move(ec), EngineSeed(c.mac));
  if (!impl->open(err)) return nullptr;
  return std::unique_ptr<Dhcp4Runner>(new Dhcp4Runner(std::move(impl)));
}

Dhcp4Runner::Dhcp4Runner(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Dhcp4Runner::~Dhcp4Runner() = default;

int Dhcp4Runner::fd() const { return impl_->loop.fd(); }
void Dhcp4Runner::start() { impl_->apply(impl_->engine.start(BoottimeUsec())); }
void Dhcp4Runner::stop(bool release) {
  impl_->apply(impl_->engine.stop(BoottimeUsec(), release));
}
void Dhcp4Runner::decline() { impl_->apply(impl_->engine.decline(BoottimeUsec())); }
void Dhcp4Runner::dispatch() { impl_->dispatch(); }
std::vector<Dhcp4EventOut> Dhcp4Runner::popEvents() {
  std::vector<Dhcp4EventOut> out;
  out.swap(impl_->events);
  return out;
}
const char* Dhcp4Runner::stateName() const { return dhcp4::stateName(impl_->engine.state()); }

}  // namespace sy::io
