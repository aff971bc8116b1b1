// SPDX-License-Identifier: Apache-2.0
// Shared pieces of the libnl-backed netlink code. Only native/io/netlink*.cc include this (and so libnl).
#pragma once

#include <netlink/addr.h>
#include <netlink/msg.h>
#include <netlink/netlink.h>
#include <netlink/route/addr.h>
#include <netlink/route/link.h>

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

}  // namespace sy::io::nl
