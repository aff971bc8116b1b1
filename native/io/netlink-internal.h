// SPDX-License-Identifier: Apache-2.0
// Shared pieces of the libnl-backed netlink code. Only native/io/netlink*.cc include this (and so libnl).
#pragma once

#include <netlink/addr.h>
#include <netlink/errno.h>
#include <netlink/msg.h>
#include <netlink/netlink.h>
#include <netlink/route/addr.h>
#include <netlink/route/link.h>
#include <netlink/route/route.h>
#include <netlink/route/rule.h>

#include <cstring>
#include <memory>
#include <string>

#include "io/netlink.h"

namespace sy::io::nl {

struct SockFree {
  void operator()(nl_sock* s) const { nl_socket_free(s); }
};
struct AddrFree {
  void operator()(nl_addr* a) const { nl_addr_put(a); }
};
struct CacheFree {
  void operator()(nl_cache* c) const { nl_cache_free(c); }
};
using SockPtr = std::unique_ptr<nl_sock, SockFree>;
using AddrPtr = std::unique_ptr<nl_addr, AddrFree>;
using CachePtr = std::unique_ptr<nl_cache, CacheFree>;

// NL_CB_MSG_IN hook: drops anything whose sender port is not 0. Only the kernel sends from port 0;
// any local process can unicast to our port id, and ConnMan once trusted such messages
// (CVE-2012-2320). arg points at a uint64_t drop counter.
int KernelOnly(nl_msg* msg, void* arg);

// Opens a NETLINK_ROUTE socket with the sender check installed. nullptr and *st set on failure.
SockPtr OpenRouteSocket(uint64_t* dropCounter, NlStatus* st);

// Best errno for a libnl error code when the kernel's own errno was not captured.
int ErrnoFromNle(int nle);
NlStatus FromNle(int nle, const std::string& what);

LinkOut ToLink(rtnl_link* link);
// false for objects that carry no usable address
bool ToAddr(rtnl_addr* addr, AddrOut* out);
std::string AddrToString(const nl_addr* a);
// Parses a numeric address (no names, no hex forms) for family 4 or 6.
NlStatus ParseAddr(int family, const std::string& text, int prefixLength, AddrPtr* out);
bool IsWireless(const std::string& ifname);
// false for routes we do not report (multipath legs beyond the first are folded into the first)
bool ToRoute(rtnl_route* route, RouteOut* out);
bool ToRule(rtnl_rule* rule, RuleOut* out);

}  // namespace sy::io::nl

namespace sy::io {

// Shared by netlink-control.cc and netlink-routes.cc, which split the request side between them.
struct NetlinkControl::Impl {
  nl::SockPtr sk;
  uint64_t spoofed = 0;
  int kernelErrno = 0;  // set by CaptureErrno when the kernel answers with an error

  // Turns a libnl result into a status, preferring the errno the kernel itself sent.
  NlStatus finish(int rc, const std::string& what) {
    if (rc >= 0) return {};
    if (kernelErrno != 0) return NlStatus::Fail(kernelErrno, what + ": " + std::strerror(kernelErrno));
    return nl::FromNle(rc, what);
  }

  // A dump the kernel reports as interrupted (a change raced it) is simply retried.
  template <typename Fn>
  NlStatus dump(Fn&& fill, const std::string& what) {
    int rc = 0;
    for (int attempt = 0; attempt < 5; ++attempt) {
      kernelErrno = 0;
      rc = fill();
      if (rc != -NLE_DUMP_INTR) break;
    }
    return finish(rc, what);
  }
};

}  // namespace sy::io
