// SPDX-License-Identifier: Apache-2.0
// Conversions between libnl objects and the plain structs of netlink.h, plus socket set-up.
#include <arpa/inet.h>
#include <linux/if_arp.h>
#include <netlink/errno.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

#include "io/netlink-internal.h"

namespace sy::io::nl {

int KernelOnly(nl_msg* msg, void* arg) {
  const sockaddr_nl* src = nlmsg_get_src(msg);
  if (src != nullptr && src->nl_pid == 0) return NL_OK;
  ++*static_cast<uint64_t*>(arg);
  return NL_SKIP;
}

SockPtr OpenRouteSocket(uint64_t* dropCounter, NlStatus* st) {
  SockPtr sk(nl_socket_alloc());
  if (!sk) {
    *st = NlStatus::Fail(ENOMEM, "netlink: cannot allocate socket");
    return nullptr;
  }
  int err = nl_socket_modify_cb(sk.get(), NL_CB_MSG_IN, NL_CB_CUSTOM, KernelOnly, dropCounter);
  if (err == 0) err = nl_connect(sk.get(), NETLINK_ROUTE);
  if (err < 0) {
    *st = FromNle(err, "netlink: cannot open NETLINK_ROUTE socket");
    return nullptr;
  }
  return sk;
}

int ErrnoFromNle(int nle) {
  switch (nle < 0 ? -nle : nle) {
    case NLE_SUCCESS: return 0;
    case NLE_INTR: return EINTR;
    case NLE_BAD_SOCK: return EBADF;
    case NLE_AGAIN: return EAGAIN;
    case NLE_NOMEM: return ENOMEM;
    case NLE_EXIST: return EEXIST;
    case NLE_INVAL: return EINVAL;
    case NLE_RANGE: return ERANGE;
    case NLE_MSGSIZE: return EMSGSIZE;
    case NLE_OPNOTSUPP: return EOPNOTSUPP;
    case NLE_AF_NOSUPPORT: return EAFNOSUPPORT;
    case NLE_OBJ_NOTFOUND: return ENOENT;
    case NLE_NOATTR: return ENOENT;
    case NLE_MISSING_ATTR: return EINVAL;
    case NLE_AF_MISMATCH: return EINVAL;
    case NLE_BUSY: return EBUSY;
    case NLE_PERM: return EPERM;
    case NLE_NODEV: return ENODEV;
    case NLE_NOACCESS: return EACCES;
    case NLE_IMMUTABLE: return EPERM;
    case NLE_DUMP_INTR: return EINTR;
    case NLE_NOADDR: return EADDRNOTAVAIL;
    default: return EIO;
  }
}

NlStatus FromNle(int nle, const std::string& what) {
  return NlStatus::Fail(ErrnoFromNle(nle), what + ": " + nl_geterror(nle));
}

std::string AddrToString(const nl_addr* a) {
  if (a == nullptr) return "";
  const int family = nl_addr_get_family(a);
  const unsigned len = nl_addr_get_len(a);
  char buf[INET6_ADDRSTRLEN] = {};
  if ((family == AF_INET && len == 4) || (family == AF_INET6 && len == 16)) {
    if (inet_ntop(family, nl_addr_get_binary_addr(a), buf, sizeof buf) != nullptr) return buf;
  }
  return "";
}

static std::string MacToString(const nl_addr* a) {
  if (a == nullptr || nl_addr_get_len(a) != 6) return "";
  const auto* b = static_cast<const uint8_t*>(nl_addr_get_binary_addr(a));
  char buf[18];
  std::snprintf(buf, sizeof buf, "%02x:%02x:%02x:%02x:%02x:%02x", b[0], b[1], b[2], b[3], b[4], b[5]);
  return buf;
}

bool IsWireless(const std::string& ifname) {
  // Kernel names never hold '/', but a name that did would escape /sys/class/net.
  if (ifname.empty() || ifname.find('/') != std::string::npos || ifname == "." || ifname == "..")
    return false;
  const std::string base = "/sys/class/net/" + ifname;
  return access((base + "/wireless").c_str(), F_OK) == 0 ||
         access((base + "/phy80211").c_str(), F_OK) == 0;
}

LinkOut ToLink(rtnl_link* link) {
  LinkOut out;
  out.index = rtnl_link_get_ifindex(link);
  const char* name = rtnl_link_get_name(link);
  out.name = name ? name : "";
  out.arphrd = rtnl_link_get_arptype(link);
  out.mac = MacToString(rtnl_link_get_addr(link));
  out.flags = rtnl_link_get_flags(link);
  out.mtu = rtnl_link_get_mtu(link);
  out.operstate = rtnl_link_get_operstate(link);
  const char* kind = rtnl_link_get_type(link);
  out.kind = kind ? kind : "";
  out.wireless = IsWireless(out.name);
  return out;
}

bool ToAddr(rtnl_addr* addr, AddrOut* out) {
  const int family = rtnl_addr_get_family(addr);
  if (family != AF_INET && family != AF_INET6) return false;
  out->index = rtnl_addr_get_ifindex(addr);
  out->family = family == AF_INET ? 4 : 6;
  out->address = AddrToString(rtnl_addr_get_local(addr));
  if (out->address.empty()) return false;
  out->prefixLength = rtnl_addr_get_prefixlen(addr);
  out->flags = rtnl_addr_get_flags(addr);
  out->scope = rtnl_addr_get_scope(addr);
  return true;
}

NlStatus ParseAddr(int family, const std::string& text, int prefixLength, AddrPtr* out) {
  const int af = family == 4 ? AF_INET : family == 6 ? AF_INET6 : -1;
  if (af < 0) return NlStatus::Fail(EAFNOSUPPORT, "address family must be 4 or 6");
  const int maxPrefix = af == AF_INET ? 32 : 128;
  if (prefixLength < 0 || prefixLength > maxPrefix)
    return NlStatus::Fail(EINVAL, "prefix length " + std::to_string(prefixLength) + " out of range");
  unsigned char bin[16] = {};
  if (!text.empty() && inet_pton(af, text.c_str(), bin) != 1)
    return NlStatus::Fail(EINVAL, "not an IPv" + std::to_string(family) + " address: '" + text + "'");
  nl_addr* a = nl_addr_build(af, bin, af == AF_INET ? 4 : 16);
  if (a == nullptr) return NlStatus::Fail(ENOMEM, "netlink: cannot allocate address");
  nl_addr_set_prefixlen(a, prefixLength);
  out->reset(a);
  return {};
}

}  // namespace sy::io::nl
