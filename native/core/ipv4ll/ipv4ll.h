// SPDX-License-Identifier: Apache-2.0
// IPv4 link-local addressing (RFC 3927), sans I/O. It picks a 169.254/16 address
// and owns an ACD engine (RFC 5227) that probes, announces and defends it: a
// conflict means a new address, never a second state machine in this one.
#pragma once

#include <cstdint>
#include <functional>
#include <vector>

#include "../acd/acd.h"

namespace sy::ipv4ll {

using Usec = acd::Usec;
using Mac = acd::Mac;

// RFC 3927 section 9.
constexpr unsigned kMaxConflicts = 10;
constexpr Usec kRateLimitInterval = 60 * acd::kSecond;
constexpr uint32_t kFirst = 0xa9fe0100, kLast = 0xa9fefeff;  // 169.254.1.0 .. 169.254.254.255

enum class State { Stopped, Probing, Bound };
const char* stateName(State s);

struct Event {
  enum Type { Bound, Lost } type;
  uint32_t address = 0;  // host order
};

struct Actions {
  std::vector<std::vector<uint8_t>> transmits;  // ARP payloads, broadcast
  std::vector<Event> events;
  Usec deadline = 0;
};

// The first candidate: a hash of the MAC, so a host picks the same address on
// every boot (RFC 3927 2.1: the generator "SHOULD" be seeded from the MAC).
uint32_t addressFromMac(const Mac& mac);
bool isLinkLocal(uint32_t address);

class Client {
 public:
  using Random = std::function<uint32_t()>;
  using Logger = std::function<void(const char* line)>;

  Client(Mac mac, Random random, Logger log);

  // `preferred` (host order, 0 = from the MAC): an address held before, tried first.
  Actions start(Usec now, uint32_t preferred = 0);
  Actions stop(Usec now);
  Actions timeout(Usec now);
  Actions receive(Usec now, const uint8_t* data, size_t len);

  State state() const { return state_; }
  uint32_t address() const { return state_ == State::Bound ? acd_.address() : 0; }
  unsigned conflicts() const { return conflicts_; }
  const acd::Engine& acd() const { return acd_; }

 private:
  void setState(State s);
  void logf(const char* fmt, ...) __attribute__((format(printf, 2, 3)));
  uint32_t randomAddress();
  void probe(Usec now, uint32_t address);
  void absorb(acd::Actions a, Usec now);

  Mac mac_;
  Random random_;
  Logger log_;
  acd::Engine acd_;
  Actions* out_ = nullptr;
  State state_ = State::Stopped;
  unsigned conflicts_ = 0;
};

}  // namespace sy::ipv4ll
