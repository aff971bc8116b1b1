// SPDX-License-Identifier: Apache-2.0
// DHCPv6 client engine (RFC 8415), sans I/O: every input is an event with the
// current time, every output is a list of actions. It opens no socket and reads no
// clock; randomness (xid, RAND, start delays) comes from the injected generator.
// Stateful mode asks for an IA_NA and/or an IA_PD; stateless mode only sends
// INFORMATION-REQUEST (RFC 8415 18.2.6) for DNS, domains and NTP.
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "lease.h"
#include "message.h"
#include "retransmit.h"

namespace sy::dhcp6 {

enum class State {
  Stopped, Soliciting, Requesting, Bound, Renewing, Rebinding, Confirming,
  Informing,  // INFORMATION-REQUEST sent, waiting for the Reply
  Informed,   // stateless configuration held until the information refresh time
};
const char* stateName(State s);

struct ClientConfig {
  std::array<uint8_t, 6> mac{};
  // Client DUID as stored (ConnMan keeps it in the service's IPv6.DHCP.DUID). Empty:
  // DUID-LL from the MAC (RFC 8415 11.4), stable with no storage at all.
  std::vector<uint8_t> duid;
  bool stateless = false;
  bool requestAddress = true;   // IA_NA
  bool requestPrefix = false;   // IA_PD
  uint8_t prefixHint = 0;       // 0 = no hint, else the prefix length we would like
  bool rapidCommit = true;
  uint32_t iaid = 0;            // 0 = the last four bytes of the MAC
};

struct Transmit {
  uint8_t type = 0;  // for logs and tests; always to ff02::1:2 port 547
  std::vector<uint8_t> payload;
};

struct Event {
  enum Type {
    Bound,    // first lease (SOLICIT/REQUEST or rapid commit)
    Renewed,  // RENEW/REBIND answered: the full current lease; what it lacks is gone
    Info,     // stateless: DNS, domains, NTP from an INFORMATION-REQUEST
    Expired,  // every lifetime ran out, or the link moved (CONFIRM NotOnLink)
    Stopped,
  } type;
  Lease lease;  // Bound, Renewed, Info
};

struct Actions {
  std::vector<Transmit> transmits;
  std::vector<Event> events;
  Usec deadline = 0;  // absolute time at which to call timeout(); 0 = none
};

// RFC 8415 7.6 transmission and retransmission parameters.
namespace rt {
constexpr Usec kSolMaxDelay = 1 * kSecond, kSolTimeout = 1 * kSecond, kSolMaxRt = 3600 * kSecond;
constexpr Usec kReqTimeout = 1 * kSecond, kReqMaxRt = 30 * kSecond;
constexpr unsigned kReqMaxRc = 10;
constexpr Usec kCnfMaxDelay = 1 * kSecond, kCnfTimeout = 1 * kSecond, kCnfMaxRt = 4 * kSecond,
               kCnfMaxRd = 10 * kSecond;
constexpr Usec kRenTimeout = 10 * kSecond, kRenMaxRt = 600 * kSecond;
constexpr Usec kRebTimeout = 10 * kSecond, kRebMaxRt = 600 * kSecond;
constexpr Usec kInfMaxDelay = 1 * kSecond, kInfTimeout = 1 * kSecond, kInfMaxRt = 3600 * kSecond;
constexpr uint32_t kIrtDefault = 86400, kIrtMinimum = 600;  // seconds, RFC 8415 21.23
}  // namespace rt

class Client {
 public:
  using Random = std::function<uint32_t()>;
  using Logger = std::function<void(const char* line)>;

  Client(ClientConfig config, Random random, Logger log);

  Actions start(Usec now);
  // With release and a lease held, one RELEASE goes out first (RFC 8415 18.2.7).
  Actions stop(Usec now, bool release);
  // The link may have moved (carrier came back): CONFIRM the addresses, or REBIND
  // when only prefixes are held (RFC 8415 18.2.3, 18.2.5).
  Actions linkChanged(Usec now);
  Actions timeout(Usec now);  // safe to call early: it acts only on what is due
  Actions receive(Usec now, const uint8_t* data, size_t len);

  State state() const { return state_; }
  Usec deadline() const;
  bool hasLease() const { return haveLease_; }
  const Lease& lease() const { return lease_; }
  uint32_t xid() const { return xid_; }
  const std::vector<uint8_t>& duid() const { return duid_; }
  uint32_t iaid() const { return iaid_; }

 private:
  void setState(State s);
  void logf(const char* fmt, ...) __attribute__((format(printf, 2, 3)));
  void newXid();
  Usec randomDelay(Usec max);

  void beginExchange(Usec now, State s, const RetransmitParams& p, Usec maxDelay);
  void transmit(Usec now);
  void retransmitOrGiveUp(Usec now);
  std::vector<uint8_t> buildMessage(Usec now) const;
  void addIas(MessageBuilder& b, const Lease* from, bool withLifetimes) const;

  void enterSoliciting(Usec now);
  void enterRequesting(Usec now);
  void enterRenewing(Usec now);
  void enterRebinding(Usec now);
  void enterConfirming(Usec now);
  void enterInforming(Usec now);
  void bind(Usec now, Lease l, bool renewal);
  void expire(Usec now);
  void resumeBound(Usec now);

  void handle(Usec now, const Message& m, Lease l);
  void handleAdvertise(Usec now, Lease l);
  void handleReply(Usec now, Lease l);
  bool usable(const Lease& l) const;

  ClientConfig config_;
  Random random_;
  Logger log_;
  Actions* out_ = nullptr;
  std::vector<uint8_t> duid_;
  uint32_t iaid_ = 0;

  State state_ = State::Stopped;
  uint32_t xid_ = 0;
  Retransmit rtx_;
  RetransmitParams params_;  // of the exchange in progress
  Usec sendAt_ = 0;        // a first transmission delayed by SOL/CNF/INF_MAX_DELAY
  Usec retransmitAt_ = 0;  // 0 = none armed
  Usec solMaxRt_ = rt::kSolMaxRt, infMaxRt_ = rt::kInfMaxRt;

  bool haveAdvertise_ = false;
  Lease advertise_;  // the best ADVERTISE so far, then the server we REQUEST from

  bool haveLease_ = false;
  Lease lease_;
  Usec t1At_ = 0, t2At_ = 0, expiryAt_ = 0;  // 0 = never
  Usec refreshAt_ = 0;                      // stateless refresh
};

}  // namespace sy::dhcp6
