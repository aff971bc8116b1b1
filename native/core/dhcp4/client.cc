// SPDX-License-Identifier: Apache-2.0
#include "client.h"

#include <cstdarg>
#include <cstdio>
#include <cstring>

#include "../wire/ipv4-udp.h"

namespace sy::dhcp4 {

namespace {

constexpr uint16_t kMaxMessageSize = 1500;
constexpr unsigned kRequestAttempts = 6;  // waits of 4, 8, 16, 32, 64, 64 s
// RFC 2131 4.3.2: a server with no record of the client's INIT-REBOOT address
// "MUST remain silent", so a long REBOOTING only delays the DISCOVER that follows
// (dhcpcd waits 5 s). One REQUEST and its 4 s wait, then discovery.
constexpr unsigned kRebootAttempts = 1;
constexpr uint32_t kMinLeaseSeconds = 60;
constexpr unsigned kNoLeaseAttempt = 3;
constexpr uint8_t kParameterList[] = {
    opt::SubnetMask, opt::Router, opt::DnsServer, opt::Hostname, opt::DomainName,
    opt::InterfaceMtu, opt::Broadcast, opt::StaticRoute, opt::NtpServer, opt::LeaseTime,
    opt::ServerId, opt::RenewalTime, opt::RebindingTime, opt::CaptivePortal,
    opt::DomainSearch, opt::ClasslessRoute, opt::Wpad};

Usec minNonZero(Usec a, Usec b) {
  if (a == 0) return b;
  if (b == 0) return a;
  return a < b ? a : b;
}

}  // namespace

const char* stateName(State s) {
  switch (s) {
    case State::Init: return "INIT";
    case State::Selecting: return "SELECTING";
    case State::Requesting: return "REQUESTING";
    case State::Bound: return "BOUND";
    case State::Renewing: return "RENEWING";
    case State::Rebinding: return "REBINDING";
    case State::InitReboot: return "INIT-REBOOT";
    case State::Rebooting: return "REBOOTING";
    case State::Stopped: return "STOPPED";
  }
  return "?";
}

Client::Client(ClientConfig config, Random random, Logger log)
    : config_(std::move(config)), random_(std::move(random)), log_(std::move(log)),
      rebootAddress_(config_.requestedAddress) {}

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
  logf("DHCPv4 state %s -> %s", stateName(state_), stateName(s));
  state_ = s;
}

void Client::newXid() { xid_ = random_(); }

Usec Client::jitteredBackoff() {
  // RFC 2131 4.1: "the delay before the first retransmission SHOULD be 4 seconds
  // randomized by the value of a uniform random number chosen from the range -1
  // to +1 ... The delay before the next retransmission SHOULD be 8 seconds ...
  // up to a maximum of 64 seconds."
  unsigned shift = attempt_ < 4 ? attempt_ : 4;
  Usec base = (Usec{4} << shift) * kSecond;
  int64_t jitterMs = static_cast<int64_t>(random_() % 2001) - 1000;
  return static_cast<Usec>(static_cast<int64_t>(base) + jitterMs * 1000);
}

uint16_t Client::secsSince(Usec now) const {
  Usec s = now > exchangeStart_ ? (now - exchangeStart_) / kSecond : 0;
  return s > 0xffff ? 0xffff : static_cast<uint16_t>(s);
}

Usec Client::deadline() const {
  switch (state_) {
    case State::Stopped:
    case State::InitReboot:
      return 0;
    case State::Init:
      return initAt_;
    case State::Selecting:
    case State::Requesting:
    case State::Rebooting:
      return retransmitAt_;
    case State::Bound:
      return minNonZero(minNonZero(t1At_, t2At_), expiryAt_);
    case State::Renewing:
      return minNonZero(minNonZero(retransmitAt_, t2At_), expiryAt_);
    case State::Rebinding:
      return minNonZero(retransmitAt_, expiryAt_);
  }
  return 0;
}

void Client::addCommonOptions(MessageBuilder& b) const {
  // RFC 2132 9.14: client identifier type 1 (Ethernet) followed by the MAC.
  uint8_t cid[7] = {1};
  std::memcpy(cid + 1, config_.mac.data(), 6);
  b.option(opt::ClientId, cid, sizeof cid);
  b.optionU16(opt::MaxMessageSize, kMaxMessageSize);
  if (!config_.hostname.empty())
    b.option(opt::Hostname, reinterpret_cast<const uint8_t*>(config_.hostname.data()),
             config_.hostname.size());
  if (!config_.vendorClass.empty())
    b.option(opt::VendorClass, reinterpret_cast<const uint8_t*>(config_.vendorClass.data()),
             config_.vendorClass.size());
  b.option(opt::ParameterList, kParameterList, sizeof kParameterList);
}

void Client::transmitDiscover(Usec now) {
  MessageBuilder b(BootRequest, Discover, xid_, config_.mac.data(), 6);
  b.secs(secsSince(now));
  addCommonOptions(b);
  // RFC 2131 4.4.1: "The client MAY suggest a network address ... by including
  // the 'requested IP address' option" - the one we last held, as a hint.
  if (rebootAddress_) b.optionU32(opt::RequestedAddress, rebootAddress_);
  out_->transmits.push_back(Transmit{Transmit::Broadcast, 0, 0xffffffff, Discover, b.build()});
  logf("DHCPDISCOVER xid 0x%08x attempt %u", xid_, attempt_ + 1);
}

void Client::transmitRequest(Usec now) {
  MessageBuilder b(BootRequest, Request, xid_, config_.mac.data(), 6);
  b.secs(secsSince(now));
  addCommonOptions(b);
  Transmit t{Transmit::Broadcast, 0, 0xffffffff, Request, {}};
  switch (state_) {
    case State::Requesting:
      // RFC 2131 4.3.2, SELECTING: "Client inserts the address of the selected
      // server in 'server identifier', 'ciaddr' MUST be zero, 'requested IP
      // address' MUST be filled in with the yiaddr value from the chosen DHCPOFFER."
      b.optionU32(opt::RequestedAddress, offeredAddress_);
      b.optionU32(opt::ServerId, offeredServer_);
      break;
    case State::Rebooting:
      // RFC 2131 4.3.2, INIT-REBOOT: "'server identifier' MUST NOT be filled in,
      // 'requested IP address' option MUST be filled in with client's notion of
      // its previously assigned address. 'ciaddr' MUST be zero."
      b.optionU32(opt::RequestedAddress, rebootAddress_);
      break;
    case State::Renewing:
      // RFC 2131 4.3.2, RENEWING: "'server identifier' MUST NOT be filled in,
      // 'requested IP address' option MUST NOT be filled in, 'ciaddr' MUST be
      // filled in with client's IP address." Sent unicast to the server.
      b.ciaddr(lease_.address);
      t = Transmit{Transmit::Unicast, lease_.address, lease_.serverId, Request, {}};
      break;
    case State::Rebinding:
      // RFC 2131 4.3.2, REBINDING: as RENEWING, but "broadcast to 0xffffffff".
      b.ciaddr(lease_.address);
      t.src = lease_.address;
      break;
    case State::Init:
    case State::Selecting:
    case State::Bound:
    case State::InitReboot:
    case State::Stopped:
      return;
  }
  t.payload = b.build();
  out_->transmits.push_back(std::move(t));
  // The ACK may answer any retransmission; the latest one is when the server can
  // have started counting at the earliest that we can still vouch for.
  requestSentAt_ = now;
  logf("DHCPREQUEST in %s xid 0x%08x attempt %u", stateName(state_), xid_, attempt_ + 1);
}

void Client::sendDiscover(Usec now) {
  setState(State::Init);
  newXid();
  exchangeStart_ = now;
  attempt_ = 0;
  setState(State::Selecting);
  transmitDiscover(now);
  retransmitAt_ = now + jitteredBackoff();
}

void Client::enterRequesting(Usec now, uint32_t address, uint32_t serverId) {
  offeredAddress_ = address;
  offeredServer_ = serverId;
  // RFC 2131 table 5: the DHCPREQUEST keeps the 'xid' of the DHCPOFFER.
  attempt_ = 0;
  setState(State::Requesting);
  transmitRequest(now);
  retransmitAt_ = now + jitteredBackoff();
}

void Client::enterInitReboot(Usec now) {
  setState(State::InitReboot);
  newXid();
  exchangeStart_ = now;
  attempt_ = 0;
  setState(State::Rebooting);
  transmitRequest(now);
  retransmitAt_ = now + jitteredBackoff();
}

void Client::armLeaseRetransmit(Usec now, Usec until) {
  // RFC 2131 4.4.5: "the client SHOULD wait one-half of the remaining time until
  // T2 (in RENEWING state) and one-half of the remaining lease time (in
  // REBINDING state), down to a minimum of 60 seconds, before retransmitting".
  Usec half = until > now ? (until - now) / 2 : 0;
  retransmitAt_ = now + (half < 60 * kSecond ? 60 * kSecond : half);
}

void Client::enterRenewing(Usec now) {
  setState(State::Renewing);
  newXid();
  exchangeStart_ = now;
  attempt_ = 0;
  transmitRequest(now);
  armLeaseRetransmit(now, t2At_);
}

void Client::enterRebinding(Usec now) {
  setState(State::Rebinding);
  newXid();
  exchangeStart_ = now;
  attempt_ = 0;
  transmitRequest(now);
  armLeaseRetransmit(now, expiryAt_);
}

void Client::restartAfter(Usec now, Usec delay) {
  haveLease_ = false;
  lease_ = Lease{};
  t1At_ = t2At_ = expiryAt_ = 0;
  retransmitAt_ = 0;
  if (delay == 0) {
    sendDiscover(now);
    return;
  }
  setState(State::Init);
  initAt_ = now + delay;
}

void Client::expire(Usec now) {
  // RFC 2131 4.4.5: "If the lease expires before the client receives a DHCPACK,
  // the client moves to INIT state, MUST immediately stop any other network
  // processing and requests network initialization parameters".
  logf("DHCPv4 lease on 0x%08x expired", lease_.address);
  out_->events.push_back(Event{Event::Expired, {}});
  restartAfter(now, 0);
}

Actions Client::start(Usec now) {
  Actions a;
  out_ = &a;
  if (state_ != State::Stopped) {
    logf("DHCPv4 start in %s, ignoring", stateName(state_));
  } else if (rebootAddress_) {
    // RFC 2131 3.2: a client that remembers a previously allocated address
    // broadcasts a DHCPREQUEST for it from INIT-REBOOT.
    enterInitReboot(now);
  } else {
    nakCount_ = 0;
    sendDiscover(now);
  }
  a.deadline = deadline();
  out_ = nullptr;
  return a;
}

Actions Client::stop(Usec now, bool release) {
  (void)now;
  Actions a;
  out_ = &a;
  if (state_ != State::Stopped) {
    bool held = haveLease_ && (state_ == State::Bound || state_ == State::Renewing ||
                               state_ == State::Rebinding);
    if (release && held) {
      // RFC 2131 4.4.6: "the client sends a DHCPRELEASE message to the server.
      // ... The client unicasts DHCPRELEASE messages to the server."
      newXid();
      MessageBuilder b(BootRequest, Release, xid_, config_.mac.data(), 6);
      b.ciaddr(lease_.address);
      b.optionU32(opt::ServerId, lease_.serverId);
      uint8_t cid[7] = {1};
      std::memcpy(cid + 1, config_.mac.data(), 6);
      b.option(opt::ClientId, cid, sizeof cid);
      a.transmits.push_back(
          Transmit{Transmit::Unicast, lease_.address, lease_.serverId, Release, b.build()});
      logf("DHCPRELEASE of 0x%08x", lease_.address);
      rebootAddress_ = 0;
    }
    haveLease_ = false;
    lease_ = Lease{};
    t1At_ = t2At_ = expiryAt_ = retransmitAt_ = initAt_ = 0;
    setState(State::Stopped);
    a.events.push_back(Event{Event::Stopped, {}});
  }
  a.deadline = deadline();
  out_ = nullptr;
  return a;
}

Actions Client::decline(Usec now) {
  Actions a;
  out_ = &a;
  bool held = haveLease_ && (state_ == State::Bound || state_ == State::Renewing ||
                             state_ == State::Rebinding);
  if (!held) {
    logf("DHCPv4 decline in %s without a lease, ignoring", stateName(state_));
  } else {
    // RFC 2131 4.4.1: "If the client detects that the address is already in use
    // (e.g., through the use of ARP), the client MUST send a DHCPDECLINE message to
    // the server" - table 5: 'requested IP address' and 'server identifier' MUST,
    // 'ciaddr' 0, broadcast since the address is not ours to use.
    newXid();
    MessageBuilder b(BootRequest, Decline, xid_, config_.mac.data(), 6);
    uint8_t cid[7] = {1};
    std::memcpy(cid + 1, config_.mac.data(), 6);
    b.option(opt::ClientId, cid, sizeof cid);
    b.optionU32(opt::RequestedAddress, lease_.address);
    b.optionU32(opt::ServerId, lease_.serverId);
    a.transmits.push_back(Transmit{Transmit::Broadcast, 0, 0xffffffff, Decline, b.build()});
    logf("DHCPDECLINE of 0x%08x", lease_.address);
    a.events.push_back(Event{Event::Declined, {}});
    // The declined address must not come back as a hint in the next DISCOVER.
    rebootAddress_ = 0;
    // RFC 2131 3.1.5: "The client SHOULD wait a minimum of ten seconds before
    // restarting the configuration process to avoid excessive network traffic in
    // case of looping."
    restartAfter(now, kDeclineWait);
  }
  a.deadline = deadline();
  out_ = nullptr;
  return a;
}

Actions Client::timeout(Usec now) {
  Actions a;
  out_ = &a;
  switch (state_) {
    case State::Stopped:
    case State::InitReboot:
      break;
    case State::Init:
      if (initAt_ && now >= initAt_) sendDiscover(now);
      break;
    case State::Selecting:
      if (now >= retransmitAt_) {
        // RFC 2131 4.4.1: the client keeps broadcasting DHCPDISCOVER until offered.
        attempt_++;
        transmitDiscover(now);
        retransmitAt_ = now + jitteredBackoff();
        // Sent at about 0, 4, 12 and 28 s: the fourth unanswered DISCOVER is where
        // gdhcp (six DISCOVERs 5 s apart) would report "no lease".
        if (attempt_ == kNoLeaseAttempt) out_->events.push_back(Event{Event::NoLease, {}});
      }
      break;
    case State::Requesting:
    case State::Rebooting:
      if (now >= retransmitAt_) {
        unsigned limit = state_ == State::Rebooting ? kRebootAttempts : kRequestAttempts;
        if (attempt_ + 1 >= limit) {
          // RFC 2131 3.1.5 / 3.2: "If the client receives neither a DHCPACK or a
          // DHCPNAK message after employing the retransmission algorithm, the
          // client reverts to INIT state and restarts the initialization process".
          // The old address stays as a hint in the DISCOVER (option 50).
          logf("no DHCPACK after %u DHCPREQUESTs, restarting discovery", attempt_ + 1);
          restartAfter(now, 0);
        } else {
          attempt_++;
          transmitRequest(now);
          retransmitAt_ = now + jitteredBackoff();
        }
      }
      break;
    case State::Bound:
    case State::Renewing:
    case State::Rebinding:
      if (expiryAt_ && now >= expiryAt_) {
        expire(now);
      } else if (state_ != State::Rebinding && t2At_ && now >= t2At_) {
        // RFC 2131 4.4.5: "If no DHCPACK arrives before time T2, the client moves
        // to REBINDING state and sends (via broadcast) a DHCPREQUEST message".
        enterRebinding(now);
      } else if (state_ == State::Bound && t1At_ && now >= t1At_) {
        // RFC 2131 4.4.5: "At time T1 the client moves to RENEWING state and sends
        // (via unicast) a DHCPREQUEST message to the server".
        enterRenewing(now);
      } else if (state_ != State::Bound && retransmitAt_ && now >= retransmitAt_) {
        attempt_++;
        transmitRequest(now);
        armLeaseRetransmit(now, state_ == State::Renewing ? t2At_ : expiryAt_);
      }
      break;
  }
  a.deadline = deadline();
  out_ = nullptr;
  return a;
}

Actions Client::receive(Usec now, Source src, const uint8_t* data, size_t len,
                        bool udpChecksumReady) {
  Actions a;
  out_ = &a;
  const uint8_t* payload = data;
  size_t plen = len;
  bool ok = true;
  if (src == Source::Packet) {
    wire::UdpDatagram d;
    wire::FrameError fe = wire::parseIpv4Udp(data, len, kClientPort, udpChecksumReady, &d);
    if (fe != wire::FrameError::None) {
      logf("DHCPv4 frame of %zu bytes: %s, ignoring", len, wire::frameErrorName(fe));
      ok = false;
    } else {
      payload = d.payload.data;
      plen = d.payload.size;
    }
  }
  Message m;
  if (ok) {
    ParseError pe = parseMessage(payload, plen, &m);
    if (pe != ParseError::None) {
      logf("DHCPv4 message of %zu bytes: %s, ignoring", plen, parseErrorName(pe));
      ok = false;
    }
  }
  if (ok && m.op != BootReply) {
    logf("DHCPv4 message with op %u is not a BOOTREPLY, ignoring", m.op);
    ok = false;
  }
  if (ok && m.xid != xid_) {
    logf("%s xid 0x%08x is not ours (0x%08x), ignoring", messageTypeName(m.type), m.xid, xid_);
    ok = false;
  }
  if (ok && (m.htype != 1 || m.hlen != 6 || std::memcmp(m.chaddr.data(), config_.mac.data(), 6))) {
    logf("%s for another hardware address, ignoring", messageTypeName(m.type));
    ok = false;
  }
  if (ok) handleMessage(now, m);
  a.deadline = deadline();
  out_ = nullptr;
  return a;
}

void Client::handleMessage(Usec now, const Message& m) {
  switch (state_) {
    case State::Init:
    case State::InitReboot:
    case State::Bound:
    case State::Stopped:
      break;
    case State::Selecting:
      if (m.type != Offer) break;
      {
        uint32_t server = 0;
        const auto& sid = m.options.get(opt::ServerId);
        if (sid.size() == 4)
          server = (uint32_t{sid[0]} << 24) | (uint32_t{sid[1]} << 16) |
                   (uint32_t{sid[2]} << 8) | sid[3];
        // RFC 2131 table 3: a DHCPOFFER MUST carry 'server identifier', and it
        // is the only way to name the server we choose in the DHCPREQUEST.
        if (m.yiaddr == 0 || server == 0) {
          logf("DHCPOFFER without address or server identifier, ignoring");
          return;
        }
        // RFC 2131 4.4.1: the client "MAY choose to collect several DHCPOFFER
        // messages"; the first acceptable offer is taken.
        logf("DHCPOFFER of 0x%08x from 0x%08x", m.yiaddr, server);
        enterRequesting(now, m.yiaddr, server);
      }
      return;
    case State::Requesting:
    case State::Rebooting:
    case State::Renewing:
    case State::Rebinding:
      if (m.type == Ack) {
        handleAck(now, m);
        return;
      }
      if (m.type == Nak) {
        handleNak(now, m);
        return;
      }
      break;
  }
  logf("unexpected %s in %s, ignoring", messageTypeName(m.type), stateName(state_));
}

void Client::handleAck(Usec now, const Message& m) {
  Lease l;
  const char* why = "";
  if (!leaseFromMessage(m, &l, &why)) {
    logf("DHCPACK: %s, ignoring", why);
    return;
  }
  if (state_ == State::Requesting && l.serverId && l.serverId != offeredServer_) {
    logf("DHCPACK from 0x%08x, not the server we chose, ignoring", l.serverId);
    return;
  }
  if (!m.options.has(opt::LeaseTime) || m.options.get(opt::LeaseTime).size() != 4) {
    // RFC 2131 table 3: 'IP address lease time' is MUST in a DHCPACK to a DHCPREQUEST.
    logf("DHCPACK without lease time, ignoring");
    return;
  }
  if (l.serverId == 0)
    l.serverId = state_ == State::Requesting ? offeredServer_ : (haveLease_ ? lease_.serverId : 0);
  if (l.serverId == 0) {
    logf("DHCPACK without server identifier, ignoring");
    return;
  }

  if (l.leaseTime != kInfiniteLease) {
    if (l.leaseTime < kMinLeaseSeconds) l.leaseTime = kMinLeaseSeconds;
    // RFC 2131 4.4.5: "T1 defaults to (0.5 * duration_of_lease). T2 defaults to
    // (0.875 * duration_of_lease)." Server values that break T1 < T2 < lease
    // are replaced by those defaults.
    uint64_t lt = l.leaseTime;
    if (l.t2 == 0 || l.t2 >= lt) l.t2 = static_cast<uint32_t>(lt * 7 / 8);
    if (l.t1 == 0 || l.t1 >= l.t2) l.t1 = static_cast<uint32_t>(lt / 2 < l.t2 ? lt / 2 : l.t2 / 2);
    // RFC 2131 4.4.1: the lease runs from "the time at which the original request was sent".
    Usec base = requestSentAt_;
    if (base + Usec{l.leaseTime} * kSecond <= now) {
      // Found by fuzzing: an answer to a request sent longer ago than the lease
      // it grants would arm timers in the past; it is stale.
      logf("DHCPACK for a request sent %llus ago outlives its own lease, ignoring",
           static_cast<unsigned long long>((now - base) / kSecond));
      return;
    }
    t1At_ = base + Usec{l.t1} * kSecond;
    t2At_ = base + Usec{l.t2} * kSecond;
    expiryAt_ = base + Usec{l.leaseTime} * kSecond;
  } else {
    l.t1 = l.t2 = kInfiniteLease;
    t1At_ = t2At_ = expiryAt_ = 0;
  }

  bool renewal = haveLease_ && (state_ == State::Renewing || state_ == State::Rebinding);
  if (renewal && l.address != lease_.address) {
    // A different address is a new lease: the old one is gone first.
    out_->events.push_back(Event{Event::Expired, {}});
    renewal = false;
  }
  haveLease_ = true;
  lease_ = l;
  rebootAddress_ = l.address;
  nakCount_ = 0;
  retransmitAt_ = 0;
  setState(State::Bound);
  logf("DHCPACK: 0x%08x/%u lease %us t1 %us t2 %us", l.address, l.prefixLength, l.leaseTime,
       l.t1, l.t2);
  out_->events.push_back(Event{renewal ? Event::Renewed : Event::Bound, l});
}

void Client::handleNak(Usec now, const Message& m) {
  const auto& sid = m.options.get(opt::ServerId);
  uint32_t server = sid.size() == 4 ? (uint32_t{sid[0]} << 24) | (uint32_t{sid[1]} << 16) |
                                          (uint32_t{sid[2]} << 8) | sid[3]
                                    : 0;
  if (state_ == State::Requesting && server && server != offeredServer_) {
    logf("DHCPNAK from 0x%08x, not the server we chose, ignoring", server);
    return;
  }
  // RFC 2131 3.1.5: "If the client receives a DHCPNAK message, the client
  // restarts the configuration process." Repeated NAKs back off so that a broken
  // server cannot drive a DISCOVER/NAK loop at wire speed.
  logf("DHCPNAK in %s", stateName(state_));
  out_->events.push_back(Event{Event::Nak, {}});
  rebootAddress_ = 0;
  unsigned n = nakCount_ < 5 ? nakCount_ : 5;
  Usec delay = nakCount_ == 0 ? 0 : (Usec{2} << n) * kSecond;
  nakCount_++;
  restartAfter(now, delay);
}

}  // namespace sy::dhcp4
