// SPDX-License-Identifier: Apache-2.0
// Thin I/O shell around the sans-I/O DHCPv6 client engine (native/core/dhcp6): a UDP
// socket on [::]:546 bound to the interface, a CLOCK_BOOTTIME timerfd, one epoll fd.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace sy::io {

struct Dhcp6Config {
  int ifindex = 0;
  std::string ifname;
  std::array<uint8_t, 6> mac{};
  std::vector<uint8_t> duid;  // empty = DUID-LL from the MAC
  bool stateless = false;
  bool requestAddress = true, requestPrefix = false;
  uint8_t prefixHint = 0;
  bool rapidCommit = true;
};

struct Dhcp6AddressOut {
  std::string address;
  int prefixLength;  // 128 for IA_NA addresses
  uint32_t preferred, valid;
};

struct Dhcp6LeaseOut {
  std::string serverId;  // hex
  std::vector<Dhcp6AddressOut> addresses, prefixes;
  std::vector<std::string> dns, domains, ntp, sntp;  // ntp: addresses then names
  uint32_t t1 = 0, t2 = 0, infoRefresh = 0;
};

struct Dhcp6EventOut {
  enum Type { Bound, Renewed, Info, Expired, Stopped } type;
  Dhcp6LeaseOut lease;
};

class Dhcp6Runner {
 public:
  static std::unique_ptr<Dhcp6Runner> Create(const Dhcp6Config&, std::string* err);
  virtual ~Dhcp6Runner();

  int fd() const;
  void start();
  void stop(bool release);
  void linkChanged();
  void dispatch();
  std::vector<Dhcp6EventOut> popEvents();
  const char* stateName() const;
  std::string duidHex() const;

  Dhcp6Runner(const Dhcp6Runner&) = delete;
  Dhcp6Runner& operator=(const Dhcp6Runner&) = delete;

 private:
  struct Impl;
  explicit Dhcp6Runner(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace sy::io
