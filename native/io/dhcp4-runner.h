// SPDX-License-Identifier: Apache-2.0
// Thin I/O shell around the sans-I/O DHCPv4 client engine (native/core/dhcp4).
// It owns a packet socket, a UDP socket, a CLOCK_BOOTTIME timerfd and one epoll fd
// that holds them all, so the caller (N-API, uv_poll) watches a single descriptor.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace sy::io {

struct Dhcp4Config {
  int ifindex;
  std::string ifname;
  std::array<uint8_t, 6> mac;
  std::string hostname;
  std::string vendorClass;
  uint32_t requestedAddress;  // network order, 0 = none
};

struct Dhcp4LeaseOut {
  std::string address;
  int prefixLength;
  std::string serverId, broadcast;
  std::vector<std::string> routers, dns, ntp;
  std::string domainName, hostname;
  std::vector<std::string> searchDomains;    // option 119
  std::string wpadUrl, captivePortalUrl;     // options 252, 114
  struct Route { std::string destination; int prefixLength; std::string gateway; };
  std::vector<Route> classlessRoutes, staticRoutes;  // options 121, 33
  uint16_t mtu;  // 0 = none
  uint32_t leaseTime, t1, t2;
};

struct Dhcp4EventOut {
  enum Type { Bound, Renewed, Expired, Nak, Stopped, Declined, NoLease } type;
  Dhcp4LeaseOut lease;
};

class Dhcp4Runner {
 public:
  // nullptr and *err set on failure (socket creation, bind, epoll).
  static std::unique_ptr<Dhcp4Runner> Create(const Dhcp4Config&, std::string* err);
  virtual ~Dhcp4Runner();

  int fd() const;  // one epoll fd (sockets + timerfd); poll it for readability
  void start();
  void stop(bool release);
  void decline();  // the leased address is in use (ACD): DHCPDECLINE and start over
  void dispatch();  // call when fd() is readable
  std::vector<Dhcp4EventOut> popEvents();
  const char* stateName() const;

  Dhcp4Runner(const Dhcp4Runner&) = delete;
  Dhcp4Runner& operator=(const Dhcp4Runner&) = delete;

 private:
  struct Impl;
  explicit Dhcp4Runner(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace sy::io
