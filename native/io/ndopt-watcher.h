// SPDX-License-Identifier: Apache-2.0
// Router-advertisement information the kernel passes up but does not apply itself: ND
// user options (RDNSS, DNSSL) from RTNLGRP_ND_USEROPT, and the M/O flags of the last
// RA from AF_INET6 RTM_NEWLINK (RTNLGRP_IPV6_IFINFO). Its own rtnetlink socket, so it
// never disturbs the link/address monitor; one fd to poll.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace sy::io {

struct NdEventOut {
  enum Type { Rdnss, Dnssl, RaFlags } type;
  int ifindex = 0;
  std::string router;     // RA source address, "" if the kernel did not say
  uint32_t lifetime = 0;  // seconds, 0xffffffff = infinity, 0 = withdraw
  std::vector<std::string> values;  // servers (Rdnss) or domains (Dnssl)
  uint32_t flags = 0;               // RaFlags: IF_RA_* bits
};

class NdOptWatcher {
 public:
  static std::unique_ptr<NdOptWatcher> Create(std::string* err);
  ~NdOptWatcher();

  int fd() const;
  // Ask the kernel for every interface's IPv6 flags; answers arrive as RaFlags events.
  bool requestFlags(std::string* err);
  void dispatch();
  std::vector<NdEventOut> popEvents();
  uint32_t portId() const;
  uint64_t spoofedDropped() const;
  uint64_t malformedDropped() const;

  NdOptWatcher(const NdOptWatcher&) = delete;
  NdOptWatcher& operator=(const NdOptWatcher&) = delete;

 private:
  struct Impl;
  explicit NdOptWatcher(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace sy::io
