// SPDX-License-Identifier: Apache-2.0
// The request side of rtnetlink: one blocking socket, one request at a time, each waiting for its ACK.
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <netlink/errno.h>
#include <netlink/route/route.h>

#include <cstring>

#include "io/netlink-internal.h"

namespace sy::io {

namespace {

int CaptureErrno(sockaddr_nl*, nlmsgerr* e, void* arg) {
  *static_cast<int*>(arg) = e->error < 0 ? -e->error : e->error;
  return NL_STOP;
}

struct LinkFree {
  void operator()(rtnl_link* l) const { rtnl_link_put(l); }
};
struct RtAddrFree {
  void operator()(rtnl_addr* a) const { rtnl_addr_put(a); }
};
struct RouteFree {
  void operator()(rtnl_route* r) const { rtnl_route_put(r); }
};

std::string Describe(const AddressReq& r) {
  return r.address + "/" + std::to_string(r.prefixLength) + " on ifindex " + std::to_string(r.index);
}

std::string Describe(const RouteReq& r) {
  std::string s = (r.dst.empty() ? std::string("default") : r.dst + "/" + std::to_string(r.prefixLength));
  if (!r.gateway.empty()) s += " via " + r.gateway;
  return s + " dev ifindex " + std::to_string(r.oif);
}

}  // namespace

NetlinkControl::NetlinkControl(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
NetlinkControl::~NetlinkControl() = default;

std::unique_ptr<NetlinkControl> NetlinkControl::Create(NlStatus* st) {
  auto impl = std::make_unique<Impl>();
  // The sender check matters here too: a forged ACK or error would otherwise answer our request.
  impl->sk = nl::OpenRouteSocket(&impl->spoofed, st);
  if (!impl->sk) return nullptr;
  const int err = nl_socket_modify_err_cb(impl->sk.get(), NL_CB_CUSTOM, CaptureErrno, &impl->kernelErrno);
  if (err < 0) {
    *st = nl::FromNle(err, "netlink: cannot install error handler");
    return nullptr;
  }
  return std::unique_ptr<NetlinkControl>(new NetlinkControl(std::move(impl)));
}

NlStatus NetlinkControl::setLinkUp(int index, bool up) {
  const std::string what = std::string("set link ") + std::to_string(index) + (up ? " up" : " down");
  if (index <= 0) return NlStatus::Fail(EINVAL, what + ": bad ifindex");
  // Only IFF_UP and IFF_DYNAMIC change (ifi_change masks them), so other flags are never clobbered.
  // connmand marks every link it brings up or down as IFF_DYNAMIC ("addresses may change"); tools that
  // read the flag see the same link under either daemon.
  ifinfomsg ifi{};
  ifi.ifi_family = AF_UNSPEC;
  ifi.ifi_index = index;
  ifi.ifi_flags = (up ? IFF_UP : 0) | IFF_DYNAMIC;
  ifi.ifi_change = IFF_UP | IFF_DYNAMIC;
  nl_msg* msg = nlmsg_alloc_simple(RTM_NEWLINK, 0);
  if (msg == nullptr) return NlStatus::Fail(ENOMEM, what + ": out of memory");
  if (nlmsg_append(msg, &ifi, sizeof ifi, NLMSG_ALIGNTO) < 0) {
    nlmsg_free(msg);
    return NlStatus::Fail(ENOMEM, what + ": out of memory");
  }
  impl_->kernelErrno = 0;
  return impl_->finish(nl_send_sync(impl_->sk.get(), msg), what);  // nl_send_sync frees msg
}

static NlStatus BuildAddr(const AddressReq& req, std::unique_ptr<rtnl_addr, RtAddrFree>* out) {
  if (req.index <= 0) return NlStatus::Fail(EINVAL, "bad ifindex");
  nl::AddrPtr local;
  NlStatus st = nl::ParseAddr(req.family, req.address, req.prefixLength, &local);
  if (!st.ok()) return st;
  std::unique_ptr<rtnl_addr, RtAddrFree> a(rtnl_addr_alloc());
  if (!a) return NlStatus::Fail(ENOMEM, "out of memory");
  rtnl_addr_set_ifindex(a.get(), req.index);
  rtnl_addr_set_family(a.get(), req.family == 4 ? AF_INET : AF_INET6);
  int rc = rtnl_addr_set_local(a.get(), local.get());
  if (rc < 0) return nl::FromNle(rc, "local address");
  rtnl_addr_set_prefixlen(a.get(), req.prefixLength);
  if (!req.broadcast.empty()) {
    if (req.family != 4) return NlStatus::Fail(EINVAL, "broadcast is IPv4 only");
    nl::AddrPtr brd;
    st = nl::ParseAddr(4, req.broadcast, 32, &brd);
    if (!st.ok()) return st;
    rc = rtnl_addr_set_broadcast(a.get(), brd.get());
    if (rc < 0) return nl::FromNle(rc, "broadcast address");
  }
  if (req.hasValid || req.hasPreferred) {
    // IFA_CACHEINFO carries both lifetimes; an unset one must not become 0 (0 preferred = deprecated).
    const uint32_t valid = req.hasValid ? req.validLifetime : 0xffffffffu;
    const uint32_t preferred = req.hasPreferred ? req.preferredLifetime : valid;
    if (preferred > valid) return NlStatus::Fail(EINVAL, "preferred lifetime exceeds valid lifetime");
    rtnl_addr_set_valid_lifetime(a.get(), valid);
    rtnl_addr_set_preferred_lifetime(a.get(), preferred);
  }
  *out = std::move(a);
  return {};
}

NlStatus NetlinkControl::addAddress(const AddressReq& req) {
  const std::string what = "add address " + Describe(req);
  std::unique_ptr<rtnl_addr, RtAddrFree> a;
  NlStatus st = BuildAddr(req, &a);
  if (!st.ok()) return NlStatus::Fail(st.err, what + ": " + st.message);
  impl_->kernelErrno = 0;
  // IPv6: NLM_F_REPLACE refreshes the lifetimes of an address we hold (DHCPv6 RENEW) instead of EEXIST.
  return impl_->finish(rtnl_addr_add(impl_->sk.get(), a.get(), req.family == 6 ? NLM_F_REPLACE : 0), what);
}

NlStatus NetlinkControl::delAddress(const AddressReq& req) {
  const std::string what = "delete address " + Describe(req);
  std::unique_ptr<rtnl_addr, RtAddrFree> a;
  NlStatus st = BuildAddr(req, &a);
  if (!st.ok()) return NlStatus::Fail(st.err, what + ": " + st.message);
  impl_->kernelErrno = 0;
  return impl_->finish(rtnl_addr_delete(impl_->sk.get(), a.get(), 0), what);
}

static NlStatus BuildRoute(const RouteReq& req, bool forDelete,
                           std::unique_ptr<rtnl_route, RouteFree>* out) {
  if (req.family != 4 && req.family != 6) return NlStatus::Fail(EAFNOSUPPORT, "family must be 4 or 6");
  if (req.oif < 0) return NlStatus::Fail(EINVAL, "bad ifindex");
  const int af = req.family == 4 ? AF_INET : AF_INET6;
  const bool isDefault = req.dst.empty() || req.dst == "0.0.0.0" || req.dst == "::";
  nl::AddrPtr dst;
  NlStatus st = nl::ParseAddr(req.family, isDefault ? "" : req.dst, isDefault ? 0 : req.prefixLength, &dst);
  if (!st.ok()) return st;

  std::unique_ptr<rtnl_route, RouteFree> r(rtnl_route_alloc());
  if (!r) return NlStatus::Fail(ENOMEM, "out of memory");
  rtnl_route_set_family(r.get(), af);
  int rc = rtnl_route_set_dst(r.get(), dst.get());
  if (rc < 0) return nl::FromNle(rc, "destination");
  rtnl_route_set_table(r.get(), req.table == 0 ? RT_TABLE_MAIN : req.table);
  rtnl_route_set_type(r.get(), RTN_UNICAST);
  // Delete matches any protocol (0), so routes another tool installed can be removed too.
  rtnl_route_set_protocol(r.get(), forDelete ? RTPROT_UNSPEC : RTPROT_BOOT);
  if (req.hasMetric) rtnl_route_set_priority(r.get(), req.metric);
  if (req.scope >= 0) {
    if (req.scope > 255) return NlStatus::Fail(EINVAL, "scope out of range");
    rtnl_route_set_scope(r.get(), static_cast<uint8_t>(req.scope));
  }
  if (!req.prefsrc.empty()) {
    nl::AddrPtr src;
    st = nl::ParseAddr(req.family, req.prefsrc, req.family == 4 ? 32 : 128, &src);
    if (!st.ok()) return st;
    rc = rtnl_route_set_pref_src(r.get(), src.get());
    if (rc < 0) return nl::FromNle(rc, "preferred source");
  }
  if (req.oif > 0 || !req.gateway.empty()) {
    rtnl_nexthop* nh = rtnl_route_nh_alloc();
    if (nh == nullptr) return NlStatus::Fail(ENOMEM, "out of memory");
    if (req.oif > 0) rtnl_route_nh_set_ifindex(nh, req.oif);
    if (!req.gateway.empty()) {
      nl::AddrPtr gw;
      st = nl::ParseAddr(req.family, req.gateway, req.family == 4 ? 32 : 128, &gw);
      if (!st.ok()) {
        rtnl_route_nh_free(nh);
        return st;
      }
      rtnl_route_nh_set_gateway(nh, gw.get());
    }
    rtnl_route_add_nexthop(r.get(), nh);  // the route owns nh from here
  }
  *out = std::move(r);
  return {};
}

NlStatus NetlinkControl::addRoute(const RouteReq& req) {
  const std::string what = "add route " + Describe(req);
  std::unique_ptr<rtnl_route, RouteFree> r;
  NlStatus st = BuildRoute(req, false, &r);
  if (!st.ok()) return NlStatus::Fail(st.err, what + ": " + st.message);
  impl_->kernelErrno = 0;
  return impl_->finish(rtnl_route_add(impl_->sk.get(), r.get(), NLM_F_REPLACE), what);
}

NlStatus NetlinkControl::delRoute(const RouteReq& req) {
  const std::string what = "delete route " + Describe(req);
  std::unique_ptr<rtnl_route, RouteFree> r;
  NlStatus st = BuildRoute(req, true, &r);
  if (!st.ok()) return NlStatus::Fail(st.err, what + ": " + st.message);
  impl_->kernelErrno = 0;
  return impl_->finish(rtnl_route_delete(impl_->sk.get(), r.get(), 0), what);
}

NlStatus NetlinkControl::listLinks(std::vector<LinkOut>* out) {
  out->clear();
  nl_cache* raw = nullptr;
  NlStatus st = impl_->dump([&] { return rtnl_link_alloc_cache(impl_->sk.get(), AF_UNSPEC, &raw); },
                            "dump links");
  if (!st.ok()) return st;
  nl::CachePtr cache(raw);
  for (nl_object* o = nl_cache_get_first(cache.get()); o != nullptr; o = nl_cache_get_next(o))
    out->push_back(nl::ToLink(reinterpret_cast<rtnl_link*>(o)));
  return {};
}

NlStatus NetlinkControl::listAddresses(int index, int family, std::vector<AddrOut>* out) {
  out->clear();
  if (family != 0 && family != 4 && family != 6) return NlStatus::Fail(EAFNOSUPPORT, "family must be 0, 4 or 6");
  nl_cache* raw = nullptr;
  NlStatus st = impl_->dump([&] { return rtnl_addr_alloc_cache(impl_->sk.get(), &raw); }, "dump addresses");
  if (!st.ok()) return st;
  nl::CachePtr cache(raw);
  for (nl_object* o = nl_cache_get_first(cache.get()); o != nullptr; o = nl_cache_get_next(o)) {
    AddrOut a;
    if (!nl::ToAddr(reinterpret_cast<rtnl_addr*>(o), &a)) continue;
    if (index > 0 && a.index != index) continue;
    if (family != 0 && a.family != family) continue;
    out->push_back(a);
  }
  return {};
}

}  // namespace sy::io
