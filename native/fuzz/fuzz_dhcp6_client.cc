// SPDX-License-Identifier: Apache-2.0
// libFuzzer: the DHCPv6 client engine driven (by the in-process test server) into
// one of its states, then fed arbitrary messages and timeouts. Input layout:
//   byte 0: target state, byte 1: flags, then chunks of [len16 BE][bytes].
// flags bit 0: patch our xid into the chunk and append our Client Identifier, so it
//   reaches the state machine; bit 1: fire the pending deadline after each chunk;
//   bit 2: report a link change after the first chunk; bit 3: ask for IA_PD too;
//   bit 4: append a Server Identifier.
#include <cstddef>
#include <cstdint>
#include <cstdio>

#include "../../test/native/dhcp6-rig.h"

using namespace sytest6;

namespace {

void driveTo(Rig6& r, uint8_t target) {
  switch (target % 9) {
    case 0:  // SOLICITING, first Solicit sent
      r.server.mode = TestServer6::Mode::Silent;
      r.start();
      if (r.sent.empty()) r.fire();
      break;
    case 1:  // REQUESTING
      r.start();
      if (r.sent.empty()) r.fire();
      r.server.mode = TestServer6::Mode::Silent;
      r.fire();
      break;
    case 2:  // BOUND
      r.start();
      r.runUntil(State::Bound);
      break;
    case 3:  // RENEWING
      r.start();
      r.runUntil(State::Bound);
      r.server.mode = TestServer6::Mode::Silent;
      r.fire();
      break;
    case 4:  // REBINDING
      r.start();
      r.runUntil(State::Bound);
      r.server.mode = TestServer6::Mode::Silent;
      r.runUntil(State::Rebinding);
      break;
    case 5:  // CONFIRMING
      r.start();
      r.runUntil(State::Bound);
      r.server.mode = TestServer6::Mode::Silent;
      r.apply(r.client.linkChanged(r.now));
      if (r.client.state() == State::Confirming && r.countSent(Confirm) == 0) r.fire();
      break;
    case 6:  // INFORMING (stateless client)
    case 7:  // INFORMED
      if (target % 9 == 6) r.server.mode = TestServer6::Mode::Silent;
      r.start();
      if (r.sent.empty()) r.fire();
      break;
    case 8:  // STOPPED after a lease
      r.start();
      r.runUntil(State::Bound);
      r.apply(r.client.stop(r.now, true));
      break;
  }
}

[[noreturn]] void broken(const Rig6& r, const char* what) {
  std::fprintf(stderr, "invariant broken: %s (state %s, now %llu, deadline %llu)\n", what,
               stateName(r.client.state()), static_cast<unsigned long long>(r.now),
               static_cast<unsigned long long>(r.deadline));
  for (const std::string& l : r.logs) std::fprintf(stderr, "  %s\n", l.c_str());
  __builtin_trap();
}

void checkInvariants(const Rig6& r, bool afterTimeout) {
  State s = r.client.state();
  bool leased = s == State::Bound || s == State::Renewing || s == State::Rebinding ||
                s == State::Confirming;
  if (leased != r.client.hasLease()) broken(r, "lease held iff BOUND/RENEWING/REBINDING/CONFIRMING");
  if (s != State::Stopped && r.deadline == 0 && !(s == State::Bound || s == State::Informed))
    broken(r, "an exchange with no deadline");
  if (r.deadline && r.deadline < r.now) broken(r, "deadline in the past");
  // A timeout that leaves the deadline at now would spin the event loop.
  if (afterTimeout && r.deadline && r.deadline <= r.now) broken(r, "timeout did not move the deadline");
  for (const Event& e : r.events) {
    if ((e.type == Event::Bound || e.type == Event::Renewed) && e.lease.na.addresses.empty() &&
        e.lease.pd.prefixes.empty())
      broken(r, "lease without address or prefix");
    if ((e.type == Event::Bound || e.type == Event::Renewed) && (e.lease.t1 < 60 || e.lease.t1 > e.lease.t2))
      broken(r, "T1 below 60 s or above T2");
  }
  for (const Transmit& t : r.sent)
    if (t.payload.size() < 4 || t.payload.size() > 1500) broken(r, "odd transmit size");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 2) return 0;
  ClientConfig cfg = defaultConfig6();
  uint8_t target = data[0] % 9;
  uint8_t flags = data[1];
  cfg.stateless = target == 6 || target == 7;
  cfg.requestPrefix = flags & 8;
  Rig6 r(cfg, 7);
  driveTo(r, target);
  r.server.mode = TestServer6::Mode::Silent;  // from here on only the fuzzer speaks
  size_t pos = 2;
  for (int n = 0; n < 8 && pos + 2 <= size; n++) {
    size_t len = (size_t{data[pos]} << 8) | data[pos + 1];
    pos += 2;
    if (len > size - pos) len = size - pos;
    std::vector<uint8_t> chunk(data + pos, data + pos + len);
    pos += len;
    if ((flags & 1) && chunk.size() >= 4) {
      uint32_t x = r.client.xid();
      chunk[1] = static_cast<uint8_t>(x >> 16);
      chunk[2] = static_cast<uint8_t>(x >> 8);
      chunk[3] = static_cast<uint8_t>(x);
      append(chunk, encodeOption(opt::ClientId, r.client.duid()));
    }
    if (flags & 16) append(chunk, encodeOption(opt::ServerId, r.server.serverId));
    r.feed(chunk);
    checkInvariants(r, false);
    if ((flags & 4) && n == 0) {
      r.apply(r.client.linkChanged(r.now));
      checkInvariants(r, false);
    }
    if ((flags & 2) && r.deadline) {
      r.fire();
      checkInvariants(r, true);
    }
  }
  return 0;
}
