// SPDX-License-Identifier: Apache-2.0
#include "reply-groups.h"

#include <cstring>

namespace sy::dns {

namespace {
bool sameClient(const ReplyRef& a, const ReplyRef& b) {
  return a.addrLen == b.addrLen && std::memcmp(a.addr, b.addr, a.addrLen) == 0;
}
}  // namespace

size_t groupReplies(const ReplyRef* replies, size_t n, const GroupLimits& limits, uint32_t* order,
                    ReplyGroup* groups) {
  bool taken[kMaxGroupedBatch] = {};
  size_t placed = 0, ngroups = 0;
  for (size_t i = 0; i < n; ++i) {
    if (i >= kMaxGroupedBatch) {  // past what one scan groups: sent one by one, still all sent
      order[placed++] = static_cast<uint32_t>(i);
      groups[ngroups++] = ReplyGroup{static_cast<uint32_t>(placed - 1), 1, replies[i].size};
      continue;
    }
    if (taken[i]) continue;
    const ReplyRef& lead = replies[i];
    ReplyGroup g{static_cast<uint32_t>(placed), 1, lead.size};
    taken[i] = true;
    order[placed++] = static_cast<uint32_t>(i);
    bool mergeable = lead.size > 0 && lead.size <= limits.maxSegSize;
    uint64_t bytes = lead.size;
    for (size_t j = i + 1; mergeable && j < n && j < kMaxGroupedBatch && g.count < limits.maxSegments; ++j) {
      if (taken[j] || replies[j].size != lead.size || !sameClient(lead, replies[j])) continue;
      if (bytes + lead.size > limits.maxBytes) break;
      taken[j] = true;
      order[placed++] = static_cast<uint32_t>(j);
      bytes += lead.size;
      g.count++;
    }
    groups[ngroups++] = g;
  }
  return ngroups;
}

}  // namespace sy::dns
