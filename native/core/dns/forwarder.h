// SPDX-License-Identifier: Apache-2.0
// The proxy's engine, with no sockets and no clock: client queries and upstream replies go in
// with the time, and out come answers for clients and datagrams or TCP messages for upstream
// servers. The I/O shell (native/io/dns-proxy.cc) owns the sockets: a UDP socket per upstream
// attempt from a small, often rotated pool (each with a kernel-chosen random source port, connected
// so only that server can answer; the reply's ID picks the attempt) or one TCP connection, named by
// the attempt's token.
//
// Per query: answer from the cache if possible; otherwise ask the servers routeName() picks, one
// after the other, moving on after a timeout, SERVFAIL/REFUSED, a garbage reply or a refused
// connection; retry the same server over TCP when its UDP answer is truncated. A single-label name
// is also tried under each search domain (as connmand does), and the answer to such a variant is
// rewritten to the name the client asked for.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <queue>
#include <string>
#include <unordered_map>
#include <vector>

#include "cache.h"
#include "config.h"
#include "message.h"

namespace sy::dns {

struct ForwarderOptions {
  double attemptTimeout = 2.0;  // per server, UDP
  double tcpTimeout = 4.0;      // per server, TCP (connect + answer)
  double queryTimeout = 10.0;   // whole query, then SERVFAIL
  size_t maxPending = 512;
  size_t maxWaiters = 32;       // clients sharing one query in flight; more are dropped (they retry)
  size_t maxSearchDomains = 6;  // resolv.conf's MAXDNSRCH
  uint16_t ednsSize = 1232;     // the DNS flag day 2020 size: no fragmentation
  CacheLimits cache;
};

struct UpstreamSend {
  uint64_t token = 0;
  ServerAddr server;
  bool tcp = false;
  std::vector<uint8_t> message;  // without the TCP length prefix
};

struct ClientReply {
  uint64_t client = 0;
  std::vector<uint8_t> message;
};

struct ForwarderStats {
  uint64_t queries = 0, answered = 0, forwarded = 0, upstreamTimeouts = 0, upstreamErrors = 0,
           badReplies = 0, tcpFallbacks = 0, servfails = 0, dropped = 0, flushes = 0,
           merged = 0;
};

enum class QueryResult { Answered, Forwarded, Dropped };

class Forwarder {
 public:
  using Random = std::function<uint32_t()>;
  Forwarder(Random rng, ForwarderOptions opts = {});

  // Installs a snapshot; the cache is flushed when the servers or domains differ.
  void setConfig(std::shared_ptr<const DnsConfig> cfg);
  const DnsConfig* config() const { return cfg_.get(); }

  // A client's query. Answered: `reply` holds the answer (a cache hit, or an error such as
  // FORMERR). Forwarded: the upstream sends are queued (takeSends), the answer comes later
  // (takeReplies); a query identical to one already in flight (name modulo case, type, class, DO,
  // CD, RD) sends nothing and waits for that one's answer, dressed with its own ID and case. Dropped: nothing is sent back (a response, or not even a header).
  QueryResult onQuery(uint64_t client, bool clientTcp, const uint8_t* data, size_t size, double now,
                      std::vector<uint8_t>* reply);
  // A message from the upstream attempt `token` (UDP datagram or one TCP message).
  void onUpstream(uint64_t token, const uint8_t* data, size_t size, double now);
  // The attempt's socket failed (ICMP port unreachable, connection refused or reset).
  void onUpstreamError(uint64_t token, double now);
  void onTimer(double now);
  // The next time onTimer has work, or a negative value when nothing is pending.
  double nextDeadline();

  std::vector<UpstreamSend>& sends() { return sends_; }
  std::vector<ClientReply>& replies() { return replies_; }
  // Tokens whose sockets the shell should close (answered, timed out or abandoned).
  std::vector<uint64_t>& closes() { return closes_; }

  Cache& cache() { return cache_; }
  const ForwarderStats& stats() const { return stats_; }
  size_t pendingCount() const { return pending_.size(); }

 private:
  struct Variant {
    Name name;
    std::vector<ServerAddr> servers;
    size_t next = 0;      // index of the next server to try
    size_t current = 0;   // server of the active attempt
    uint64_t token = 0;   // active attempt, 0 when none
    uint16_t txid = 0;
    bool tcp = false;
    bool finished = false;
    bool positive = false;
    std::vector<uint8_t> reply;  // kept for the final answer (positive, or variant 0)
  };
  struct Waiter {
    uint64_t client = 0;
    ClientView view;
  };
  struct Pending {
    std::vector<Waiter> waiters;  // the first one's query is the one sent upstream
    const ClientView& view() const { return waiters.front().view; }
    uint16_t qtype = 0, qclass = 0;
    bool dnssecOk = false;
    uint8_t bits = 0;
    std::string key;              // in inflight_ while new queries may join
    double deadline = 0;
    std::vector<Variant> variants;
    std::vector<uint8_t> lastFailure;  // last SERVFAIL-ish reply, for when nothing better comes
  };
  struct Timer {
    double at;
    uint64_t pending;
    uint64_t token;  // 0: the whole query's deadline
    bool operator>(const Timer& o) const { return at > o.at; }
  };

  void startAttempt(uint64_t pid, Pending& p, size_t vi, double now, bool tcp);
  void failover(uint64_t pid, Pending& p, size_t vi, double now);
  void finishVariant(uint64_t pid, Pending& p, size_t vi, const uint8_t* data, size_t size, bool positive);
  void maybeComplete(uint64_t pid, Pending& p, double now);
  void complete(uint64_t pid, Pending& p, double now);
  void respondFrom(Pending& p, const uint8_t* data, size_t size, const Message& m, double now);
  void respondError(Pending& p, uint8_t rcode);
  void cancel(Variant& v);

  Random rng_;
  ForwarderOptions opts_;
  std::shared_ptr<const DnsConfig> cfg_;
  Cache cache_;
  ForwarderStats stats_;
  uint64_t nextPending_ = 1;
  uint64_t nextToken_ = 1;
  std::unordered_map<uint64_t, Pending> pending_;
  std::unordered_map<std::string, uint64_t> inflight_;  // Cache::makeKey -> pending
  std::unordered_map<uint64_t, std::pair<uint64_t, size_t>> byToken_;  // token -> (pending, variant)
  std::priority_queue<Timer, std::vector<Timer>, std::greater<Timer>> timers_;
  std::vector<UpstreamSend> sends_;
  std::vector<ClientReply> replies_;
  std::vector<uint64_t> closes_;
  Message scratch_;
  std::vector<uint8_t> buf_;
  double lastSweep_ = 0;
};

}  // namespace sy::dns
