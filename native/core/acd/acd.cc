// SPDX-License-Identifier: Apache-2.0
#include "acd.h"

#include <cstdarg>
#include <cstdio>

namespace sy::acd {

namespace {
constexpr Mac kZeroMac{};

void dotted(uint32_t a, char (&b)[16]) {
  std::snprintf(b, sizeof b, "%u.%u.%u.%u", a >> 24, (a >> 16) & 0xff, (a >> 8) & 0xff, a & 0xff);
}
}  // namespace

const char* stateName(State s) {
  switch (s) {
    case State::Stopped: return "STOPPED";
    case State::Waiting: return "WAITING";
    case State::Probing: return "PROBING";
    case State::Announcing: return "ANNOUNCING";
    case State::Defending: return "DEFENDING";
  }
  return "?";
}

Engine::Engine(Mac mac, Random random, Logger log)
    : mac_(mac), random_(std::move(random)), log_(std::move(log)) {}

void Engine::logf(const char* fmt, ...) {
  if (!log_) return;
  char buf[256];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(buf, sizeof buf, fmt, ap);
  va_end(ap);
  log_(buf);
}

void Engine::setState(State s) {
  if (s == state_) return;
  logf("ACD state %s -> %s", stateName(state_), stateName(s));
  state_ = s;
}

Usec Engine::randomBetween(Usec lo, Usec hi) {
  if (hi <= lo) return lo;
  // Millisecond resolution is plenty for second-scale protocol timers.
  Usec spanMs = (hi - lo) / 1000;
  return lo + (static_cast<Usec>(random_()) % (spanMs + 1)) * 1000;
}

void Engine::sendProbe() {
  // RFC 5227 2.1.1: "an ARP Request ... with the 'sender hardware address' field
  // set to the hardware address of the interface ... The 'sender IP address' field
  // MUST be set to all zeroes ... The 'target hardware address' field is ignored
  // and SHOULD be set to all zeroes. The 'target IP address' field MUST be set to
  // the address being probed."
  out_->transmits.push_back(buildArp(ArpRequest, mac_, 0, kZeroMac, address_));
}

void Engine::sendAnnounce() {
  // RFC 5227 2.3: an ARP Request with both sender and target IP set to the address.
  out_->transmits.push_back(buildArp(ArpRequest, mac_, address_, kZeroMac, address_));
}

Actions Engine::start(Usec now, uint32_t address, Usec notBefore) {
  Actions a;
  out_ = &a;
  address_ = address;
  sent_ = 0;
  defended_ = false;
  setState(State::Waiting);
  // RFC 5227 2.1.1: "the host should first wait for a random time interval
  // selected uniformly in the range zero to PROBE_WAIT seconds".
  next_ = now + randomBetween(0, kProbeWait);
  if (notBefore > next_) next_ = notBefore;
  a.deadline = deadline();
  out_ = nullptr;
  return a;
}

Actions Engine::stop(Usec now) {
  (void)now;
  Actions a;
  setState(State::Stopped);
  next_ = 0;
  return a;
}

Actions Engine::timeout(Usec now) {
  Actions a;
  out_ = &a;
  switch (state_) {
    case State::Stopped:
    case State::Defending:
      break;
    case State::Waiting:
    case State::Probing:
      if (now < next_) break;
      if (sent_ < kProbeNum) {
        setState(State::Probing);
        sendProbe();
        sent_++;
        // RFC 5227 2.1.1: "PROBE_NUM probe packets, each of these probe packets
        // spaced randomly and uniformly, PROBE_MIN to PROBE_MAX seconds apart" and,
        // after the last, "ANNOUNCE_WAIT seconds" before the address is ours.
        next_ = now + (sent_ < kProbeNum ? randomBetween(kProbeMin, kProbeMax) : kAnnounceWait);
        break;
      }
      {
        char b[16];
        dotted(address_, b);
        logf("ACD: no conflict for %s after %u probes", b, kProbeNum);
      }
      setState(State::Announcing);
      a.events.push_back(Event{Event::Available, address_, {}});
      sent_ = 0;
      sendAnnounce();
      sent_++;
      next_ = now + kAnnounceInterval;
      break;
    case State::Announcing:
      if (now < next_) break;
      // RFC 5227 2.3: "ANNOUNCE_NUM ARP Announcements, spaced ANNOUNCE_INTERVAL seconds apart".
      sendAnnounce();
      if (++sent_ >= kAnnounceNum) setState(State::Defending);
      else next_ = now + kAnnounceInterval;
      break;
  }
  a.deadline = deadline();
  out_ = nullptr;
  return a;
}

void Engine::conflict(const ArpPacket& p) {
  char b[16];
  dotted(address_, b);
  logf("ACD: conflict on %s with %02x:%02x:%02x:%02x:%02x:%02x in %s", b, p.sha[0], p.sha[1],
       p.sha[2], p.sha[3], p.sha[4], p.sha[5], stateName(state_));
  out_->events.push_back(Event{Event::Conflict, address_, p.sha});
  setState(State::Stopped);
  next_ = 0;
}

Actions Engine::receive(Usec now, const uint8_t* data, size_t len) {
  Actions a;
  out_ = &a;
  ArpPacket p;
  ArpError e = parseArp(data, len, &p);
  if (e != ArpError::None) {
    logf("ARP packet of %zu bytes: %s, ignoring", len, arpErrorName(e));
  } else if (p.sha == mac_) {
    // Our own frames looped back (or a host with our MAC, which ARP cannot tell apart).
  } else {
    switch (state_) {
      case State::Stopped:
        break;
      case State::Waiting:
      case State::Probing:
        // RFC 5227 2.1.1: a conflict is "any ARP packet (Request or Reply) ...
        // where the packet's 'sender IP address' is the address being probed for",
        // or "any ARP Probe where the packet's 'target IP address' is the address
        // being probed for, and the packet's 'sender hardware address' is not the
        // hardware address of any of the host's interfaces".
        if (p.spa == address_ || (p.spa == 0 && p.tpa == address_ && p.op == ArpRequest))
          conflict(p);
        break;
      case State::Announcing:
      case State::Defending:
        // RFC 5227 2.4: after announcing, a conflict is an ARP packet whose
        // 'sender IP address' is ours from another hardware address.
        if (p.spa != address_) break;
        // RFC 5227 2.4 (b): "if this is the first conflicting ARP packet ... within
        // DEFEND_INTERVAL seconds, the host MAY elect to defend its address by
        // recording the time ... and then broadcasting one single ARP Announcement";
        // a second one inside DEFEND_INTERVAL means we give the address up.
        if (defended_ && now < lastDefence_ + kDefendInterval) {
          conflict(p);
        } else {
          defended_ = true;
          lastDefence_ = now;
          sendAnnounce();
          a.events.push_back(Event{Event::Defended, address_, p.sha});
        }
        break;
    }
  }
  a.deadline = deadline();
  out_ = nullptr;
  return a;
}

}  // namespace sy::acd
