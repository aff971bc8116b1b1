// SPDX-License-Identifier: Apache-2.0
#include "client.h"

#include <cstdarg>
#include <cstdio>

#include "../wire/writer.h"

namespace sy::dhcp6 {

namespace {

// RFC 8415 18.2.1: "The client MUST include an Option Request option ... to request
// the SOL_MAX_RT option ... and any other options the client is interested in".
constexpr uint16_t kOro[] = {opt::DnsServers, opt::DomainList, opt::NtpServer, opt::SntpServers,
                             opt::SolMaxRt};
// RFC 8415 18.2.6: an Information-request asks for INF_MAX_RT and the refresh time.
constexpr uint16_t kOroInform[] = {opt::DnsServers, opt::DomainList, opt::NtpServer,
                                   opt::SntpServers, opt::InfoRefreshTime, opt::InfMaxRt};
// Never renew more often than this, whatever the server's lifetimes say: a
// deprecated address (preferred 0) would otherwise make T1 zero and RENEW spin.
constexpr uint32_t kMinT1 = 60;

Usec minNonZero(Usec a, Usec b) {
  if (a == 0) return b;
  if (b == 0) return a;
  return a < b ? a : b;
}

Usec at(Usec now, uint32_t seconds) {
  return seconds == kInfinity ? 0 : now + Usec{seconds} * kSecond;
}

template <size_t N>
std::vector<uint8_t> oro(const uint16_t (&codes)[N]) {
  std::vector<uint8_t> v;
  wire::Writer w(&v);
  for (uint16_t c : codes) w.be16(c);
  return v;
}

}  // namespace

const char* stateName(State s) {
  switch (s) {
    case State::Stopped: return "STOPPED";
    case State::Soliciting: return "SOLICITING";
    case State::Requesting: return "REQUESTING";
    case State::Bound: return "BOUND";
    case State::Renewing: return "RENEWING";
    case State::Rebinding: return "REBINDING";
    case State::Confirming: return "CONFIRMING";
    case State::Informing: return "INFORMING";
    case State::Informed: return "INFORMED";
  }
  return "?";
}

Client::Client(ClientConfig config, Random random, Logger log)
    : config_(std::move(config)), random_(std::move(random)), log_(std::move(log)) {
  duid_ = config_.duid;
  if (duid_.empty()) {
    // RFC 8415 11.4: DUID-LL is type 3, hardware type (1 = Ethernet), then the
    // link-layer address. No time and no storage, so it survives a wiped disk.
    duid_ = {0, 3, 0, 1};
    duid_.insert(duid_.end(), config_.mac.begin(), config_.mac.end());
  }
  iaid_ = config_.iaid;
  if (iaid_ == 0) {
    // RFC 8415 12: "The IAID ... must be consistent across restarts"; the MAC's low
    // bytes are, and differ between the interfaces of one host.
    const auto& m = config_.mac;
    iaid_ = (uint32_t{m[2]} << 24) | (uint32_t{m[3]} << 16) | (uint32_t{m[4]} << 8) | m[5];
  }
}

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
  logf("DHCPv6 state %s -> %s", stateName(state_), stateName(s));
  state_ = s;
}

void Client::newXid() { xid_ = random_() & 0xffffff; }

Usec Client::randomDelay(Usec max) { return max ? Usec{random_()} % (max + 1) : 0; }

Usec Client::deadline() const {
  Usec exchange = sendAt_ ? sendAt_ : retransmitAt_;
  switch (state_) {
    case State::Stopped: return 0;
    case State::Soliciting:
    case State::Requesting:
    case State::Informing: return exchange;
    case State::Confirming: return minNonZero(exchange, expiryAt_);
    case State::Bound: return minNonZero(minNonZero(t1At_, t2At_), expiryAt_);
    case State::Renewing: return minNonZero(minNonZero(retransmitAt_, t2At_), expiryAt_);
    case State::Rebinding: return minNonZero(retransmitAt_, expiryAt_);
    case State::Informed: return refreshAt_;
  }
  return 0;
}

void Client::addIas(MessageBuilder& b, const Lease* from, bool confirm) const {
  // RFC 8415 18.2.4: the client "SHOULD set the T1 and T2 fields ... and the
  // preferred-lifetime and valid-lifetime fields ... to 0"; the server decides.
  if (config_.requestAddress) {
    std::vector<uint8_t> ia;
    wire::Writer w(&ia);
    w.be32(iaid_);
    w.be32(0);
    w.be32(0);
    if (from) {
      for (const IaAddress& a : from->na.addresses) {
        std::vector<uint8_t> v(a.address.begin(), a.address.end());
        v.resize(24, 0);
        auto o = encodeOption(opt::IaAddr, v);
        w.bytes(o.data(), o.size());
      }
    }
    b.option(opt::IaNa, ia);
  }
  // RFC 8415 18.2.3: a Confirm carries IA_NAs only; prefixes are checked by Rebind.
  if (config_.requestPrefix && !confirm) {
    std::vector<uint8_t> ia;
    wire::Writer w(&ia);
    w.be32(iaid_);
    w.be32(0);
    w.be32(0);
    std::vector<IaPrefix> prefixes;
    if (from) prefixes = from->pd.prefixes;
    // RFC 8415 18.2.1: the client "MAY include ... IA Prefix options ... as hints",
    // here only the length, with the prefix left as ::.
    if (prefixes.empty() && config_.prefixHint) prefixes.push_back(IaPrefix{{}, config_.prefixHint, 0, 0});
    for (const IaPrefix& p : prefixes) {
      std::vector<uint8_t> v(8, 0);
      v.push_back(p.length);
      v.insert(v.end(), p.prefix.begin(), p.prefix.end());
      auto o = encodeOption(opt::IaPrefix, v);
      w.bytes(o.data(), o.size());
    }
    b.option(opt::IaPd, ia);
  }
}

std::vector<uint8_t> Client::buildMessage(Usec now) const {
  uint8_t type = 0;
  switch (state_) {
    case State::Soliciting: type = Solicit; break;
    case State::Requesting: type = Request; break;
    case State::Renewing: type = Renew; break;
    case State::Rebinding: type = Rebind; break;
    case State::Confirming: type = Confirm; break;
    case State::Informing: type = InformationRequest; break;
    case State::Stopped:
    case State::Bound:
    case State::Informed: return {};
  }
  MessageBuilder b(type, xid_);
  b.option(opt::ClientId, duid_);
  // RFC 8415 21.9: hundredths of a second since the first message of the exchange;
  // 0 in that first message, 0xffff for anything longer than it can hold.
  Usec cs = (now - rtx_.started()) / 10000;
  b.optionU16(opt::ElapsedTime, cs > 0xffff ? 0xffff : static_cast<uint16_t>(cs));
  switch (state_) {
    case State::Soliciting:
      b.option(opt::Oro, oro(kOro));
      // RFC 8415 18.2.1: "If the client is prepared to perform the Solicit/Reply
      // message exchange ... the client includes a Rapid Commit option".
      if (config_.rapidCommit) b.option(opt::RapidCommit, nullptr, 0);
      addIas(b, nullptr, false);
      break;
    case State::Requesting:
      // RFC 8415 18.2.2: "The client MUST include a Server Identifier option ...
      // identifying the server to which it is sending the Request".
      b.option(opt::ServerId, advertise_.serverId);
      b.option(opt::Oro, oro(kOro));
      addIas(b, &advertise_, false);
      break;
    case State::Renewing:
      b.option(opt::ServerId, lease_.serverId);
      b.option(opt::Oro, oro(kOro));
      addIas(b, &lease_, false);
      break;
    case State::Rebinding:
      // RFC 8415 18.2.5: a Rebind "MUST NOT include a Server Identifier option".
      b.option(opt::Oro, oro(kOro));
      addIas(b, &lease_, false);
      break;
    case State::Confirming: addIas(b, &lease_, true); break;
    case State::Informing: b.option(opt::Oro, oro(kOroInform)); break;
    case State::Stopped:
    case State::Bound:
    case State::Informed: break;
  }
  return b.build();
}

void Client::transmit(Usec now) {
  Transmit t;
  t.payload = buildMessage(now);
  if (t.payload.size() < 4) return;
  t.type = t.payload[0];
  logf("%s xid 0x%06x transmission %u", messageTypeName(t.type), xid_, rtx_.transmissions());
  out_->transmits.push_back(std::move(t));
}

void Client::beginExchange(Usec now, State s, const RetransmitParams& p, Usec maxDelay) {
  setState(s);
  newXid();
  params_ = p;
  retransmitAt_ = 0;
  sendAt_ = 0;
  Usec delay = randomDelay(maxDelay);
  if (delay) {
    sendAt_ = now + delay;
    return;
  }
  retransmitAt_ = rtx_.begin(now, params_, random_);
  transmit(now);
}

void Client::retransmitOrGiveUp(Usec now) {
  Usec next = 0;
  if (rtx_.next(now, random_, &next)) {
    retransmitAt_ = next;
    transmit(now);
    return;
  }
  retransmitAt_ = 0;
  switch (state_) {
    case State::Requesting:
      // RFC 8415 18.2.2: "If the message exchange fails, the client takes an action
      // based on the client's local policy" - ours is to find a server again.
      logf("no REPLY after %u REQUESTs, soliciting again", rtx_.transmissions());
      enterSoliciting(now);
      break;
    case State::Renewing: enterRebinding(now); break;
    case State::Rebinding: expire(now); break;
    case State::Confirming:
      // RFC 8415 18.2.12: "If the client receives no responses before the message
      // transmission process terminates ... the client SHOULD continue to use any
      // leases, using the last known lifetimes for those leases".
      logf("no REPLY to CONFIRM, keeping the lease");
      resumeBound(now);
      break;
    case State::Stopped:
    case State::Soliciting:
    case State::Bound:
    case State::Informing:
    case State::Informed: break;
  }
}

void Client::enterSoliciting(Usec now) {
  haveAdvertise_ = false;
  advertise_ = Lease{};
  // RFC 8415 18.2.1: "The first Solicit message from the client on the interface
  // SHOULD be delayed by a random amount of time between 0 and SOL_MAX_DELAY."
  beginExchange(now, State::Soliciting,
                RetransmitParams{rt::kSolTimeout, solMaxRt_, 0, 0, true}, rt::kSolMaxDelay);
}

void Client::enterRequesting(Usec now) {
  beginExchange(now, State::Requesting,
                RetransmitParams{rt::kReqTimeout, rt::kReqMaxRt, rt::kReqMaxRc, 0, false}, 0);
}

void Client::enterRenewing(Usec now) {
  // RFC 8415 18.2.4: "MRD Remaining time until earliest T2".
  Usec mrd = t2At_ > now ? t2At_ - now : 0;
  beginExchange(now, State::Renewing,
                RetransmitParams{rt::kRenTimeout, rt::kRenMaxRt, 0, mrd, false}, 0);
}

void Client::enterRebinding(Usec now) {
  // RFC 8415 18.2.5: "MRD Remaining time until valid lifetimes of all addresses
  // [and delegated prefixes] have expired".
  Usec mrd = expiryAt_ > now ? expiryAt_ - now : 0;
  beginExchange(now, State::Rebinding,
                RetransmitParams{rt::kRebTimeout, rt::kRebMaxRt, 0, mrd, false}, 0);
}

void Client::enterConfirming(Usec now) {
  // RFC 8415 18.2.3: "the client SHOULD delay sending the first Confirm message by a
  // random amount of time between 0 and CNF_MAX_DELAY".
  beginExchange(now, State::Confirming,
                RetransmitParams{rt::kCnfTimeout, rt::kCnfMaxRt, 0, rt::kCnfMaxRd, false},
                rt::kCnfMaxDelay);
}

void Client::enterInforming(Usec now) {
  refreshAt_ = 0;
  // RFC 8415 18.2.6: "the first Information-request message ... SHOULD be delayed
  // by a random amount of time between 0 and INF_MAX_DELAY".
  beginExchange(now, State::Informing,
                RetransmitParams{rt::kInfTimeout, infMaxRt_, 0, 0, false}, rt::kInfMaxDelay);
}

void Client::resumeBound(Usec now) {
  retransmitAt_ = 0;
  sendAt_ = 0;
  setState(State::Bound);
  // Found by fuzzing: a CONFIRM begun while RENEWING ends after T1 (or T2) has
  // passed; BOUND must not keep a deadline in the past, so what is due starts now.
  if (expiryAt_ && now >= expiryAt_) {
    expire(now);
  } else if (t2At_ && now >= t2At_) {
    enterRebinding(now);
  } else if (t1At_ && now >= t1At_) {
    enterRenewing(now);
  }
}

void Client::expire(Usec now) {
  logf("DHCPv6 lease expired");
  out_->events.push_back(Event{Event::Expired, {}});
  haveLease_ = false;
  lease_ = Lease{};
  t1At_ = t2At_ = expiryAt_ = 0;
  enterSoliciting(now);
}

bool Client::usable(const Lease& l) const {
  return (config_.requestAddress && !l.na.addresses.empty()) ||
         (config_.requestPrefix && !l.pd.prefixes.empty());
}

void Client::bind(Usec now, Lease l, bool renewal) {
  uint32_t t1 = 0, t2 = 0, minPreferred = kInfinity, maxValid = 0;
  for (const Ia* ia : {&l.na, &l.pd}) {
    if (!ia->present || ia->empty()) continue;
    if (ia->t1) t1 = t1 ? (ia->t1 < t1 ? ia->t1 : t1) : ia->t1;
    if (ia->t2) t2 = t2 ? (ia->t2 < t2 ? ia->t2 : t2) : ia->t2;
    for (const IaAddress& a : ia->addresses) {
      if (a.preferred < minPreferred) minPreferred = a.preferred;
      if (a.valid > maxValid) maxValid = a.valid;
    }
    for (const IaPrefix& p : ia->prefixes) {
      if (p.preferred < minPreferred) minPreferred = p.preferred;
      if (p.valid > maxValid) maxValid = p.valid;
    }
  }
  // RFC 8415 21.4: "If the time at which the addresses in an IA_NA are to be
  // renewed is to be left to the discretion of the client, the server sets the T1
  // and T2 values to 0" and "Recommended values for T1 and T2 are 0.5 and 0.8 times
  // the shortest preferred lifetime".
  if (t1 == 0) t1 = minPreferred == kInfinity ? kInfinity : minPreferred / 2;
  if (t2 == 0) t2 = minPreferred == kInfinity ? kInfinity : static_cast<uint32_t>(uint64_t{minPreferred} * 4 / 5);
  if (t1 < kMinT1) t1 = kMinT1;
  if (t2 < t1) t2 = t1;
  l.t1 = t1;
  l.t2 = t2;
  t1At_ = at(now, t1);
  t2At_ = at(now, t2);
  expiryAt_ = at(now, maxValid);
  haveLease_ = true;
  lease_ = std::move(l);
  haveAdvertise_ = false;
  retransmitAt_ = 0;
  sendAt_ = 0;
  setState(State::Bound);
  logf("REPLY: %zu addresses, %zu prefixes, t1 %us t2 %us valid %us", lease_.na.addresses.size(),
       lease_.pd.prefixes.size(), t1, t2, maxValid);
  out_->events.push_back(Event{renewal ? Event::Renewed : Event::Bound, lease_});
}

void Client::handleAdvertise(Usec now, Lease l) {
  // RFC 8415 18.2.9: "the client MUST process an included SOL_MAX_RT option even
  // if it discards the Advertise"; 21.24: values outside 60..86400 are ignored.
  if (l.solMaxRt >= 60 && l.solMaxRt <= 86400) {
    solMaxRt_ = Usec{l.solMaxRt} * kSecond;
    rtx_.setMrt(solMaxRt_);
  }
  if (!usable(l)) {
    // RFC 8415 18.2.9: "The client MUST ignore any Advertise message that contains
    // no addresses (IA Address options ...) and no delegated prefixes".
    logf("ADVERTISE grants nothing we asked for (status %s), ignoring", statusName(l.status));
    return;
  }
  if (!haveAdvertise_ || l.preference > advertise_.preference) {
    advertise_ = std::move(l);
    haveAdvertise_ = true;
  }
  logf("ADVERTISE with preference %u", advertise_.preference);
  // RFC 8415 18.2.1: "If the client receives a valid Advertise message that includes
  // a Preference option with a preference value of 255, the client immediately
  // begins a client-initiated message exchange"; otherwise it collects Advertises
  // for the first RT, and after that "acts on the received Advertise message without
  // waiting for any additional Advertise messages".
  if (advertise_.preference == 255 || rtx_.firstRtElapsed(now)) enterRequesting(now);
}

void Client::handleReply(Usec now, Lease l) {
  if (l.infMaxRt >= 60 && l.infMaxRt <= 86400) infMaxRt_ = Usec{l.infMaxRt} * kSecond;
  if (l.solMaxRt >= 60 && l.solMaxRt <= 86400) solMaxRt_ = Usec{l.solMaxRt} * kSecond;
  if (state_ == State::Informing) rtx_.setMrt(infMaxRt_);
  if (state_ == State::Soliciting) rtx_.setMrt(solMaxRt_);
  if (l.status == UnspecFail || l.status == UseMulticast) {
    // RFC 8415 18.2.10: on UnspecFail a client that retries "MUST limit the rate at
    // which it retransmits"; the running schedule does. We always multicast.
    logf("REPLY with status %s, ignoring", statusName(l.status));
    return;
  }
  switch (state_) {
    case State::Informing: {
      // RFC 8415 21.23: without the option "the client MUST use IRT_DEFAULT"; a
      // smaller value than IRT_MINIMUM is raised to it.
      uint32_t refresh = l.infoRefresh ? l.infoRefresh : rt::kIrtDefault;
      if (refresh < rt::kIrtMinimum) refresh = rt::kIrtMinimum;
      refreshAt_ = at(now, refresh);
      lease_ = std::move(l);
      retransmitAt_ = 0;
      setState(State::Informed);
      logf("REPLY: %zu DNS servers, %zu domains, refresh in %us", lease_.dns.size(),
           lease_.domains.size(), refresh);
      out_->events.push_back(Event{Event::Info, lease_});
      return;
    }
    case State::Confirming:
      // RFC 8415 18.2.10.2: "If the client receives a NotOnLink status from the
      // server in response to a Confirm message, the client performs DHCP server
      // solicitation ... as described in Section 18.2.1"; Success: keep using them.
      if (l.status == NotOnLink) {
        logf("CONFIRM answered NotOnLink: the link has moved");
        expire(now);
      } else {
        logf("CONFIRM answered %s, keeping the lease", statusName(l.status));
        resumeBound(now);
      }
      return;
    case State::Soliciting:
      if (!usable(l)) {
        // Found against dnsmasq: it answers a Rapid Commit Solicit for an IA_PD it
        // cannot serve with a NoAddrsAvail Reply. Restarting the exchange on that
        // sends a new Solicit every few hundred ms; like an empty Advertise (RFC 8415
        // 18.2.9) it is ignored and the Solicit schedule runs on.
        logf("REPLY to SOLICIT grants nothing we asked for (status %s), ignoring",
             statusName(l.na.status != Success ? l.na.status : l.pd.status != Success ? l.pd.status : l.status));
        return;
      }
      bind(now, std::move(l), false);
      return;
    case State::Requesting:
      if (l.na.status == NotOnLink || l.status == NotOnLink) {
        // RFC 8415 18.2.10.1: on NotOnLink the client "can either reissue the message
        // without specifying any addresses or restart the DHCP server discovery".
        logf("REPLY: NotOnLink, soliciting again");
        enterSoliciting(now);
        return;
      }
      if (!usable(l)) {
        logf("REPLY grants nothing we asked for (status %s), soliciting again", statusName(l.status));
        enterSoliciting(now);
        return;
      }
      bind(now, std::move(l), false);
      return;
    case State::Renewing:
    case State::Rebinding:
      if (l.na.status == NoBinding || l.pd.status == NoBinding) {
        // RFC 8415 18.2.10.1: "If the client receives a Reply message with a status
        // code of NoBinding ... the client sends a Request message to reestablish an
        // IA with the server."
        // The server holds no binding, so nothing vouches for the lease any more:
        // it is dropped (Expired), and its addresses go back as hints in the Request.
        logf("REPLY: NoBinding, requesting again");
        advertise_ = lease_;
        advertise_.serverId = l.serverId;
        out_->events.push_back(Event{Event::Expired, {}});
        haveLease_ = false;
        lease_ = Lease{};
        t1At_ = t2At_ = expiryAt_ = 0;
        enterRequesting(now);
        return;
      }
      if (!usable(l)) {
        logf("REPLY keeps nothing of the lease");
        expire(now);
        return;
      }
      bind(now, std::move(l), true);
      return;
    case State::Stopped:
    case State::Bound:
    case State::Informed: return;
  }
}

void Client::handle(Usec now, const Message& m, Lease l) {
  switch (state_) {
    case State::Soliciting:
      if (m.type == Advertise) return handleAdvertise(now, std::move(l));
      // RFC 8415 18.2.10: a Reply to a Solicit is taken only with Rapid Commit in both.
      if (m.type == Reply && config_.rapidCommit && l.rapidCommit) return handleReply(now, std::move(l));
      break;
    case State::Requesting:
    case State::Renewing:
    case State::Rebinding:
    case State::Confirming:
    case State::Informing:
      if (m.type == Reply) return handleReply(now, std::move(l));
      break;
    case State::Stopped:
    case State::Bound:
    case State::Informed: break;
  }
  logf("unexpected %s in %s, ignoring", messageTypeName(m.type), stateName(state_));
}

Actions Client::start(Usec now) {
  Actions a;
  out_ = &a;
  if (state_ != State::Stopped) {
    logf("DHCPv6 start in %s, ignoring", stateName(state_));
  } else if (config_.stateless) {
    enterInforming(now);
  } else {
    enterSoliciting(now);
  }
  a.deadline = deadline();
  out_ = nullptr;
  return a;
}

Actions Client::stop(Usec now, bool release) {
  Actions a;
  out_ = &a;
  if (state_ != State::Stopped) {
    bool held = haveLease_ && (state_ == State::Bound || state_ == State::Renewing ||
                               state_ == State::Rebinding || state_ == State::Confirming);
    if (release && held) {
      // RFC 8415 18.2.7: a Release carries the Server Identifier and the IAs to
      // give back. It goes out once: the caller is tearing the interface down and
      // will not wait out REL_MAX_RC retransmissions.
      newXid();
      rtx_.begin(now, RetransmitParams{}, random_);
      MessageBuilder b(Release, xid_);
      b.option(opt::ClientId, duid_);
      b.option(opt::ServerId, lease_.serverId);
      b.optionU16(opt::ElapsedTime, 0);
      addIas(b, &lease_, false);
      a.transmits.push_back(Transmit{Release, b.build()});
      logf("RELEASE xid 0x%06x", xid_);
    }
    haveLease_ = false;
    haveAdvertise_ = false;
    lease_ = Lease{};
    t1At_ = t2At_ = expiryAt_ = retransmitAt_ = sendAt_ = refreshAt_ = 0;
    setState(State::Stopped);
    a.events.push_back(Event{Event::Stopped, {}});
  }
  a.deadline = deadline();
  out_ = nullptr;
  return a;
}

Actions Client::linkChanged(Usec now) {
  Actions a;
  out_ = &a;
  switch (state_) {
    case State::Bound:
    case State::Renewing:
    case State::Rebinding:
    case State::Confirming:
      if (config_.requestAddress && !lease_.na.addresses.empty()) {
        enterConfirming(now);
      } else {
        // RFC 8415 18.2.5: with only delegated prefixes, "the client MUST initiate
        // a Rebind/Reply message exchange".
        enterRebinding(now);
      }
      break;
    case State::Informed:
    case State::Informing: enterInforming(now); break;
    case State::Soliciting:
    case State::Requesting: enterSoliciting(now); break;
    case State::Stopped: break;
  }
  a.deadline = deadline();
  out_ = nullptr;
  return a;
}

Actions Client::timeout(Usec now) {
  Actions a;
  out_ = &a;
  switch (state_) {
    case State::Stopped: break;
    case State::Soliciting:
    case State::Requesting:
    case State::Confirming:
    case State::Informing:
      if (state_ == State::Confirming && expiryAt_ && now >= expiryAt_) {
        expire(now);
      } else if (sendAt_ && now >= sendAt_) {
        sendAt_ = 0;
        retransmitAt_ = rtx_.begin(now, params_, random_);
        transmit(now);
      } else if (!sendAt_ && retransmitAt_ && now >= retransmitAt_) {
        if (state_ == State::Soliciting && haveAdvertise_) {
          enterRequesting(now);  // the first RT is over: take the best Advertise
        } else {
          retransmitOrGiveUp(now);
        }
      }
      break;
    case State::Bound:
    case State::Renewing:
    case State::Rebinding:
      if (expiryAt_ && now >= expiryAt_) {
        expire(now);
      } else if (state_ != State::Rebinding && t2At_ && now >= t2At_) {
        // RFC 8415 18.2.5: "At time T2 ... the client initiates a Rebind/Reply
        // message exchange with any available server."
        enterRebinding(now);
      } else if (state_ == State::Bound && t1At_ && now >= t1At_) {
        // RFC 8415 18.2.4: "At time T1, the client initiates a Renew/Reply message
        // exchange to extend the lifetimes".
        enterRenewing(now);
      } else if (state_ != State::Bound && retransmitAt_ && now >= retransmitAt_) {
        retransmitOrGiveUp(now);
      }
      break;
    case State::Informed:
      // RFC 8415 18.2.6: the client refreshes when the information refresh time ends.
      if (refreshAt_ && now >= refreshAt_) enterInforming(now);
      break;
  }
  a.deadline = deadline();
  out_ = nullptr;
  return a;
}

Actions Client::receive(Usec now, const uint8_t* data, size_t len) {
  Actions a;
  out_ = &a;
  Message m;
  Lease l;
  const char* why = "";
  ParseError pe = parseMessage(data, len, &m);
  if (pe != ParseError::None) {
    logf("DHCPv6 message of %zu bytes: %s, ignoring", len, parseErrorName(pe));
  } else if (m.type == Reconfigure) {
    // RFC 8415 18.2.11: Reconfigure needs the authentication we do not implement;
    // "the client MUST discard" one it cannot authenticate.
    logf("RECONFIGURE, not supported, ignoring");
  } else if (m.type != Advertise && m.type != Reply) {
    logf("%s is not for a client, ignoring", messageTypeName(m.type));
  } else if (sendAt_ || retransmitAt_ == 0) {
    logf("%s with no exchange in progress, ignoring", messageTypeName(m.type));
  } else if (m.xid != xid_) {
    logf("%s xid 0x%06x is not ours (0x%06x), ignoring", messageTypeName(m.type), m.xid, xid_);
  } else if (!decodeServerMessage(m, iaid_, iaid_, &l, &why)) {
    logf("%s: %s, ignoring", messageTypeName(m.type), why);
  } else if (l.clientId != duid_) {
    // RFC 8415 16.3 / 16.10: discard if the Client Identifier is absent or "the
    // contents ... do not match the client's DUID".
    logf("%s for another client identifier, ignoring", messageTypeName(m.type));
  } else {
    handle(now, m, std::move(l));
  }
  a.deadline = deadline();
  out_ = nullptr;
  return a;
}

}  // namespace sy::dhcp6
