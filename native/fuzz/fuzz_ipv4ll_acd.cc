// SPDX-License-Identifier: Apache-2.0
// libFuzzer: the IPv4-LL engine, and through it the ACD engine it owns, fed
// arbitrary ARP packets and timeouts. Input layout: byte 0 picks how far the engine
// gets before the fuzzer speaks (0 waiting, 1 probing, 2 announcing, 3 defending),
// then chunks of [len8][flags8][bytes]. Chunk flags bit 0: patch the target or
// sender IP to the address in use so the packet matters; bit 1: fire the pending
// deadline afterwards; bit 2: stop and restart the engine.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <vector>

#include "../core/ipv4ll/ipv4ll.h"

using namespace sy;

namespace {

struct Rng {
  uint64_t s;
  uint32_t operator()() {
    uint64_t z = (s += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    return static_cast<uint32_t>((z ^ (z >> 27)) >> 16);
  }
};

const acd::Mac kMac{0x02, 0, 0x5e, 1, 2, 3};

struct Rig {
  ipv4ll::Client client{kMac, Rng{11}, nullptr};
  acd::Usec now = 1000 * acd::kSecond, deadline = 0;
  unsigned bound = 0, lost = 0;
  void apply(ipv4ll::Actions a) {
    deadline = a.deadline;
    for (auto& t : a.transmits)
      if (t.size() != acd::kArpLength) __builtin_trap();
    for (auto& e : a.events) {
      if (!ipv4ll::isLinkLocal(e.address)) __builtin_trap();
      (e.type == ipv4ll::Event::Bound ? bound : lost)++;
    }
  }
  void fire() {
    if (!deadline) return;
    if (deadline > now) now = deadline;
    apply(client.timeout(now));
  }
  void check() const {
    if (lost > bound) __builtin_trap();
    bool up = client.state() == ipv4ll::State::Bound;
    if (up != (client.address() != 0)) __builtin_trap();
    if (client.state() == ipv4ll::State::Probing && deadline == 0) __builtin_trap();
    if (client.state() != ipv4ll::State::Stopped && !ipv4ll::isLinkLocal(client.acd().address()))
      __builtin_trap();
  }
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  Rig r;
  r.apply(r.client.start(r.now));
  unsigned steps[] = {0, 1, 4, 6};
  for (unsigned i = 0; i < steps[data[0] % 4]; i++) r.fire();
  size_t pos = 1;
  while (pos + 2 <= size) {
    size_t len = data[pos];
    uint8_t flags = data[pos + 1];
    pos += 2;
    if (len > size - pos) len = size - pos;
    std::vector<uint8_t> chunk(data + pos, data + pos + len);
    pos += len;
    if ((flags & 1) && chunk.size() >= 28) {
      uint32_t a = r.client.acd().address();
      size_t at = (flags & 8) ? 24 : 14;  // target or sender protocol address
      for (int i = 0; i < 4; i++) chunk[at + i] = static_cast<uint8_t>(a >> (24 - 8 * i));
    }
    r.now += (flags >> 4) * 100000u;
    r.apply(r.client.receive(r.now, chunk.data(), chunk.size()));
    r.check();
    if (flags & 2) r.fire();
    if (flags & 4) {
      r.apply(r.client.stop(r.now));
      r.apply(r.client.start(r.now));
    }
    r.check();
  }
  return 0;
}
