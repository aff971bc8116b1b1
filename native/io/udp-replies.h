// SPDX-License-Identifier: Apache-2.0
// Sends a batch of DNS answers on one UDP socket with as few trips down the kernel's send path as
// it allows: answers of one size to one client leave as one UDP_SEGMENT buffer (grouping in
// core/dns/reply-groups.h), the groups together in one sendmmsg(). A kernel without UDP
// segmentation is found out before the first send (a kernel older than 4.18 would not refuse the
// option but ignore it, and send the answers glued into one datagram); a route that refuses it is
// noticed on the first failed send. From then on every answer goes as its own datagram, and none
// of the batch is lost to the switch.
#pragma once

#include <sys/socket.h>

#include <cstddef>
#include <cstdint>

namespace sy::io {

struct UdpAnswer {
  const sockaddr_storage* addr;
  socklen_t addrLen;
  const uint8_t* data;
  size_t size;
};

class UdpReplies {
 public:
  // Returns how many answers the kernel took; the rest met a full socket buffer (or a send
  // error) and are dropped, as a congested network would drop them.
  size_t send(int fd, const UdpAnswer* answers, size_t n);
  bool segmenting() const { return segment_; }
  // answers that have left inside a segmented send, since the start
  uint64_t segmentedAnswers() const { return segmented_; }
  void disableSegmentation() { segment_ = false; }

 private:
  size_t sendChunk(int fd, const UdpAnswer* answers, size_t n);
  bool segment_ = true;
  bool probed_ = false;
  uint64_t segmented_ = 0;
};

}  // namespace sy::io
