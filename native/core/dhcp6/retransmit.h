// SPDX-License-Identifier: Apache-2.0
// The retransmission schedule of RFC 8415 section 15, one exchange at a time.
#pragma once

#include <cstdint>
#include <functional>

namespace sy::dhcp6 {

using Usec = uint64_t;  // CLOCK_BOOTTIME in microseconds
constexpr Usec kSecond = 1000000;

struct RetransmitParams {
  Usec irt = 0, mrt = 0;  // initial and maximum retransmission time; mrt 0 = no cap
  unsigned mrc = 0;       // maximum transmissions; 0 = unlimited
  Usec mrd = 0;           // maximum duration from the first transmission; 0 = unlimited
  // RFC 8415 18.2.1 for Solicit: "the first RT MUST be selected to be strictly
  // greater than IRT by choosing RAND to be strictly greater than 0".
  bool firstRandPositive = false;
};

class Retransmit {
 public:
  using Random = std::function<uint32_t()>;

  // The first transmission goes out at `now`; returns when to retransmit.
  Usec begin(Usec now, const RetransmitParams& p, const Random& random);
  // Called at the retransmission time: true and the next time if another message
  // may go out, false once MRC or MRD ends the exchange.
  bool next(Usec now, const Random& random, Usec* at);

  // RFC 8415 21.24: a new SOL_MAX_RT / INF_MAX_RT from a server applies at once.
  void setMrt(Usec mrt) { p_.mrt = mrt; }

  Usec started() const { return start_; }
  unsigned transmissions() const { return count_; }
  Usec rt() const { return rt_; }
  bool firstRtElapsed(Usec now) const { return now >= start_ + firstRt_; }

 private:
  // RAND in [-0.1, +0.1] applied to base (RFC 8415 15: "RAND is a random number
  // chosen with a uniform distribution between -0.1 and +0.1").
  static int64_t randPart(Usec base, const Random& random, bool positive);
  Usec capped(Usec at) const;

  RetransmitParams p_;
  Usec start_ = 0, rt_ = 0, firstRt_ = 0;
  unsigned count_ = 0;
};

}  // namespace sy::dhcp6
