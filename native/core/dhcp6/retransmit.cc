// SPDX-License-Identifier: Apache-2.0
#include "retransmit.h"

namespace sy::dhcp6 {

int64_t Retransmit::randPart(Usec base, const Random& random, bool positive) {
  // Steps of 1/10000 of base: fine enough, and exact in integers.
  int64_t r = positive ? static_cast<int64_t>(random() % 1000) + 1
                       : static_cast<int64_t>(random() % 2001) - 1000;
  return static_cast<int64_t>(base / 10000) * r;
}

Usec Retransmit::capped(Usec at) const {
  // RFC 8415 15: "MRD specifies an upper bound on the length of time a client may
  // retransmit a message" - the last wait ends there, not one RT later.
  if (p_.mrd && at > start_ + p_.mrd) return start_ + p_.mrd;
  return at;
}

Usec Retransmit::begin(Usec now, const RetransmitParams& p, const Random& random) {
  p_ = p;
  start_ = now;
  count_ = 1;
  // RFC 8415 15: "RT for the first message transmission is based on IRT:
  //   RT = IRT + RAND*IRT"
  rt_ = static_cast<Usec>(static_cast<int64_t>(p.irt) + randPart(p.irt, random, p.firstRandPositive));
  if (p_.mrt && rt_ > p_.mrt)
    rt_ = static_cast<Usec>(static_cast<int64_t>(p_.mrt) + randPart(p_.mrt, random, false));
  firstRt_ = rt_;
  return capped(now + rt_);
}

bool Retransmit::next(Usec now, const Random& random, Usec* at) {
  // RFC 8415 15: "Message exchanges are terminated when either MRC or MRD is
  // reached" - MRC counts transmissions.
  if (p_.mrc && count_ >= p_.mrc) return false;
  if (p_.mrd && now >= start_ + p_.mrd) return false;
  // "RT for each subsequent message transmission is based on the previous value of RT:
  //   RT = 2*RTprev + RAND*RTprev
  // MRT specifies an upper bound on the value of RT (disregarding the randomization
  // added by the use of RAND). If MRT has a value of 0, there is no upper limit...
  //   if (RT > MRT) RT = MRT + RAND*MRT"
  Usec prev = rt_;
  rt_ = static_cast<Usec>(static_cast<int64_t>(2 * prev) + randPart(prev, random, false));
  if (p_.mrt && rt_ > p_.mrt)
    rt_ = static_cast<Usec>(static_cast<int64_t>(p_.mrt) + randPart(p_.mrt, random, false));
  count_++;
  *at = capped(now + rt_);
  return true;
}

}  // namespace sy::dhcp6
