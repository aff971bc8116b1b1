// SPDX-License-Identifier: Apache-2.0
// Groups one batch of UDP answers for sending. On loopback the cost of answering from the cache is
// almost all the kernel's send path (route, loopback transmit, the receiver's UDP input), paid per
// datagram. With UDP segmentation offload (UDP_SEGMENT) answers of one size to one client can go
// down that path as a single buffer that is cut into datagrams only at the receiving socket, so a
// busy client asking the same names costs one send per group instead of one per answer. The client
// still receives ordinary datagrams, one answer each.
#pragma once

#include <cstddef>
#include <cstdint>

namespace sy::dns {

struct ReplyRef {
  const void* addr;   // the client's sockaddr
  uint32_t addrLen;
  uint32_t size;      // bytes of the answer
};

struct ReplyGroup {
  uint32_t first;     // index into the order array
  uint32_t count;     // answers in the group; more than one only if all have the same size
  uint32_t segSize;   // the answers' size
};

constexpr size_t kMaxGroupedBatch = 256;  // answers beyond this in one call are not merged

struct GroupLimits {
  uint32_t maxSegments = 64;    // the kernel's UDP_MAX_SEGMENTS on older kernels
  uint32_t maxBytes = 60000;    // one buffer must stay under the 64 KiB IP datagram limit
  uint32_t maxSegSize = 1200;   // never more than any path MTU would carry in one piece
};

// Writes a permutation of 0..n-1 to order (n entries) in which each group's answers are next to
// each other, and the groups to groups (at most n entries); returns how many groups. Answers to
// one address of one size fill a group up to the limits; order is otherwise kept, so with nothing
// to merge every answer is its own group in arrival order. n is a receive batch (tens), so the
// quadratic scan is cheaper than any hashing.
size_t groupReplies(const ReplyRef* replies, size_t n, const GroupLimits& limits, uint32_t* order,
                    ReplyGroup* groups);

}  // namespace sy::dns
