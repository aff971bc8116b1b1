// SPDX-License-Identifier: Apache-2.0
// The event side of rtnetlink: one non-blocking socket in the link, address, route and rule groups.
#include <linux/rtnetlink.h>
#include <netlink/errno.h>
#include <netlink/msg.h>
#include <sys/socket.h>

#include <cerrno>
#include <map>
#include <set>

#include "io/netlink-internal.h"

namespace sy::io {

struct NetlinkMonitor::Impl {
  nl::SockPtr sk;
  nl_cb* cb = nullptr;  // our reference to the socket's callback set
  uint64_t spoofed = 0;
  uint64_t overruns = 0;
  int msgType = 0;  // type of the message nl_msg_parse is handing us objects from
  std::vector<NetlinkEventOut> events;
  // What we believe the kernel holds, so a resync after an overrun can report deletions too.
  std::map<int, LinkOut> links;
  std::map<std::string, AddrOut> addrs;
  std::map<std::string, RouteOut> routes;
  std::map<std::string, RuleOut> rules;
  std::unique_ptr<NetlinkControl> control;

  ~Impl() {
    if (cb != nullptr) nl_cb_put(cb);
  }

  static std::string Key(const AddrOut& a) {
    return std::to_string(a.index) + "/" + std::to_string(a.family) + "/" + a.address + "/" +
           std::to_string(a.prefixLength);
  }

  // The kernel's identity of a route: IPv4 replaces a route with the same table, destination and
  // metric (NLM_F_REPLACE swaps the gateway in place); IPv6 keeps one route per next hop.
  static std::string Key(const RouteOut& r) {
    std::string k = std::to_string(r.family) + "/" + std::to_string(r.table) + "/" + std::to_string(r.type) + "/" +
                    r.dst + "/" + std::to_string(r.prefixLength) + "/" + std::to_string(r.metric);
    if (r.family == 6) k += "/" + r.gateway + "/" + std::to_string(r.oif);
    return k;
  }

  static std::string Key(const RuleOut& r) {
    return std::to_string(r.family) + "/" + std::to_string(r.priority) + "/" + std::to_string(r.table) + "/" + r.src +
           "/" + std::to_string(r.srcLength) + "/" + std::to_string(r.fwmark) + "/" + std::to_string(r.fwmask) + "/" +
           std::to_string(r.action);
  }

  void linkSeen(const LinkOut& l) {
    links[l.index] = l;
    events.push_back({NetlinkEventOut::LinkNew, l, {}, {}, {}});
  }

  void linkGone(LinkOut l) {
    auto it = links.find(l.index);
    // /sys/class/net/<name> is already gone when the kernel reports the deletion.
    if (it != links.end()) {
      l.wireless = it->second.wireless;
      links.erase(it);
    }
    for (auto a = addrs.begin(); a != addrs.end();) {
      a = a->second.index == l.index ? addrs.erase(a) : std::next(a);
    }
    // The kernel drops a vanished link's IPv4 routes without a RTM_DELROUTE for each.
    for (auto r = routes.begin(); r != routes.end();) {
      r = r->second.oif == l.index ? routes.erase(r) : std::next(r);
    }
    events.push_back({NetlinkEventOut::LinkDel, l, {}, {}, {}});
  }

  void addrSeen(const AddrOut& a) {
    addrs[Key(a)] = a;
    events.push_back({NetlinkEventOut::AddrNew, {}, a, {}, {}});
  }

  void addrGone(const AddrOut& a) {
    addrs.erase(Key(a));
    events.push_back({NetlinkEventOut::AddrDel, {}, a, {}, {}});
  }

  void routeEvent(const RouteOut& r, bool isNew) {
    if (isNew) routes[Key(r)] = r;
    else routes.erase(Key(r));
    NetlinkEventOut e{isNew ? NetlinkEventOut::RouteNew : NetlinkEventOut::RouteDel, {}, {}, r, {}};
    events.push_back(std::move(e));
  }

  void ruleEvent(const RuleOut& r, bool isNew) {
    if (isNew) rules[Key(r)] = r;
    else rules.erase(Key(r));
    NetlinkEventOut e{isNew ? NetlinkEventOut::RuleNew : NetlinkEventOut::RuleDel, {}, {}, {}, r};
    events.push_back(std::move(e));
  }

  static void OnObject(nl_object* obj, void* arg) {
    auto* self = static_cast<Impl*>(arg);
    switch (self->msgType) {
      case RTM_NEWLINK:
      case RTM_DELLINK: {
        auto* link = reinterpret_cast<rtnl_link*>(obj);
        // AF_BRIDGE messages describe bridge ports, not the link itself; a port leaving a bridge
        // arrives as RTM_DELLINK/AF_BRIDGE and must not read as the link disappearing.
        if (rtnl_link_get_family(link) != AF_UNSPEC) return;
        LinkOut l = nl::ToLink(link);
        if (self->msgType == RTM_NEWLINK) self->linkSeen(l);
        else self->linkGone(l);
        return;
      }
      case RTM_NEWADDR:
      case RTM_DELADDR: {
        AddrOut a;
        if (!nl::ToAddr(reinterpret_cast<rtnl_addr*>(obj), &a)) return;
        if (self->msgType == RTM_NEWADDR) self->addrSeen(a);
        else self->addrGone(a);
        return;
      }
      case RTM_NEWROUTE:
      case RTM_DELROUTE: {
        RouteOut r;
        if (nl::ToRoute(reinterpret_cast<rtnl_route*>(obj), &r)) self->routeEvent(r, self->msgType == RTM_NEWROUTE);
        return;
      }
      case RTM_NEWRULE:
      case RTM_DELRULE: {
        RuleOut r;
        if (nl::ToRule(reinterpret_cast<rtnl_rule*>(obj), &r)) self->ruleEvent(r, self->msgType == RTM_NEWRULE);
        return;
      }
      default:
        return;
    }
  }

  static int OnValid(nl_msg* msg, void* arg) {
    auto* self = static_cast<Impl*>(arg);
    const int type = nlmsg_hdr(msg)->nlmsg_type;
    if (type != RTM_NEWLINK && type != RTM_DELLINK && type != RTM_NEWADDR && type != RTM_DELADDR &&
        type != RTM_NEWROUTE && type != RTM_DELROUTE && type != RTM_NEWRULE && type != RTM_DELRULE)
      return NL_SKIP;
    self->msgType = type;
    // A message libnl cannot parse is dropped; the next dump or event corrects our view.
    nl_msg_parse(msg, OnObject, self);
    return NL_OK;
  }

  // The kernel dropped events because our receive buffer was full: re-read the truth and report the
  // difference, as if the missed events had arrived.
  void resync() {
    ++overruns;
    // Whatever is still queued predates the dump below and could re-announce a link the dump no
    // longer holds, so it is thrown away; events arriving after this point are newer and kept.
    const int fd = nl_socket_get_fd(sk.get());
    char scratch[512];
    for (int i = 0; i < 100000; ++i) {
      const ssize_t n = recv(fd, scratch, sizeof scratch, MSG_DONTWAIT | MSG_TRUNC);
      if (n < 0 && errno != ENOBUFS && errno != EINTR) break;  // EAGAIN: empty
    }
    if (!control) {
      NlStatus st;
      control = NetlinkControl::Create(&st);
      if (!control) return;
    }
    std::vector<LinkOut> nowLinks;
    std::vector<AddrOut> nowAddrs;
    if (!control->listLinks(&nowLinks).ok() || !control->listAddresses(0, 0, &nowAddrs).ok()) return;

    std::set<int> present;
    for (const auto& l : nowLinks) present.insert(l.index);
    std::vector<LinkOut> gone;
    for (const auto& [index, l] : links)
      if (!present.count(index)) gone.push_back(l);
    for (const auto& l : gone) linkGone(l);
    for (const auto& l : nowLinks) linkSeen(l);

    std::set<std::string> presentAddrs;
    for (const auto& a : nowAddrs) presentAddrs.insert(Key(a));
    std::vector<AddrOut> goneAddrs;
    for (const auto& [key, a] : addrs)
      if (!presentAddrs.count(key)) goneAddrs.push_back(a);
    for (const auto& a : goneAddrs) addrGone(a);
    for (const auto& a : nowAddrs) addrSeen(a);

    // Routes and rules the same way: a default route that changed while we were deaf must not stay
    // unnoticed until the next change to it.
    std::vector<RouteOut> nowRoutes;
    std::vector<RuleOut> nowRules;
    if (!control->listRoutes(0, 0, &nowRoutes).ok() || !control->listRules(0, &nowRules).ok()) return;
    resyncTable(routes, nowRoutes, [this](const RouteOut& r, bool isNew) { routeEvent(r, isNew); });
    resyncTable(rules, nowRules, [this](const RuleOut& r, bool isNew) { ruleEvent(r, isNew); });
  }

  // Reports what vanished as deletions, then everything present as new (a repeated 'new' is harmless).
  template <typename T, typename Report>
  static void resyncTable(const std::map<std::string, T>& known, const std::vector<T>& now, Report report) {
    std::set<std::string> present;
    for (const auto& x : now) present.insert(Key(x));
    std::vector<T> gone;
    for (const auto& [key, x] : known)
      if (!present.count(key)) gone.push_back(x);
    for (const auto& x : gone) report(x, false);
    for (const auto& x : now) report(x, true);
  }
};

NetlinkMonitor::NetlinkMonitor(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
NetlinkMonitor::~NetlinkMonitor() = default;

std::unique_ptr<NetlinkMonitor> NetlinkMonitor::Create(NlStatus* st) {
  auto impl = std::make_unique<Impl>();
  impl->sk = nl::OpenRouteSocket(&impl->spoofed, st);
  if (!impl->sk) return nullptr;
  nl_sock* sk = impl->sk.get();
  // Events are unsolicited: there is no request sequence to match them against.
  nl_socket_disable_seq_check(sk);
  int err = nl_socket_modify_cb(sk, NL_CB_VALID, NL_CB_CUSTOM, Impl::OnValid, impl.get());
  if (err == 0)
    err = nl_socket_add_memberships(sk, RTNLGRP_LINK, RTNLGRP_IPV4_IFADDR, RTNLGRP_IPV6_IFADDR,
                                    RTNLGRP_IPV4_ROUTE, RTNLGRP_IPV6_ROUTE, RTNLGRP_IPV4_RULE,
                                    RTNLGRP_IPV6_RULE, 0);
  if (err == 0) err = nl_socket_set_nonblocking(sk);
  if (err < 0) {
    *st = nl::FromNle(err, "netlink: cannot subscribe to link and address events");
    return nullptr;
  }
  // A burst (many VLANs or addresses at once) should not overflow the default buffer; failure to
  // enlarge it only makes overruns, which we survive by resyncing, more likely.
  nl_socket_set_buffer_size(sk, 1 << 20, 0);
  impl->cb = nl_socket_get_cb(sk);
  return std::unique_ptr<NetlinkMonitor>(new NetlinkMonitor(std::move(impl)));
}

int NetlinkMonitor::fd() const { return nl_socket_get_fd(impl_->sk.get()); }
uint32_t NetlinkMonitor::portId() const { return nl_socket_get_local_port(impl_->sk.get()); }
uint64_t NetlinkMonitor::spoofedDropped() const { return impl_->spoofed; }
uint64_t NetlinkMonitor::overruns() const { return impl_->overruns; }

void NetlinkMonitor::dispatch() {
  // Bounded so one noisy burst cannot starve the rest of the loop; uv_poll is level-triggered and
  // brings us back for whatever is left.
  for (int i = 0; i < 256; ++i) {
    const int n = nl_recvmsgs_report(impl_->sk.get(), impl_->cb);
    if (n > 0) continue;
    if (n == -NLE_NOMEM) {  // libnl's name for ENOBUFS: the kernel dropped messages for us
      impl_->resync();
      continue;
    }
    break;  // 0: nothing left (EAGAIN); other errors: the datagram is consumed, carry on next time
  }
}

std::vector<NetlinkEventOut> NetlinkMonitor::popEvents() {
  std::vector<NetlinkEventOut> out;
  out.swap(impl_->events);
  return out;
}

void NetlinkMonitor::seed(const std::vector<LinkOut>& links, const std::vector<AddrOut>& addrs) {
  for (const auto& l : links) impl_->links[l.index] = l;
  for (const auto& a : addrs) impl_->addrs[Impl::Key(a)] = a;
}

void NetlinkMonitor::seedRoutes(const std::vector<RouteOut>& routes, const std::vector<RuleOut>& rules) {
  for (const auto& r : routes) impl_->routes[Impl::Key(r)] = r;
  for (const auto& r : rules) impl_->rules[Impl::Key(r)] = r;
}

}  // namespace sy::io
