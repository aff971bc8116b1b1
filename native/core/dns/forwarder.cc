// SPDX-License-Identifier: Apache-2.0
#include "forwarder.h"

#include <algorithm>

namespace sy::dns {

Forwarder::Forwarder(Random rng, ForwarderOptions opts)
    : rng_(std::move(rng)), opts_(opts), cfg_(std::make_shared<DnsConfig>()), cache_(opts.cache) {}

void Forwarder::setConfig(std::shared_ptr<const DnsConfig> cfg) {
  if (!cfg) cfg = std::make_shared<DnsConfig>();
  // Answers from the old servers may not hold for the new ones (a VPN came up, another network).
  if (!cfg->sameUpstreams(*cfg_)) {
    cache_.clear();
    inflight_.clear();  // queries in flight finish with the old servers; new ones must not join them
    stats_.flushes++;
  }
  cfg_ = std::move(cfg);
}

QueryResult Forwarder::onQuery(uint64_t client, bool clientTcp, const uint8_t* data, size_t size, double now,
                               std::vector<uint8_t>* reply) {
  stats_.queries++;
  if (now - lastSweep_ > 30) {
    cache_.sweep(now);
    lastSweep_ = now;
  }
  Message& m = scratch_;
  ParseError err = parseMessage(data, size, &m);
  if (size < kHeaderSize || m.h.qr()) {
    // Never answer an answer: two proxies pointed at each other would loop forever.
    stats_.dropped++;
    return QueryResult::Dropped;
  }
  ClientView view;
  view.id = m.h.id;
  view.flags = m.h.flags;
  if (err == ParseError::None && m.hasQuestion && m.h.opcode() != 0) {
    buildEmptyReply(m.h.id, static_cast<uint16_t>((m.h.flags & (0x7800 | kFlagRD)) | kFlagRA), kRcodeNotImp,
                    m.qname, m.qtype, m.qclass, reply);
    stats_.answered++;
    return QueryResult::Answered;
  }
  if (err != ParseError::None || !m.hasQuestion || m.h.opcode() != 0) {
    reply->clear();
    wire::Writer w(reply);
    uint8_t rcode = m.h.opcode() != 0 ? kRcodeNotImp : kRcodeFormErr;
    w.be16(m.h.id);
    w.be16(static_cast<uint16_t>(kFlagQR | (m.h.flags & (0x7800 | kFlagRD)) | kFlagRA | rcode));
    w.zeros(8);
    stats_.answered++;
    return QueryResult::Answered;
  }
  view.qname = m.qname;
  view.edns = m.hasOpt;
  view.limit = clientTcp ? 65535 : m.hasOpt ? std::min<size_t>(std::max<size_t>(m.optUdpSize, 512), 4096) : 512;
  uint8_t bits = keyBits(m.optDo, m.h.flags);
  if (cache_.lookup(m.qname, m.qtype, m.qclass, bits, now, view, reply)) {
    stats_.answered++;
    return QueryResult::Answered;
  }
  auto refuse = [&](uint8_t rcode) {
    buildEmptyReply(view.id, static_cast<uint16_t>((view.flags & (kFlagRD | kFlagCD)) | kFlagRA), rcode, m.qname,
                    m.qtype, m.qclass, reply);
    stats_.answered++;
    stats_.servfails++;
    return QueryResult::Answered;
  };
  std::string key;
  Cache::makeKey(m.qname, m.qtype, m.qclass, bits, &key);
  auto joined = inflight_.find(key);
  if (joined != inflight_.end()) {
    Pending& p = pending_.at(joined->second);
    if (p.waiters.size() >= opts_.maxWaiters) {
      stats_.dropped++;
      return QueryResult::Dropped;
    }
    p.waiters.push_back({client, view});
    stats_.merged++;
    return QueryResult::Forwarded;
  }
  if (pending_.size() >= opts_.maxPending) {
    stats_.dropped++;
    return QueryResult::Dropped;
  }
  uint64_t pid = nextPending_++;
  Pending& p = pending_[pid];
  p.waiters.push_back({client, view});
  p.qtype = m.qtype;
  p.qclass = m.qclass;
  p.dnssecOk = m.optDo;
  p.bits = bits;
  p.deadline = now + opts_.queryTimeout;
  Variant bare;
  bare.name = m.qname;
  bare.servers = routeName(*cfg_, m.qname);
  p.variants.push_back(std::move(bare));
  // A single-label name is also looked up under each search domain (connmand's behaviour that
  // clients rely on); a name with a dot inside is sent only as it is.
  if (m.qname.labelCount() == 1) {
    for (const Name& d : searchDomains(*cfg_, opts_.maxSearchDomains)) {
      Variant v;
      if (!nameConcat(m.qname, d, &v.name)) continue;
      v.servers = routeName(*cfg_, v.name);
      p.variants.push_back(std::move(v));
    }
  }
  bool any = false;
  for (const Variant& v : p.variants) any = any || !v.servers.empty();
  if (!any) {
    pending_.erase(pid);
    return refuse(kRcodeServFail);
  }
  p.key = key;
  inflight_.emplace(std::move(key), pid);
  timers_.push({p.deadline, pid, 0});
  for (size_t i = 0; i < p.variants.size(); ++i) startAttempt(pid, p, i, now, false);
  stats_.forwarded++;
  return QueryResult::Forwarded;
}

void Forwarder::startAttempt(uint64_t pid, Pending& p, size_t vi, double now, bool tcp) {
  Variant& v = p.variants[vi];
  if (!tcp) {
    if (v.next >= v.servers.size()) {
      v.finished = true;
      return;
    }
    v.current = v.next++;
  }
  v.token = nextToken_++;
  v.tcp = tcp;
  v.txid = static_cast<uint16_t>(rng_());
  UpstreamSend s;
  s.token = v.token;
  s.server = v.servers[v.current];
  s.tcp = tcp;
  uint16_t flags = static_cast<uint16_t>(p.view().flags & (kFlagRD | kFlagCD));
  buildQuery(v.txid, flags, v.name, p.qtype, p.qclass, opts_.ednsSize, p.dnssecOk, &s.message);
  sends_.push_back(std::move(s));
  byToken_[v.token] = {pid, vi};
  timers_.push({now + (tcp ? opts_.tcpTimeout : opts_.attemptTimeout), pid, v.token});
}

void Forwarder::cancel(Variant& v) {
  if (!v.token) return;
  byToken_.erase(v.token);
  closes_.push_back(v.token);
  v.token = 0;
}

void Forwarder::failover(uint64_t pid, Pending& p, size_t vi, double now) {
  cancel(p.variants[vi]);
  startAttempt(pid, p, vi, now, false);
  maybeComplete(pid, p, now);
}

void Forwarder::onUpstream(uint64_t token, const uint8_t* data, size_t size, double now) {
  auto it = byToken_.find(token);
  if (it == byToken_.end()) return;  // a late answer to an attempt we gave up on
  uint64_t pid = it->second.first;
  size_t vi = it->second.second;
  Pending& p = pending_.at(pid);
  Variant& v = p.variants[vi];
  Message& m = scratch_;
  ParseError err = parseMessage(data, size, &m);
  if (err != ParseError::None) {
    // Only the server itself can reach this connected socket: it sent garbage, so ask the next one.
    stats_.badReplies++;
    failover(pid, p, vi, now);
    return;
  }
  // RFC 5452 9.1: the ID and the question must match what we asked, or it is not our answer.
  if (!m.h.qr() || m.h.id != v.txid || !m.hasQuestion || !nameEquals(m.qname, v.name) || m.qtype != p.qtype ||
      m.qclass != p.qclass) {
    stats_.badReplies++;
    if (v.tcp) failover(pid, p, vi, now);  // a TCP stream that answers something else is broken
    return;
  }
  if (m.h.tc()) {
    if (!v.tcp) {
      // RFC 7766 5: a truncated UDP answer is retried over TCP, same server.
      stats_.tcpFallbacks++;
      cancel(v);
      startAttempt(pid, p, vi, now, true);
    } else {
      failover(pid, p, vi, now);
    }
    return;
  }
  uint8_t rc = m.h.rcode();
  if (rc == kRcodeServFail || rc == kRcodeRefused || rc == kRcodeNotImp || rc == kRcodeFormErr) {
    stats_.upstreamErrors++;
    // Only the bare name's failure can be passed on as it is: its question is the client's.
    if (vi == 0) p.lastFailure.assign(data, data + m.end);
    failover(pid, p, vi, now);
    return;
  }
  cancel(v);
  finishVariant(pid, p, vi, data, m.end, rc == kRcodeNoError && m.h.an > 0);
  maybeComplete(pid, p, now);
}

void Forwarder::onUpstreamError(uint64_t token, double now) {
  auto it = byToken_.find(token);
  if (it == byToken_.end()) return;
  stats_.upstreamErrors++;
  failover(it->second.first, pending_.at(it->second.first), it->second.second, now);
}

void Forwarder::finishVariant(uint64_t, Pending& p, size_t vi, const uint8_t* data, size_t size, bool positive) {
  Variant& v = p.variants[vi];
  v.finished = true;
  v.positive = positive;
  if (positive || vi == 0) v.reply.assign(data, data + size);
}

void Forwarder::maybeComplete(uint64_t pid, Pending& p, double now) {
  bool all = true;
  for (const Variant& v : p.variants) {
    if (v.positive) return complete(pid, p, now);
    all = all && v.finished;
  }
  if (all) complete(pid, p, now);
}

void Forwarder::complete(uint64_t pid, Pending& p, double now) {
  // Preference: the first variant with records (the bare name before any search domain), then the
  // bare name's negative answer, then the last upstream error, then our own SERVFAIL.
  size_t chosen = p.variants.size();
  for (size_t i = 0; i < p.variants.size() && chosen == p.variants.size(); ++i)
    if (p.variants[i].positive) chosen = i;
  if (chosen == p.variants.size() && !p.variants[0].reply.empty()) chosen = 0;
  Message& m = scratch_;
  if (chosen < p.variants.size()) {
    Variant& v = p.variants[chosen];
    if (parseMessage(v.reply.data(), v.reply.size(), &m) == ParseError::None) {
      if (chosen == 0) {
        respondFrom(p, v.reply.data(), v.reply.size(), m, now);
      } else {
        std::vector<uint8_t> rewritten;
        Message rm;
        if (rewriteOwner(v.reply.data(), v.reply.size(), m, p.view().qname, v.name, &rewritten) &&
            parseMessage(rewritten.data(), rewritten.size(), &rm) == ParseError::None)
          respondFrom(p, rewritten.data(), rewritten.size(), rm, now);
        else
          respondError(p, kRcodeServFail);
      }
    } else {
      respondError(p, kRcodeServFail);
    }
  } else if (!p.lastFailure.empty() &&
             parseMessage(p.lastFailure.data(), p.lastFailure.size(), &m) == ParseError::None) {
    stats_.servfails++;
    respondFrom(p, p.lastFailure.data(), p.lastFailure.size(), m, now);
  } else {
    respondError(p, kRcodeServFail);
  }
  for (Variant& v : p.variants) cancel(v);
  auto in = inflight_.find(p.key);
  if (in != inflight_.end() && in->second == pid) inflight_.erase(in);
  pending_.erase(pid);
}

void Forwarder::respondFrom(Pending& p, const uint8_t* data, size_t size, const Message& m, double now) {
  (void)size;
  cache_.insert(data, m, p.bits, now);
  Stored s;
  prepareStored(data, m, now, &s);
  for (const Waiter& w : p.waiters) {
    ClientReply r;
    r.client = w.client;
    serveStored(s, now, w.view, &r.message);
    replies_.push_back(std::move(r));
    stats_.answered++;
  }
}

void Forwarder::respondError(Pending& p, uint8_t rcode) {
  for (const Waiter& w : p.waiters) {
    ClientReply r;
    r.client = w.client;
    buildEmptyReply(w.view.id, static_cast<uint16_t>((w.view.flags & (kFlagRD | kFlagCD)) | kFlagRA), rcode,
                    w.view.qname, p.qtype, p.qclass, &r.message);
    replies_.push_back(std::move(r));
    stats_.answered++;
  }
  stats_.servfails++;
}

void Forwarder::onTimer(double now) {
  while (!timers_.empty() && timers_.top().at <= now) {
    Timer t = timers_.top();
    timers_.pop();
    auto pit = pending_.find(t.pending);
    if (pit == pending_.end()) continue;
    Pending& p = pit->second;
    if (t.token == 0) {
      complete(t.pending, p, now);
      continue;
    }
    auto it = byToken_.find(t.token);
    if (it == byToken_.end()) continue;  // that attempt already ended
    stats_.upstreamTimeouts++;
    failover(t.pending, p, it->second.second, now);
  }
}

double Forwarder::nextDeadline() {
  // Drop timers whose query or attempt is gone, so an idle proxy sleeps without waking up.
  while (!timers_.empty()) {
    const Timer& t = timers_.top();
    bool live = pending_.count(t.pending) && (t.token == 0 || byToken_.count(t.token));
    if (live) return t.at;
    timers_.pop();
  }
  return -1;
}

}  // namespace sy::dns
