// SPDX-License-Identifier: Apache-2.0
#include "udp-replies.h"

#include <errno.h>
#include <netinet/in.h>
#include <netinet/udp.h>

#include <cstring>

#include "core/dns/reply-groups.h"

#ifndef UDP_SEGMENT
#define UDP_SEGMENT 103  // linux/udp.h, Linux 4.18; older C libraries lack the name
#endif

namespace sy::io {
namespace {

constexpr size_t kChunk = 64;  // answers handled per grouping pass; a receive batch is smaller

// The errors a kernel or route gives when it cannot segment (no UDP_SEGMENT, no checksum offload,
// a segment larger than the route's MTU): none says anything about the answers themselves, so
// they are sent again one datagram each, which the kernel fragments if it must.
bool segmentationRefused(int err) {
  return err == EIO || err == EINVAL || err == ENOPROTOOPT || err == EOPNOTSUPP || err == EMSGSIZE;
}

}  // namespace

size_t UdpReplies::send(int fd, const UdpAnswer* answers, size_t n) {
  if (!probed_) {
    // the socket option exists exactly where the kernel honours the control message
    int v = 0;
    socklen_t len = sizeof v;
    probed_ = true;
    if (getsockopt(fd, SOL_UDP, UDP_SEGMENT, &v, &len) != 0) segment_ = false;
  }
  size_t taken = 0;
  for (size_t at = 0; at < n; at += kChunk) taken += sendChunk(fd, answers + at, n - at < kChunk ? n - at : kChunk);
  return taken;
}

size_t UdpReplies::sendChunk(int fd, const UdpAnswer* answers, size_t n) {
  dns::ReplyRef refs[kChunk];
  for (size_t i = 0; i < n; ++i)
    refs[i] = {answers[i].addr, answers[i].addrLen, static_cast<uint32_t>(answers[i].size)};
  dns::GroupLimits limits;
  if (!segment_) limits.maxSegments = 1;
  uint32_t order[kChunk];
  dns::ReplyGroup groups[kChunk];
  const size_t ngroups = dns::groupReplies(refs, n, limits, order, groups);

  iovec iov[kChunk];
  mmsghdr msgs[kChunk];
  alignas(cmsghdr) char control[kChunk][CMSG_SPACE(sizeof(uint16_t))];
  for (size_t i = 0; i < n; ++i) {
    const UdpAnswer& a = answers[order[i]];
    iov[i] = {const_cast<uint8_t*>(a.data), a.size};
  }
  for (size_t g = 0; g < ngroups; ++g) {
    const dns::ReplyGroup& grp = groups[g];
    const UdpAnswer& lead = answers[order[grp.first]];
    std::memset(&msgs[g], 0, sizeof msgs[g]);
    msghdr& h = msgs[g].msg_hdr;
    h.msg_name = const_cast<sockaddr_storage*>(lead.addr);
    h.msg_namelen = lead.addrLen;
    h.msg_iov = &iov[grp.first];
    h.msg_iovlen = grp.count;
    if (grp.count > 1) {
      h.msg_control = control[g];
      h.msg_controllen = sizeof control[g];
      cmsghdr* c = CMSG_FIRSTHDR(&h);
      c->cmsg_level = SOL_UDP;
      c->cmsg_type = UDP_SEGMENT;
      c->cmsg_len = CMSG_LEN(sizeof(uint16_t));
      const uint16_t seg = static_cast<uint16_t>(grp.segSize);
      std::memcpy(CMSG_DATA(c), &seg, sizeof seg);
    }
  }

  size_t taken = 0;
  for (size_t sent = 0; sent < ngroups;) {
    int k = sendmmsg(fd, msgs + sent, static_cast<unsigned>(ngroups - sent), MSG_DONTWAIT);
    if (k > 0) {
      for (int i = 0; i < k; ++i) {
        taken += groups[sent + i].count;
        if (groups[sent + i].count > 1) segmented_ += groups[sent + i].count;
      }
      sent += static_cast<size_t>(k);
      continue;
    }
    const int err = k < 0 ? errno : EAGAIN;
    if (err == EINTR) continue;
    if (segment_ && groups[sent].count > 1 && segmentationRefused(err)) {
      segment_ = false;
      UdpAnswer rest[kChunk];
      size_t nrest = 0;
      for (size_t i = groups[sent].first; i < n; ++i) rest[nrest++] = answers[order[i]];
      return taken + sendChunk(fd, rest, nrest);
    }
    if (err == EAGAIN || err == EWOULDBLOCK || err == ENOBUFS) break;  // a full buffer: the rest is dropped
    sent++;  // this client cannot be reached (say, its address went away); the others still can
  }
  return taken;
}

}  // namespace sy::io
