// SPDX-License-Identifier: Apache-2.0
#include "ipv4ll.h"

#include <cstdarg>
#include <cstdio>

namespace sy::ipv4ll {

namespace {
constexpr uint32_t kRange = kLast - kFirst + 1;
}

const char* stateName(State s) {
  switch (s) {
    case State::Stopped: return "STOPPED";
    case State::Probing: return "PROBING";
    case State::Bound: return "BOUND";
  }
  return "?";
}

uint32_t addressFromMac(const Mac& mac) {
  // FNV-1a: stable across builds and platforms, which std::hash is not.
  uint32_t h = 2166136261u;
  for (uint8_t b : mac) h = (h ^ b) * 16777619u;
  return kFirst + h % kRange;
}

bool isLinkLocal(uint32_t a) { return a >= kFirst && a <= kLast; }

Client::Client(Mac mac, Random random, Logger log)
    : mac_(mac), random_(random), log_(log), acd_(mac, random, log) {}

void Client::logf(const char* fmt, ...) {
  if (!log_) return;
  char buf[256];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(buf, sizeof buf, fmt, ap);
  va_end(ap);
  log_(buf);
}

void Client::setState(State s) {
  if (s == state_) return;
  logf("IPv4LL state %s -> %s", stateName(state_), stateName(s));
  state_ = s;
}

uint32_t Client::randomAddress() { return kFirst + random_() % kRange; }

void Client::probe(Usec now, uint32_t address) {
  setState(State::Probing);
  // RFC 3927 2.2.1: "after MAX_CONFLICTS conflicts ... the host MUST limit the
  // rate at which it probes for new addresses to no more than one new address per
  // RATE_LIMIT_INTERVAL".
  Usec notBefore = conflicts_ >= kMaxConflicts ? now + kRateLimitInterval : 0;
  absorb(acd_.start(now, address, notBefore), now);
}

void Client::absorb(acd::Actions a, Usec now) {
  for (auto& t : a.transmits) out_->transmits.push_back(std::move(t));
  out_->deadline = a.deadline;
  for (const acd::Event& e : a.events) {
    switch (e.type) {
      case acd::Event::Available:
        setState(State::Bound);
        out_->events.push_back(Event{Event::Bound, e.address});
        break;
      case acd::Event::Defended:
        break;
      case acd::Event::Conflict: {
        bool wasBound = state_ == State::Bound;
        conflicts_++;
        if (wasBound) out_->events.push_back(Event{Event::Lost, e.address});
        // RFC 3927 2.2.1 / 2.5: on a conflict the host "MUST immediately
        // configure a new IPv4 Link-Local address" (selected anew) and probe it.
        probe(now, randomAddress());
        break;
      }
    }
  }
}

Actions Client::start(Usec now, uint32_t preferred) {
  Actions a;
  out_ = &a;
  if (state_ != State::Stopped) {
    logf("IPv4LL start in %s, ignoring", stateName(state_));
    a.deadline = acd_.deadline();
  } else {
    conflicts_ = 0;
    probe(now, isLinkLocal(preferred) ? preferred : addressFromMac(mac_));
  }
  out_ = nullptr;
  return a;
}

Actions Client::stop(Usec now) {
  Actions a;
  acd_.stop(now);
  setState(State::Stopped);
  return a;
}

Actions Client::timeout(Usec now) {
  Actions a;
  out_ = &a;
  if (state_ != State::Stopped) absorb(acd_.timeout(now), now);
  out_ = nullptr;
  return a;
}

Actions Client::receive(Usec now, const uint8_t* data, size_t len) {
  Actions a;
  out_ = &a;
  if (state_ != State::Stopped) absorb(acd_.receive(now, data, len), now);
  out_ = nullptr;
  return a;
}

}  // namespace sy::ipv4ll
