// SPDX-License-Identifier: Apache-2.0
// Routes in any table, policy rules, link MTU and the 6to4 sit tunnel: the rest of the request side,
// plus the conversions the monitor shares for route and rule events.
// <net/if.h> before any <linux/if.h>: the kernel header then defers to glibc's IFF_* definitions.
#include <net/if.h>
#include <arpa/inet.h>
#include <linux/fib_rules.h>
#include <linux/if_tunnel.h>
#include <linux/ip.h>
#include <linux/rtnetlink.h>

#include "io/netlink-internal.h"

namespace sy::io {

namespace nl {

bool ToRoute(rtnl_route* r, RouteOut* out) {
  const int family = rtnl_route_get_family(r);
  if (family != AF_INET && family != AF_INET6) return false;
  out->family = family == AF_INET ? 4 : 6;
  const nl_addr* dst = rtnl_route_get_dst(r);
  out->prefixLength = dst ? static_cast<int>(nl_addr_get_prefixlen(dst)) : 0;
  out->dst = out->prefixLength == 0 ? "" : AddrToString(dst);
  out->table = rtnl_route_get_table(r);
  out->metric = rtnl_route_get_priority(r);
  out->scope = rtnl_route_get_scope(r);
  out->protocol = rtnl_route_get_protocol(r);
  out->type = rtnl_route_get_type(r);
  out->prefsrc = AddrToString(rtnl_route_get_pref_src(r));
  if (rtnl_route_get_nnexthops(r) > 0) {
    rtnl_nexthop* nh = rtnl_route_nexthop_n(r, 0);
    out->oif = rtnl_route_nh_get_ifindex(nh);
    out->gateway = AddrToString(rtnl_route_nh_get_gateway(nh));
  }
  return true;
}

bool ToRule(rtnl_rule* r, RuleOut* out) {
  const int family = rtnl_rule_get_family(r);
  if (family != AF_INET && family != AF_INET6) return false;
  out->family = family == AF_INET ? 4 : 6;
  out->priority = rtnl_rule_get_prio(r);
  out->table = rtnl_rule_get_table(r);
  const nl_addr* src = rtnl_rule_get_src(r);
  out->srcLength = src ? static_cast<int>(nl_addr_get_prefixlen(src)) : 0;
  out->src = out->srcLength == 0 ? "" : AddrToString(src);
  // libnl answers 0xffffffff for an unset mark; report "no mark" as 0/0 as `ip rule` does.
  const uint32_t mark = rtnl_rule_get_mark(r);
  out->fwmark = mark == 0xffffffffu ? 0 : mark;
  const uint32_t mask = rtnl_rule_get_mask(r);
  out->fwmask = mask == 0xffffffffu && out->fwmark == 0 ? 0 : mask;
  out->action = rtnl_rule_get_action(r);
  return true;
}

}  // namespace nl

namespace {

struct RuleFree {
  void operator()(rtnl_rule* r) const { rtnl_rule_put(r); }
};

std::string Describe(const RuleReq& r) {
  std::string s = "from " + (r.src.empty() ? std::string("all") : r.src + "/" + std::to_string(r.srcLength));
  if (r.fwmark != 0) s += " fwmark " + std::to_string(r.fwmark);
  return s + " lookup " + std::to_string(r.table);
}

NlStatus BuildRule(const RuleReq& req, std::unique_ptr<rtnl_rule, RuleFree>* out) {
  if (req.family != 4 && req.family != 6) return NlStatus::Fail(EAFNOSUPPORT, "family must be 4 or 6");
  if (req.table == 0) return NlStatus::Fail(EINVAL, "a rule needs a table");
  std::unique_ptr<rtnl_rule, RuleFree> r(rtnl_rule_alloc());
  if (!r) return NlStatus::Fail(ENOMEM, "out of memory");
  rtnl_rule_set_family(r.get(), req.family == 4 ? AF_INET : AF_INET6);
  rtnl_rule_set_table(r.get(), req.table);
  rtnl_rule_set_action(r.get(), FR_ACT_TO_TBL);
  if (req.hasPriority) rtnl_rule_set_prio(r.get(), req.priority);
  if (!req.src.empty()) {
    nl::AddrPtr src;
    NlStatus st = nl::ParseAddr(req.family, req.src, req.srcLength, &src);
    if (!st.ok()) return st;
    const int rc = rtnl_rule_set_src(r.get(), src.get());
    if (rc < 0) return nl::FromNle(rc, "rule source");
  }
  if (req.fwmark != 0) {
    rtnl_rule_set_mark(r.get(), req.fwmark);
    rtnl_rule_set_mask(r.get(), req.fwmask == 0 ? 0xffffffffu : req.fwmask);
  }
  *out = std::move(r);
  return {};
}

}  // namespace

NlStatus NetlinkControl::listRoutes(int family, uint32_t table, std::vector<RouteOut>* out) {
  out->clear();
  if (family != 0 && family != 4 && family != 6) return NlStatus::Fail(EAFNOSUPPORT, "family must be 0, 4 or 6");
  const int af = family == 4 ? AF_INET : family == 6 ? AF_INET6 : AF_UNSPEC;
  nl_cache* raw = nullptr;
  NlStatus st = impl_->dump([&] { return rtnl_route_alloc_cache(impl_->sk.get(), af, 0, &raw); }, "dump routes");
  if (!st.ok()) return st;
  nl::CachePtr cache(raw);
  for (nl_object* o = nl_cache_get_first(cache.get()); o != nullptr; o = nl_cache_get_next(o)) {
    RouteOut r;
    if (!nl::ToRoute(reinterpret_cast<rtnl_route*>(o), &r)) continue;
    if (table != 0 && r.table != table) continue;
    out->push_back(std::move(r));
  }
  return {};
}

NlStatus NetlinkControl::addRule(const RuleReq& req) {
  const std::string what = "add rule " + Describe(req);
  std::unique_ptr<rtnl_rule, RuleFree> r;
  NlStatus st = BuildRule(req, &r);
  if (!st.ok()) return NlStatus::Fail(st.err, what + ": " + st.message);
  impl_->kernelErrno = 0;
  return impl_->finish(rtnl_rule_add(impl_->sk.get(), r.get(), NLM_F_EXCL), what);
}

NlStatus NetlinkControl::delRule(const RuleReq& req) {
  const std::string what = "delete rule " + Describe(req);
  std::unique_ptr<rtnl_rule, RuleFree> r;
  NlStatus st = BuildRule(req, &r);
  if (!st.ok()) return NlStatus::Fail(st.err, what + ": " + st.message);
  impl_->kernelErrno = 0;
  return impl_->finish(rtnl_rule_delete(impl_->sk.get(), r.get(), 0), what);
}

NlStatus NetlinkControl::listRules(int family, std::vector<RuleOut>* out) {
  out->clear();
  if (family != 0 && family != 4 && family != 6) return NlStatus::Fail(EAFNOSUPPORT, "family must be 0, 4 or 6");
  const int af = family == 4 ? AF_INET : family == 6 ? AF_INET6 : AF_UNSPEC;
  nl_cache* raw = nullptr;
  NlStatus st = impl_->dump([&] { return rtnl_rule_alloc_cache(impl_->sk.get(), af, &raw); }, "dump rules");
  if (!st.ok()) return st;
  nl::CachePtr cache(raw);
  for (nl_object* o = nl_cache_get_first(cache.get()); o != nullptr; o = nl_cache_get_next(o)) {
    RuleOut r;
    // libnl's rule dump asks for every family whatever af says, so filter here.
    if (!nl::ToRule(reinterpret_cast<rtnl_rule*>(o), &r)) continue;
    if (family != 0 && r.family != family) continue;
    out->push_back(std::move(r));
  }
  return {};
}

NlStatus NetlinkControl::setLinkMtu(int index, uint32_t mtu) {
  const std::string what = "set mtu " + std::to_string(mtu) + " on ifindex " + std::to_string(index);
  // RFC 791 minimum for IPv4; the kernel refuses less anyway, but say why.
  if (index <= 0) return NlStatus::Fail(EINVAL, what + ": bad ifindex");
  if (mtu < 68) return NlStatus::Fail(EINVAL, what + ": below 68");
  ifinfomsg ifi{};
  ifi.ifi_family = AF_UNSPEC;
  ifi.ifi_index = index;
  nl_msg* msg = nlmsg_alloc_simple(RTM_NEWLINK, 0);
  if (msg == nullptr) return NlStatus::Fail(ENOMEM, what + ": out of memory");
  if (nlmsg_append(msg, &ifi, sizeof ifi, NLMSG_ALIGNTO) < 0 || nla_put_u32(msg, IFLA_MTU, mtu) < 0) {
    nlmsg_free(msg);
    return NlStatus::Fail(ENOMEM, what + ": out of memory");
  }
  impl_->kernelErrno = 0;
  return impl_->finish(nl_send_sync(impl_->sk.get(), msg), what);
}

NlStatus NetlinkControl::addSitTunnel(const std::string& name, const std::string& local, uint8_t ttl,
                                      uint32_t mtu, int* index) {
  const std::string what = "add sit tunnel " + name + " local " + local;
  in_addr src{};
  if (name.empty() || name.size() >= IFNAMSIZ) return NlStatus::Fail(EINVAL, what + ": bad name");
  if (inet_pton(AF_INET, local.c_str(), &src) != 1) return NlStatus::Fail(EINVAL, what + ": bad IPv4 address");
  if (mtu != 0 && mtu < 1280) return NlStatus::Fail(EINVAL, what + ": mtu below the IPv6 minimum");
  // Created up in one request (ifi_flags): the tunnel carries nothing until its address and route are
  // there, and a separate "up" would be one more round trip that can fail on its own.
  ifinfomsg ifi{};
  ifi.ifi_family = AF_UNSPEC;
  ifi.ifi_flags = IFF_UP;
  ifi.ifi_change = IFF_UP;
  nl_msg* msg = nlmsg_alloc_simple(RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL);
  if (msg == nullptr) return NlStatus::Fail(ENOMEM, what + ": out of memory");
  bool ok = nlmsg_append(msg, &ifi, sizeof ifi, NLMSG_ALIGNTO) >= 0 && nla_put_string(msg, IFLA_IFNAME, name.c_str()) >= 0 &&
            (mtu == 0 || nla_put_u32(msg, IFLA_MTU, mtu) >= 0);
  nlattr* linkinfo = ok ? nla_nest_start(msg, IFLA_LINKINFO) : nullptr;
  ok = linkinfo != nullptr && nla_put_string(msg, IFLA_INFO_KIND, "sit") >= 0;
  nlattr* data = ok ? nla_nest_start(msg, IFLA_INFO_DATA) : nullptr;
  // remote any (a 6to4 tunnel reaches every 2002::/16 host and the anycast relay), the local address
  // the 2002::/16 prefix is made from, and DF set (path MTU discovery) as a 6to4 host should.
  ok = data != nullptr && nla_put_u32(msg, IFLA_IPTUN_LOCAL, src.s_addr) >= 0 &&
       nla_put_u8(msg, IFLA_IPTUN_TTL, ttl) >= 0 && nla_put_u8(msg, IFLA_IPTUN_PMTUDISC, 1) >= 0;
  if (ok) {
    nla_nest_end(msg, data);
    nla_nest_end(msg, linkinfo);
  }
  if (!ok) {
    nlmsg_free(msg);
    return NlStatus::Fail(ENOMEM, what + ": out of memory");
  }
  impl_->kernelErrno = 0;
  NlStatus st = impl_->finish(nl_send_sync(impl_->sk.get(), msg), what);
  if (!st.ok()) return st;
  *index = static_cast<int>(if_nametoindex(name.c_str()));
  if (*index == 0) return NlStatus::Fail(ENODEV, what + ": created but not found");
  return {};
}

NlStatus NetlinkControl::delLink(int index) {
  const std::string what = "delete link " + std::to_string(index);
  if (index <= 0) return NlStatus::Fail(EINVAL, what + ": bad ifindex");
  ifinfomsg ifi{};
  ifi.ifi_family = AF_UNSPEC;
  ifi.ifi_index = index;
  nl_msg* msg = nlmsg_alloc_simple(RTM_DELLINK, 0);
  if (msg == nullptr) return NlStatus::Fail(ENOMEM, what + ": out of memory");
  if (nlmsg_append(msg, &ifi, sizeof ifi, NLMSG_ALIGNTO) < 0) {
    nlmsg_free(msg);
    return NlStatus::Fail(ENOMEM, what + ": out of memory");
  }
  impl_->kernelErrno = 0;
  return impl_->finish(nl_send_sync(impl_->sk.get(), msg), what);
}

}  // namespace sy::io
