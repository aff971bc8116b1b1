// SPDX-License-Identifier: Apache-2.0
// DHCPv4 client engine (RFC 2131), sans I/O: every input is an event with the
// current time, every output is a list of actions. It opens no socket and reads no
// clock; randomness (xid, jitter) comes from the injected generator.
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "lease.h"
#include "message.h"

namespace sy::dhcp4 {

using Usec = uint64_t;  // CLOCK_BOOTTIME in microseconds
constexpr Usec kSecond = 1000000;

enum class State {
  Init, Selecting, Requesting, Bound, Renewing, Rebinding, InitReboot, Rebooting, Stopped,
};
const char* stateName(State s);

struct ClientConfig {
  std::array<uint8_t, 6> mac{};
  std::string hostname, vendorClass;
  uint32_t requestedAddress = 0;  // host order; 0 = none, else start in INIT-REBOOT
};

struct Transmit {
  // Broadcast: an IP+UDP frame to 255.255.255.255 through the packet socket, usable
  // before the interface has an address. Unicast: the UDP socket, to dst:67.
  enum Via { Broadcast, Unicast } via;
  uint32_t src = 0, dst = 0;  // host order; src is what goes in the IP header
  uint8_t type = 0;           // DHCP message type, for logs and tests
  std::vector<uint8_t> payload;  // the BOOTP message
};

struct Event {
  // NoLease: discovery has gone unanswered for about as long as gdhcp waits
  // before ConnMan falls back to IPv4-LL (~30 s); the engine keeps discovering.
  enum Type { Bound, Renewed, Expired, Nak, Stopped, Declined, NoLease } type;
  Lease lease;  // set for Bound and Renewed
};

struct Actions {
  std::vector<Transmit> transmits;
  std::vector<Event> events;
  Usec deadline = 0;  // absolute time at which to call timeout(); 0 = none
};

enum class Source {
  Packet,  // IPv4 header onwards, from AF_PACKET/SOCK_DGRAM: validated here
  Udp,     // bare BOOTP payload from the UDP socket: the kernel checked IP/UDP
};

class Client {
 public:
  using Random = std::function<uint32_t()>;
  using Logger = std::function<void(const char* line)>;

  Client(ClientConfig config, Random random, Logger log);

  Actions start(Usec now);
  Actions stop(Usec now, bool release);
  // The leased address is in use by another host (ACD): DHCPDECLINE, then discovery again.
  Actions decline(Usec now);
  Actions timeout(Usec now);  // safe to call early: it acts only on what is due
  Actions receive(Usec now, Source src, const uint8_t* data, size_t len,
                  bool udpChecksumReady = true);

  State state() const { return state_; }
  Usec deadline() const;
  bool hasLease() const { return haveLease_; }
  const Lease& lease() const { return lease_; }
  uint32_t xid() const { return xid_; }
  // Seconds the next DISCOVER exchange waits when declining (RFC 2131 3.1.5).
  static constexpr Usec kDeclineWait = 10 * kSecond;

 private:
  void setState(State s);
  void logf(const char* fmt, ...) __attribute__((format(printf, 2, 3)));
  void newXid();
  Usec jitteredBackoff();
  uint16_t secsSince(Usec now) const;

  void sendDiscover(Usec now);
  void enterRequesting(Usec now, uint32_t address, uint32_t serverId);
  void enterInitReboot(Usec now);
  void enterRenewing(Usec now);
  void enterRebinding(Usec now);
  void restartAfter(Usec now, Usec delay);
  void expire(Usec now);
  void transmitDiscover(Usec now);
  void transmitRequest(Usec now);
  void armLeaseRetransmit(Usec now, Usec until);
  void handleMessage(Usec now, const Message& m);
  void handleAck(Usec now, const Message& m);
  void handleNak(Usec now, const Message& m);
  void addCommonOptions(MessageBuilder& b) const;

  ClientConfig config_;
  Random random_;
  Logger log_;
  Actions* out_ = nullptr;

  State state_ = State::Stopped;
  uint32_t xid_ = 0;
  Usec exchangeStart_ = 0;   // first message of this exchange, for 'secs'
  Usec requestSentAt_ = 0;   // latest DHCPREQUEST; RFC 2131 4.4.1: the lease runs from here
  unsigned attempt_ = 0;
  Usec retransmitAt_ = 0, initAt_ = 0;
  unsigned nakCount_ = 0;
  uint32_t offeredAddress_ = 0, offeredServer_ = 0;
  uint32_t rebootAddress_ = 0;

  bool haveLease_ = false;
  Lease lease_;
  Usec t1At_ = 0, t2At_ = 0, expiryAt_ = 0;  // 0 = never (infinite lease)
};

}  // namespace sy::dhcp4
