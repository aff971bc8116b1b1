// SPDX-License-Identifier: Apache-2.0
#include "dns-proxy.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstring>
#include <unordered_map>

#include "boottime.h"
#include "udp-replies.h"

namespace sy::io {
namespace {

enum Kind : uint64_t { kUdpListen = 1, kTcpListen = 2, kTcpClient = 3, kUpstream = 4, kWake = 5, kPooled = 6 };
uint64_t tag(Kind k, uint64_t v) { return (uint64_t{k} << 56) | (v & ((uint64_t{1} << 56) - 1)); }

constexpr size_t kBatch = 32;
constexpr size_t kMaxTcpClients = 64;
constexpr size_t kMaxTcpMessage = 65535 + 2;
constexpr double kTcpIdle = 10.0;  // RFC 7766 6.2.3 suggests seconds, not minutes

struct UdpClient {
  int fd;
  sockaddr_storage addr;
  socklen_t len;
};

struct TcpConn {
  int fd = -1;
  std::vector<uint8_t> in, out;
  double lastActive = 0;
};

struct Upstream {  // a TCP attempt
  int fd = -1;
  std::vector<uint8_t> out;  // TCP: length-prefixed query not yet written
  std::vector<uint8_t> in;
};

// A UDP socket shared by several upstream queries to one server. RFC 5452 asks for a random source
// port and ID per query; a fresh socket per query gave that but cost a socket(), connect(),
// epoll_ctl() and close() each, most of the forwarding path's time. The trade here: each socket is
// still bound by the kernel to a random ephemeral port and connected to its one server, but carries
// at most kPoolUses queries and is handed out for at most kPoolAge seconds, then retired and closed
// once its last query ends. A spoofer who learnt one port gains a window of a few dozen queries
// at most, and every query still has its own random ID, which must match one in flight on that
// socket (and the question must match, checked by the engine) before the answer is taken.
constexpr uint32_t kPoolUses = 32;
constexpr double kPoolAge = 1.0;

struct PooledSock {
  int fd = -1;
  std::string server;
  uint32_t uses = 0;
  double born = 0;
  bool retired = false;
  std::unordered_map<uint16_t, uint64_t> byTxid;  // queries in flight: ID -> engine token
};

std::string serverKey(const dns::ServerAddr& s) {
  std::string k(reinterpret_cast<const char*>(&s.family), sizeof s.family);
  k.append(reinterpret_cast<const char*>(s.addr), sizeof s.addr);
  k.append(reinterpret_cast<const char*>(&s.port), sizeof s.port);
  k.append(reinterpret_cast<const char*>(&s.scope), sizeof s.scope);
  return k;
}

bool toSockaddr(const dns::ServerAddr& s, sockaddr_storage* ss, socklen_t* len) {
  std::memset(ss, 0, sizeof *ss);
  if (s.family == AF_INET) {
    auto* a = reinterpret_cast<sockaddr_in*>(ss);
    a->sin_family = AF_INET;
    a->sin_port = htons(s.port);
    std::memcpy(&a->sin_addr, s.addr, 4);
    *len = sizeof *a;
    return true;
  }
  if (s.family == AF_INET6) {
    auto* a = reinterpret_cast<sockaddr_in6*>(ss);
    a->sin6_family = AF_INET6;
    a->sin6_port = htons(s.port);
    std::memcpy(&a->sin6_addr, s.addr, 16);
    a->sin6_scope_id = s.scope;
    *len = sizeof *a;
    return true;
  }
  return false;
}

class RandomPool {
 public:
  uint32_t next() {
    if (pos_ == kN) {
      ssize_t n = getrandom(buf_, sizeof buf_, 0);
      if (n != static_cast<ssize_t>(sizeof buf_)) {
        // getrandom on Linux >= 3.17 does not fail for this size once seeded; keep going anyway.
        for (size_t i = 0; i < kN; ++i) buf_[i] ^= static_cast<uint32_t>(i * 2654435761u + BoottimeSeconds() * 1e9);
      }
      pos_ = 0;
    }
    return buf_[pos_++];
  }

 private:
  static constexpr size_t kN = 256;
  uint32_t buf_[kN] = {0};
  size_t pos_ = kN;
};

}  // namespace

struct DnsProxy::Loop {
  DnsProxy* owner;
  int ep = -1;
  std::vector<int> udp, tcp;
  RandomPool rnd;
  dns::Forwarder fw;
  const dns::DnsConfig* cfgSeen = nullptr;
  uint64_t nextClient = 1;
  uint64_t nextConn = 1;
  std::unordered_map<uint64_t, UdpClient> udpWaiting;    // client id -> where to answer
  UdpReplies replies;                                     // cache hits leave through here
  std::unordered_map<uint64_t, uint64_t> tcpWaiting;     // client id -> connection
  std::unordered_map<uint64_t, TcpConn> conns;
  std::unordered_map<uint64_t, Upstream> ups;            // engine token -> socket (TCP)
  std::unordered_map<uint64_t, PooledSock> pool;         // pooled UDP socket id -> socket
  std::unordered_map<std::string, uint64_t> poolCurrent; // server -> socket handing out now
  std::unordered_map<uint64_t, uint64_t> poolByToken;    // engine token -> pooled socket id
  uint64_t nextSock = 1;
  std::vector<uint8_t> reply;
  double lastIdleCheck = 0;

  Loop(DnsProxy* o, const dns::ForwarderOptions& e) : owner(o), fw([this]() { return rnd.next(); }, e) {}

  ~Loop() {
    for (int fd : udp) close(fd);
    for (int fd : tcp) close(fd);
    for (auto& kv : conns) close(kv.second.fd);
    for (auto& kv : ups) close(kv.second.fd);
    for (auto& kv : pool) close(kv.second.fd);
    if (ep >= 0) close(ep);
  }

  void run(int wakeFd) {
    epoll_event evs[64];
    for (;;) {
      auto cfg = std::atomic_load(&owner->cfg_);
      if (cfg.get() != cfgSeen) {
        fw.setConfig(cfg);
        cfgSeen = cfg.get();
        flush();
      }
      double now = BoottimeSeconds();
      double dl = fw.nextDeadline();
      int timeout = 1000;
      if (dl >= 0) timeout = std::max(0, std::min(1000, static_cast<int>((dl - now) * 1000) + 1));
      int n = epoll_wait(ep, evs, 64, timeout);
      if (n < 0 && errno != EINTR) return;
      now = BoottimeSeconds();
      for (int i = 0; i < n; ++i) {
        uint64_t d = evs[i].data.u64;
        Kind k = static_cast<Kind>(d >> 56);
        uint64_t v = d & ((uint64_t{1} << 56) - 1);
        switch (k) {
          case kWake: {
            uint64_t x;
            if (read(wakeFd, &x, sizeof x) == sizeof x && x >= (uint64_t{1} << 40)) return;  // stop
            break;
          }
          case kUdpListen: onUdp(static_cast<int>(v), now); break;
          case kTcpListen: onAccept(static_cast<int>(v), now); break;
          case kTcpClient: onConn(v, evs[i].events, now); break;
          case kUpstream: onUpstream(v, evs[i].events, now); break;
          case kPooled: onPooled(v, now); break;
        }
        flush();
      }
      fw.onTimer(now);
      flush();
      if (now - lastIdleCheck > 1) {
        lastIdleCheck = now;
        for (auto it = conns.begin(); it != conns.end();) {
          auto next = std::next(it);
          if (now - it->second.lastActive > kTcpIdle) dropConn(it->first);
          it = next;
        }
      }
      publish();
    }
  }

  void publish() {
    const dns::ForwarderStats& s = fw.stats();
    DnsProxyCounters& c = owner->counters_;
    c.queries.store(s.queries, std::memory_order_relaxed);
    c.cacheHits.store(fw.cache().stats().hits, std::memory_order_relaxed);
    c.forwarded.store(s.forwarded, std::memory_order_relaxed);
    c.answered.store(s.answered, std::memory_order_relaxed);
    c.upstreamTimeouts.store(s.upstreamTimeouts, std::memory_order_relaxed);
    c.badReplies.store(s.badReplies, std::memory_order_relaxed);
    c.tcpFallbacks.store(s.tcpFallbacks, std::memory_order_relaxed);
    c.flushes.store(s.flushes, std::memory_order_relaxed);
    c.cacheEntries.store(fw.cache().stats().entries, std::memory_order_relaxed);
    c.tcpClients.store(conns.size(), std::memory_order_relaxed);
    c.merged.store(s.merged, std::memory_order_relaxed);
    c.segmented.store(replies.segmentedAnswers(), std::memory_order_relaxed);
    c.segmentingOff.store(replies.segmenting() ? 0 : 1, std::memory_order_relaxed);
  }

  void onUdp(int fd, double now) {
    static thread_local uint8_t bufs[kBatch][4096];
    static thread_local std::vector<uint8_t> outs[kBatch];
    mmsghdr in[kBatch];
    iovec iov[kBatch];
    sockaddr_storage addrs[kBatch];
    UdpAnswer answers[kBatch];
    for (int round = 0; round < 8; ++round) {
      for (size_t i = 0; i < kBatch; ++i) {
        iov[i] = {bufs[i], sizeof bufs[i]};
        std::memset(&in[i], 0, sizeof in[i]);
        in[i].msg_hdr.msg_iov = &iov[i];
        in[i].msg_hdr.msg_iovlen = 1;
        in[i].msg_hdr.msg_name = &addrs[i];
        in[i].msg_hdr.msg_namelen = sizeof addrs[i];
      }
      int got = recvmmsg(fd, in, kBatch, MSG_DONTWAIT, nullptr);
      if (got <= 0) return;
      size_t nout = 0;
      for (int i = 0; i < got; ++i) {
        if (in[i].msg_hdr.msg_flags & MSG_TRUNC) continue;  // larger than any sane query
        uint64_t id = nextClient++;
        std::vector<uint8_t>& o = outs[nout];
        dns::QueryResult r = fw.onQuery(id, false, bufs[i], in[i].msg_len, now, &o);
        if (r == dns::QueryResult::Answered) {
          answers[nout++] = {&addrs[i], in[i].msg_hdr.msg_namelen, o.data(), o.size()};
        } else if (r == dns::QueryResult::Forwarded) {
          UdpClient c{fd, addrs[i], in[i].msg_hdr.msg_namelen};
          udpWaiting.emplace(id, c);
        }
      }
      replies.send(fd, answers, nout);
      if (static_cast<size_t>(got) < kBatch) return;
      flush();
    }
  }

  void onAccept(int lfd, double now) {
    for (;;) {
      int fd = accept4(lfd, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
      if (fd < 0) return;
      if (conns.size() >= kMaxTcpClients) {
        close(fd);
        continue;
      }
      uint64_t id = nextConn++;
      TcpConn& c = conns[id];
      c.fd = fd;
      c.lastActive = now;
      epoll_event ev{};
      ev.events = EPOLLIN | EPOLLRDHUP;
      ev.data.u64 = tag(kTcpClient, id);
      epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev);
    }
  }

  void dropConn(uint64_t id) {
    auto it = conns.find(id);
    if (it == conns.end()) return;
    close(it->second.fd);
    conns.erase(it);
  }

  void onConn(uint64_t id, uint32_t events, double now) {
    auto it = conns.find(id);
    if (it == conns.end()) return;
    TcpConn& c = it->second;
    c.lastActive = now;
    if (events & EPOLLOUT) {
      writeConn(id);
      if (!conns.count(id)) return;
    }
    if (!(events & (EPOLLIN | EPOLLHUP | EPOLLERR | EPOLLRDHUP))) return;
    uint8_t buf[8192];
    for (;;) {
      ssize_t n = read(c.fd, buf, sizeof buf);
      if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR)) return dropConn(id);
      if (n < 0) break;
      c.in.insert(c.in.end(), buf, buf + n);
      if (c.in.size() > kMaxTcpMessage * 2) return dropConn(id);
      size_t off = 0;
      while (c.in.size() - off >= 2) {
        size_t len = (size_t{c.in[off]} << 8) | c.in[off + 1];
        if (c.in.size() - off - 2 < len) break;
        uint64_t cid = nextClient++;
        dns::QueryResult r = fw.onQuery(cid, true, c.in.data() + off + 2, len, now, &reply);
        off += 2 + len;
        if (r == dns::QueryResult::Answered) queueConn(id, reply);
        else if (r == dns::QueryResult::Forwarded) tcpWaiting[cid] = id;
        if (!conns.count(id)) return;
      }
      TcpConn& cc = conns[id];
      cc.in.erase(cc.in.begin(), cc.in.begin() + static_cast<long>(off));
    }
  }

  void queueConn(uint64_t id, const std::vector<uint8_t>& msg) {
    auto it = conns.find(id);
    if (it == conns.end()) return;
    TcpConn& c = it->second;
    c.out.push_back(static_cast<uint8_t>(msg.size() >> 8));
    c.out.push_back(static_cast<uint8_t>(msg.size()));
    c.out.insert(c.out.end(), msg.begin(), msg.end());
    if (c.out.size() > 4 * kMaxTcpMessage) return dropConn(id);  // a client that does not read
    writeConn(id);
  }

  void writeConn(uint64_t id) {
    TcpConn& c = conns[id];
    while (!c.out.empty()) {
      ssize_t n = send(c.fd, c.out.data(), c.out.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
      if (n < 0 && (errno == EAGAIN || errno == EINTR)) break;
      if (n <= 0) return dropConn(id);
      c.out.erase(c.out.begin(), c.out.begin() + n);
    }
    epoll_event ev{};
    ev.events = EPOLLIN | EPOLLRDHUP | (c.out.empty() ? 0u : static_cast<uint32_t>(EPOLLOUT));
    ev.data.u64 = tag(kTcpClient, id);
    epoll_ctl(ep, EPOLL_CTL_MOD, c.fd, &ev);
  }

  void retire(uint64_t sid) {
    auto it = pool.find(sid);
    if (it == pool.end()) return;
    PooledSock& p = it->second;
    if (!p.retired) {
      p.retired = true;
      auto cur = poolCurrent.find(p.server);
      if (cur != poolCurrent.end() && cur->second == sid) poolCurrent.erase(cur);
    }
    if (p.byTxid.empty()) {
      close(p.fd);  // also leaves the epoll set
      pool.erase(it);
    }
  }

  // The socket the next query to this server goes out on: the current one while it is young, has
  // uses left and has no query in flight with the same ID, otherwise a fresh one.
  uint64_t pooledFor(const dns::UpstreamSend& s, uint16_t txid, double now) {
    std::string key = serverKey(s.server);
    auto cur = poolCurrent.find(key);
    if (cur != poolCurrent.end()) {
      PooledSock& p = pool.at(cur->second);
      if (p.uses < kPoolUses && now - p.born < kPoolAge && !p.byTxid.count(txid)) return cur->second;
      retire(cur->second);
    }
    sockaddr_storage ss;
    socklen_t len = 0;
    if (!toSockaddr(s.server, &ss, &len)) return 0;
    int fd = socket(s.server.family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) return 0;
    // connect() on a fresh socket: the kernel picks a random ephemeral source port (RFC 5452 9.2),
    // and a connected UDP socket only receives datagrams from that server.
    if (connect(fd, reinterpret_cast<sockaddr*>(&ss), len) < 0) {
      close(fd);
      return 0;
    }
    uint64_t sid = nextSock++;
    epoll_event ev{};
    ev.events = EPOLLIN;
    ev.data.u64 = tag(kPooled, sid);
    epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev);
    PooledSock& p = pool[sid];
    p.fd = fd;
    p.server = key;
    p.born = now;
    poolCurrent[key] = sid;
    return sid;
  }

  void sendPooled(const dns::UpstreamSend& s, double now) {
    if (s.message.size() < 2) return fw.onUpstreamError(s.token, now);
    uint16_t txid = static_cast<uint16_t>((s.message[0] << 8) | s.message[1]);
    uint64_t sid = pooledFor(s, txid, now);
    if (!sid) return fw.onUpstreamError(s.token, now);
    PooledSock& p = pool.at(sid);
    if (send(p.fd, s.message.data(), s.message.size(), MSG_NOSIGNAL | MSG_DONTWAIT) < 0) {
      retire(sid);
      return fw.onUpstreamError(s.token, now);
    }
    p.uses++;
    p.byTxid.emplace(txid, s.token);
    poolByToken.emplace(s.token, sid);
  }

  // The engine is done with this token (answered, timed out, abandoned): its ID is free again.
  bool releasePooled(uint64_t token) {
    auto it = poolByToken.find(token);
    if (it == poolByToken.end()) return false;
    uint64_t sid = it->second;
    poolByToken.erase(it);
    auto p = pool.find(sid);
    if (p == pool.end()) return true;
    for (auto t = p->second.byTxid.begin(); t != p->second.byTxid.end(); ++t) {
      if (t->second != token) continue;
      p->second.byTxid.erase(t);
      break;
    }
    if (p->second.retired) retire(sid);
    return true;
  }

  void onPooled(uint64_t sid, double now) {
    uint8_t buf[65536];
    for (;;) {
      auto it = pool.find(sid);
      if (it == pool.end()) return;
      ssize_t n = recv(it->second.fd, buf, sizeof buf, MSG_DONTWAIT);
      if (n < 0) {
        if (errno == EAGAIN || errno == EINTR) return;
        // ICMP unreachable: the server is not there, for every query waiting on this socket.
        std::vector<uint64_t> tokens;
        for (auto& kv : it->second.byTxid) tokens.push_back(kv.second);
        retire(sid);
        for (uint64_t t : tokens) fw.onUpstreamError(t, now);
        return;
      }
      if (n < 2) continue;  // not even an ID: nobody's answer
      auto q = it->second.byTxid.find(static_cast<uint16_t>((buf[0] << 8) | buf[1]));
      if (q == it->second.byTxid.end()) continue;  // an ID not in flight here: late or forged
      fw.onUpstream(q->second, buf, static_cast<size_t>(n), now);
    }
  }

  void openUpstream(const dns::UpstreamSend& s, double now) {
    if (!s.tcp) return sendPooled(s, now);
    sockaddr_storage ss;
    socklen_t len = 0;
    if (!toSockaddr(s.server, &ss, &len)) return fw.onUpstreamError(s.token, now);
    // One TCP connection per attempt (truncated answers only, rare); its source port is random too.
    int fd = socket(s.server.family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) return fw.onUpstreamError(s.token, now);
    int rc = connect(fd, reinterpret_cast<sockaddr*>(&ss), len);
    if (rc < 0 && errno != EINPROGRESS) {
      close(fd);
      return fw.onUpstreamError(s.token, now);
    }
    Upstream u;
    u.fd = fd;
    epoll_event ev{};
    ev.data.u64 = tag(kUpstream, s.token);
    u.out.push_back(static_cast<uint8_t>(s.message.size() >> 8));
    u.out.push_back(static_cast<uint8_t>(s.message.size()));
    u.out.insert(u.out.end(), s.message.begin(), s.message.end());
    ev.events = EPOLLOUT;  // only until connected and written: see onUpstream
    epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev);
    ups.emplace(s.token, std::move(u));
  }

  void onUpstream(uint64_t token, uint32_t events, double now) {
    auto it = ups.find(token);
    if (it == ups.end()) return;
    Upstream& u = it->second;
    if (events & EPOLLOUT) {
      int err = 0;
      socklen_t el = sizeof err;
      getsockopt(u.fd, SOL_SOCKET, SO_ERROR, &err, &el);
      if (err) return fw.onUpstreamError(token, now);
      ssize_t n = send(u.fd, u.out.data(), u.out.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
      if (n < 0 && errno != EAGAIN) return fw.onUpstreamError(token, now);
      if (n > 0) u.out.erase(u.out.begin(), u.out.begin() + n);
      if (u.out.empty()) {
        // CVE-2022-23098: a connected socket stays writable forever; watching EPOLLOUT after the
        // query is written would spin. From here on only readability (or hang-up) wakes us.
        epoll_event ev{};
        ev.events = EPOLLIN | EPOLLRDHUP;
        ev.data.u64 = tag(kUpstream, token);
        epoll_ctl(ep, EPOLL_CTL_MOD, u.fd, &ev);
      }
      return;
    }
    uint8_t buf[16384];
    for (;;) {
      ssize_t n = recv(u.fd, buf, sizeof buf, MSG_DONTWAIT);
      if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR)) return fw.onUpstreamError(token, now);
      if (n < 0) return;
      u.in.insert(u.in.end(), buf, buf + n);
      if (u.in.size() >= 2) {
        size_t len = (size_t{u.in[0]} << 8) | u.in[1];
        if (u.in.size() >= 2 + len) {
          // CVE-2022-23096: a message shorter than a header reaches the parser with its real
          // length, which refuses it; nothing here assumes 12 bytes are present.
          std::vector<uint8_t> msg(u.in.begin() + 2, u.in.begin() + 2 + static_cast<long>(len));
          fw.onUpstream(token, msg.data(), msg.size(), now);
          if (ups.count(token)) fw.onUpstreamError(token, now);  // one message per connection
          return;
        }
      }
    }
  }

  // Carries out what the engine asked for: new upstream sockets, closed ones, client answers.
  void flush() {
    double now = BoottimeSeconds();
    for (int guard = 0; guard < 16; ++guard) {
      bool any = false;
      if (!fw.closes().empty()) {
        any = true;
        std::vector<uint64_t> closes;
        closes.swap(fw.closes());
        for (uint64_t t : closes) {
          if (releasePooled(t)) continue;
          auto it = ups.find(t);
          if (it == ups.end()) continue;
          close(it->second.fd);
          ups.erase(it);
        }
      }
      if (!fw.sends().empty()) {
        any = true;
        std::vector<dns::UpstreamSend> sends;
        sends.swap(fw.sends());
        for (const auto& s : sends) openUpstream(s, now);
      }
      if (!fw.replies().empty()) {
        any = true;
        std::vector<dns::ClientReply> replies;
        replies.swap(fw.replies());
        for (const auto& r : replies) {
          auto u = udpWaiting.find(r.client);
          if (u != udpWaiting.end()) {
            sendto(u->second.fd, r.message.data(), r.message.size(), MSG_DONTWAIT | MSG_NOSIGNAL,
                   reinterpret_cast<sockaddr*>(&u->second.addr), u->second.len);
            udpWaiting.erase(u);
            continue;
          }
          auto t = tcpWaiting.find(r.client);
          if (t != tcpWaiting.end()) {
            uint64_t conn = t->second;
            tcpWaiting.erase(t);
            queueConn(conn, r.message);
          }
        }
      }
      if (!any) return;
    }
  }
};

namespace {
int bindListener(int family, const std::string& addr, uint16_t port, int type, std::string* why) {
  sockaddr_storage ss{};
  socklen_t len = 0;
  dns::ServerAddr a;
  a.family = family;
  a.port = port;
  if (inet_pton(family, addr.c_str(), a.addr) != 1) return *why = "bad listen address " + addr, -EINVAL;
  toSockaddr(a, &ss, &len);
  int fd = socket(family, type | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) return *why = "socket: " + std::string(strerror(errno)), -errno;
  int one = 1;
  setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  if (family == AF_INET6) setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof one);
  // Loopback may still be down when the daemon starts (the loopback plugin brings it up); bind
  // anyway, the address is ours the moment lo is up.
  setsockopt(fd, family == AF_INET6 ? IPPROTO_IPV6 : IPPROTO_IP, family == AF_INET6 ? IPV6_FREEBIND : IP_FREEBIND,
             &one, sizeof one);
  if (bind(fd, reinterpret_cast<sockaddr*>(&ss), len) < 0 || (type == SOCK_STREAM && listen(fd, 64) < 0)) {
    int e = errno;
    *why = "bind " + addr + ":" + std::to_string(port) + (type == SOCK_STREAM ? "/tcp: " : "/udp: ") + strerror(e);
    close(fd);
    return -e;
  }
  return fd;
}
}  // namespace

DnsProxy::DnsProxy() = default;
DnsProxy::~DnsProxy() { stop(); }

int DnsProxy::start(const DnsProxyOptions& opts, std::string* why) {
  if (loop_) return *why = "already started", EALREADY;
  if (opts.listen.empty()) return *why = "no listen address", EINVAL;
  auto loop = std::make_unique<Loop>(this, opts.engine);
  loop->ep = epoll_create1(EPOLL_CLOEXEC);
  wakeFd_ = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  if (loop->ep < 0 || wakeFd_ < 0) return *why = "epoll/eventfd", errno;
  for (const std::string& a : opts.listen) {
    int family = a.find(':') != std::string::npos ? AF_INET6 : AF_INET;
    int u = bindListener(family, a, opts.port, SOCK_DGRAM, why);
    if (u < 0) return close(wakeFd_), wakeFd_ = -1, -u;
    loop->udp.push_back(u);
    int t = bindListener(family, a, opts.port, SOCK_STREAM, why);
    if (t < 0) return close(wakeFd_), wakeFd_ = -1, -t;
    loop->tcp.push_back(t);
  }
  auto add = [&](int fd, uint64_t data) {
    epoll_event ev{};
    ev.events = EPOLLIN;
    ev.data.u64 = data;
    epoll_ctl(loop->ep, EPOLL_CTL_ADD, fd, &ev);
  };
  for (int fd : loop->udp) add(fd, tag(kUdpListen, static_cast<uint64_t>(fd)));
  for (int fd : loop->tcp) add(fd, tag(kTcpListen, static_cast<uint64_t>(fd)));
  add(wakeFd_, tag(kWake, 0));
  loop_ = std::move(loop);
  Loop* l = loop_.get();
  int wake = wakeFd_;
  thread_ = std::thread([l, wake]() { l->run(wake); });
  return 0;
}

void DnsProxy::setConfig(std::shared_ptr<const dns::DnsConfig> cfg) {
  std::atomic_store(&cfg_, std::move(cfg));
  if (wakeFd_ >= 0) {
    uint64_t one = 1;
    (void)!write(wakeFd_, &one, sizeof one);
  }
}

void DnsProxy::stop() {
  if (!loop_) return;
  uint64_t big = uint64_t{1} << 40;
  (void)!write(wakeFd_, &big, sizeof big);
  if (thread_.joinable()) thread_.join();
  loop_.reset();
  close(wakeFd_);
  wakeFd_ = -1;
}

}  // namespace sy::io
