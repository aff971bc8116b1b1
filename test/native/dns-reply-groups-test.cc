// SPDX-License-Identifier: Apache-2.0
#include <cstring>
#include <string>
#include <vector>

#include "../../native/core/dns/reply-groups.h"
#include "harness.h"

using namespace sy::dns;

namespace {
// A client address stands in as a short string; only its bytes matter to the grouping.
struct Batch {
  std::vector<std::string> who;
  std::vector<ReplyRef> refs;
  std::vector<uint32_t> order;
  std::vector<ReplyGroup> groups;
  void add(const char* client, uint32_t size) { who.emplace_back(client); refs.push_back({nullptr, 0, size}); }
  size_t run(const GroupLimits& lim = GroupLimits{}) {
    for (size_t i = 0; i < refs.size(); ++i) {
      refs[i].addr = who[i].data();
      refs[i].addrLen = static_cast<uint32_t>(who[i].size());
    }
    order.assign(refs.size(), 0);
    groups.assign(refs.size(), ReplyGroup{});
    size_t n = groupReplies(refs.data(), refs.size(), lim, order.data(), groups.data());
    groups.resize(n);
    return n;
  }
  // "client/size*count" per group, in send order
  std::string shape() const {
    std::string s;
    for (const ReplyGroup& g : groups) {
      for (uint32_t k = 0; k < g.count; ++k) {
        const uint32_t i = order[g.first + k];
        if (refs[i].size != g.segSize || who[i] != who[order[g.first]]) return "mixed group";
      }
      s += who[order[g.first]] + "/" + std::to_string(g.segSize) + "*" + std::to_string(g.count) + " ";
    }
    return s;
  }
  bool everyAnswerOnce() const {
    std::vector<int> seen(refs.size(), 0);
    for (uint32_t i : order) seen[i]++;
    for (int c : seen) if (c != 1) return false;
    size_t total = 0;
    for (const ReplyGroup& g : groups) total += g.count;
    return total == refs.size();
  }
};
}  // namespace

TEST(reply_groups_merge_same_client_same_size_and_keep_the_rest_in_order) {
  Batch b;
  b.add("A", 60); b.add("B", 60); b.add("A", 60); b.add("A", 59); b.add("B", 60); b.add("A", 60);
  CHECK_EQ(b.run(), size_t{3});
  CHECK_EQ(b.shape(), std::string("A/60*3 B/60*2 A/59*1 "));
  CHECK(b.everyAnswerOnce());
  // within a group the answers keep their arrival order
  CHECK_EQ(b.order[0], 0u); CHECK_EQ(b.order[1], 2u); CHECK_EQ(b.order[2], 5u);
}

TEST(reply_groups_nothing_to_merge_is_arrival_order) {
  Batch b;
  b.add("A", 60); b.add("B", 60); b.add("A", 61); b.add("AB", 60);
  CHECK_EQ(b.run(), size_t{4});
  for (uint32_t i = 0; i < 4; ++i) CHECK_EQ(b.order[i], i);
  CHECK(b.everyAnswerOnce());
}

TEST(reply_groups_respect_segment_count_bytes_and_size_limits) {
  Batch b;
  for (int i = 0; i < 10; ++i) b.add("A", 100);
  GroupLimits lim;
  lim.maxSegments = 4;
  CHECK_EQ(b.run(lim), size_t{3});
  CHECK_EQ(b.shape(), std::string("A/100*4 A/100*4 A/100*2 "));
  lim.maxSegments = 64;
  lim.maxBytes = 350;
  CHECK_EQ(b.run(lim), size_t{4});
  CHECK_EQ(b.shape(), std::string("A/100*3 A/100*3 A/100*3 A/100*1 "));
  lim.maxBytes = 60000;
  lim.maxSegSize = 99;  // too large to merge: every answer alone
  CHECK_EQ(b.run(lim), size_t{10});
  CHECK(b.everyAnswerOnce());
}

TEST(reply_groups_empty_answers_are_never_merged_and_big_batches_all_go_out) {
  Batch b;
  b.add("A", 0); b.add("A", 0);
  CHECK_EQ(b.run(), size_t{2});
  Batch big;
  for (size_t i = 0; i < kMaxGroupedBatch + 5; ++i) big.add("A", 40);
  size_t n = big.run();
  CHECK(big.everyAnswerOnce());
  CHECK_EQ(n, (kMaxGroupedBatch + 63) / 64 + 5);
}
