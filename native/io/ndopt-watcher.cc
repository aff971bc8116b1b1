// SPDX-License-Identifier: Apache-2.0
// A libnl-route socket of its own in RTNLGRP_ND_USEROPT and RTNLGRP_IPV6_IFINFO; the
// payloads are parsed by native/core/dhcp6/nd-useropt (bounded, fuzzed). Only the
// kernel may speak on it: a message from any userspace port is dropped and counted
// (CVE-2012-2320, the same rule as the link/address monitor).
#include "ndopt-watcher.h"

#include <arpa/inet.h>
#include <linux/rtnetlink.h>
#include <netlink/errno.h>
#include <netlink/msg.h>
#include <netlink/netlink.h>
#include <netlink/socket.h>
#include <sys/socket.h>

#include <cerrno>
#include <cstring>

#include "../core/dhcp6/nd-useropt.h"

namespace sy::io {

namespace {

std::string text(const uint8_t* a) {
  char b[INET6_ADDRSTRLEN];
  inet_ntop(AF_INET6, a, b, sizeof b);
  return b;
}

}  // namespace

struct NdOptWatcher::Impl {
  nl_sock* sk = nullptr;
  uint64_t spoofed = 0, malformed = 0;
  std::vector<NdEventOut> events;

  ~Impl() {
    if (sk) nl_socket_free(sk);
  }

  static int KernelOnly(nl_msg* msg, void* arg) {
    const sockaddr_nl* src = nlmsg_get_src(msg);
    if (src != nullptr && src->nl_pid == 0) return NL_OK;
    static_cast<Impl*>(arg)->spoofed++;
    return NL_SKIP;
  }

  static int OnValid(nl_msg* msg, void* arg) {
    auto* self = static_cast<Impl*>(arg);
    nlmsghdr* h = nlmsg_hdr(msg);
    const uint8_t* p = static_cast<const uint8_t*>(nlmsg_data(h));
    size_t n = static_cast<size_t>(nlmsg_datalen(h));
    if (h->nlmsg_type == RTM_NEWNDUSEROPT) {
      dhcp6::NdUserOption o;
      const char* why = "";
      if (!dhcp6::parseNdUserOpt(p, n, &o, &why)) {
        // Other ND user options (e.g. PREF64, captive portal) land here too.
        self->malformed += std::strcmp(why, "neither RDNSS nor DNSSL") != 0;
        return NL_OK;
      }
      std::string router = o.haveRouter ? text(o.router.data()) : "";
      if (o.rdnss) {
        NdEventOut e{NdEventOut::Rdnss, o.ifindex, router, o.rdnssLifetime, {}, 0};
        for (const auto& a : o.servers) e.values.push_back(text(a.data()));
        self->events.push_back(std::move(e));
      }
      if (o.dnssl)
        self->events.push_back(NdEventOut{NdEventOut::Dnssl, o.ifindex, router, o.dnsslLifetime, o.domains, 0});
    } else if (h->nlmsg_type == RTM_NEWLINK) {
      int ifindex = 0;
      uint32_t flags = 0;
      if (dhcp6::parseInet6LinkFlags(p, n, &ifindex, &flags))
        self->events.push_back(NdEventOut{NdEventOut::RaFlags, ifindex, "", 0, {}, flags});
    }
    return NL_OK;
  }
};

std::unique_ptr<NdOptWatcher> NdOptWatcher::Create(std::string* err) {
  auto impl = std::make_unique<Impl>();
  auto fail = [err](const char* what, int e) {
    if (err) *err = std::string(what) + ": " + nl_geterror(e);
    return nullptr;
  };
  impl->sk = nl_socket_alloc();
  if (!impl->sk) return fail("nl_socket_alloc", NLE_NOMEM);
  nl_sock* sk = impl->sk;
  // Events and dump answers share the socket, so sequence numbers cannot be checked.
  nl_socket_disable_seq_check(sk);
  int e = nl_socket_modify_cb(sk, NL_CB_MSG_IN, NL_CB_CUSTOM, Impl::KernelOnly, impl.get());
  if (e == 0) e = nl_socket_modify_cb(sk, NL_CB_VALID, NL_CB_CUSTOM, Impl::OnValid, impl.get());
  if (e < 0) return fail("netlink callbacks", e);
  if ((e = nl_connect(sk, NETLINK_ROUTE)) < 0) return fail("nl_connect", e);
  if ((e = nl_socket_add_memberships(sk, RTNLGRP_ND_USEROPT, RTNLGRP_IPV6_IFINFO, 0)) < 0)
    return fail("netlink groups", e);
  if ((e = nl_socket_set_nonblocking(sk)) < 0) return fail("nonblocking", e);
  nl_socket_set_buffer_size(sk, 256 * 1024, 0);
  return std::unique_ptr<NdOptWatcher>(new NdOptWatcher(std::move(impl)));
}

NdOptWatcher::NdOptWatcher(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
NdOptWatcher::~NdOptWatcher() = default;

int NdOptWatcher::fd() const { return nl_socket_get_fd(impl_->sk); }

bool NdOptWatcher::requestFlags(std::string* err) {
  rtgenmsg g{};
  g.rtgen_family = AF_INET6;
  int e = nl_send_simple(impl_->sk, RTM_GETLINK, NLM_F_DUMP, &g, sizeof g);
  if (e < 0) {
    if (err) *err = std::string("RTM_GETLINK dump: ") + nl_geterror(e);
    return false;
  }
  return true;
}

void NdOptWatcher::dispatch() {
  for (int i = 0; i < 64; i++) {
    int e = nl_recvmsgs_default(impl_->sk);
    if (e == -NLE_AGAIN) return;
    // ENOBUFS: events were lost; a fresh flags dump is the caller's recovery. RDNSS
    // comes again with the next RA.
    if (e < 0 && e != -NLE_NOMEM && e != -NLE_DUMP_INTR) return;
  }
}

std::vector<NdEventOut> NdOptWatcher::popEvents() {
  std::vector<NdEventOut> out;
  out.swap(impl_->events);
  return out;
}

uint32_t NdOptWatcher::portId() const { return nl_socket_get_local_port(impl_->sk); }
uint64_t NdOptWatcher::spoofedDropped() const { return impl_->spoofed; }
uint64_t NdOptWatcher::malformedDropped() const { return impl_->malformed; }

}  // namespace sy::io
