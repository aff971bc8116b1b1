// SPDX-License-Identifier: Apache-2.0
// The DNS proxy's I/O shell: its own thread with one epoll loop around the forwarder engine.
// Listens on the given loopback addresses only (UDP and TCP); cache hits are answered on this
// thread without ever touching JavaScript. Configuration arrives as an immutable snapshot swapped
// atomically; statistics are plain atomics that JavaScript may read at any time.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "../core/dns/config.h"
#include "../core/dns/forwarder.h"

namespace sy::io {

struct DnsProxyOptions {
  std::vector<std::string> listen = {"127.0.0.1", "::1"};
  uint16_t port = 53;
  dns::ForwarderOptions engine;
};

struct DnsProxyCounters {
  std::atomic<uint64_t> queries{0}, cacheHits{0}, forwarded{0}, answered{0}, upstreamTimeouts{0},
      badReplies{0}, tcpFallbacks{0}, flushes{0}, cacheEntries{0}, tcpClients{0}, merged{0},
      segmented{0}, segmentingOff{0};
};

class DnsProxy {
 public:
  DnsProxy();
  ~DnsProxy();
  // Binds every listener and starts the thread; 0 or a positive errno (with *why filled in).
  int start(const DnsProxyOptions& opts, std::string* why);
  void stop();
  void setConfig(std::shared_ptr<const dns::DnsConfig> cfg);
  const DnsProxyCounters& counters() const { return counters_; }

 private:
  struct Loop;
  std::shared_ptr<const dns::DnsConfig> cfg_;  // read and written with std::atomic_load/store
  std::unique_ptr<Loop> loop_;
  std::thread thread_;
  int wakeFd_ = -1;
  DnsProxyCounters counters_;
};

}  // namespace sy::io
