// SPDX-License-Identifier: Apache-2.0
// IPv4 Address Conflict Detection (RFC 5227), sans I/O: probe an address, announce
// it, then defend it. Inputs are ARP payloads, timeouts and commands with the
// current CLOCK_BOOTTIME time; outputs are ARP payloads to broadcast, one deadline
// and events. The engine does not pick addresses; IPv4-LL and DHCP do that.
#pragma once

#include <cstdint>
#include <functional>
#include <vector>

#include "arp.h"

namespace sy::acd {

using Usec = uint64_t;
constexpr Usec kSecond = 1000000;

// RFC 5227 section 1.1 constants (RFC 3927 section 9 uses the same values).
constexpr Usec kProbeWait = 1 * kSecond, kProbeMin = 1 * kSecond, kProbeMax = 2 * kSecond;
constexpr unsigned kProbeNum = 3, kAnnounceNum = 2;
constexpr Usec kAnnounceWait = 2 * kSecond, kAnnounceInterval = 2 * kSecond;
constexpr Usec kDefendInterval = 10 * kSecond;

enum class State { Stopped, Waiting, Probing, Announcing, Defending };
const char* stateName(State s);

struct Event {
  enum Type {
    Available,  // probing found nobody: the address may be configured now
    Conflict,   // someone else uses it (while probing, or after a defence failed)
    Defended,   // a conflicting ARP was answered with an announcement
  } type;
  uint32_t address = 0;
  Mac other{};  // the other host's hardware address (Conflict, Defended)
};

struct Actions {
  std::vector<std::vector<uint8_t>> transmits;  // ARP payloads, to ff:ff:ff:ff:ff:ff
  std::vector<Event> events;
  Usec deadline = 0;  // absolute; 0 = none
};

class Engine {
 public:
  using Random = std::function<uint32_t()>;
  using Logger = std::function<void(const char* line)>;

  Engine(Mac mac, Random random, Logger log);

  // Probe `address` (host order). `notBefore` holds the first probe back (IPv4-LL's
  // rate limit after many conflicts); 0 = the usual random PROBE_WAIT.
  Actions start(Usec now, uint32_t address, Usec notBefore = 0);
  Actions stop(Usec now);
  Actions timeout(Usec now);  // safe to call early
  Actions receive(Usec now, const uint8_t* data, size_t len);

  State state() const { return state_; }
  uint32_t address() const { return address_; }
  Usec deadline() const { return state_ == State::Stopped || state_ == State::Defending ? 0 : next_; }

 private:
  void setState(State s);
  void logf(const char* fmt, ...) __attribute__((format(printf, 2, 3)));
  Usec randomBetween(Usec lo, Usec hi);
  void sendProbe();
  void sendAnnounce();
  void conflict(const ArpPacket& p);

  Mac mac_;
  Random random_;
  Logger log_;
  Actions* out_ = nullptr;
  State state_ = State::Stopped;
  uint32_t address_ = 0;
  unsigned sent_ = 0;
  Usec next_ = 0;
  Usec lastDefence_ = 0;
  bool defended_ = false;
};

}  // namespace sy::acd
