// SPDX-License-Identifier: Apache-2.0
// Thin I/O shell around the ARP engines: ACD (native/core/acd) for an address
// someone else picked, or IPv4-LL (native/core/ipv4ll), which owns its own ACD. An
// AF_PACKET socket for ARP and a CLOCK_BOOTTIME timerfd sit behind one epoll fd.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace sy::io {

struct ArpConfig {
  int ifindex;
  std::string ifname;
  std::array<uint8_t, 6> mac;
};

struct ArpEventOut {
  // ACD: available, conflict, defended. IPv4-LL: bound, lost.
  const char* type;
  std::string address;
  std::string other;  // the other host's MAC, for conflict / defended
};

class ArpRunner {
 public:
  enum class Kind { Acd, Ipv4ll };
  static std::unique_ptr<ArpRunner> Create(Kind kind, const ArpConfig&, std::string* err);
  virtual ~ArpRunner();

  int fd() const;
  // Acd: probe `address`. Ipv4ll: `address` is a preferred 169.254/16 address or 0.
  // Host byte order.
  void start(uint32_t address);
  void stop();
  void dispatch();
  std::vector<ArpEventOut> popEvents();
  const char* stateName() const;

  ArpRunner(const ArpRunner&) = delete;
  ArpRunner& operator=(const ArpRunner&) = delete;

 private:
  struct Impl;
  explicit ArpRunner(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace sy::io
