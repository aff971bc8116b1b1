// SPDX-License-Identifier: Apache-2.0
// libFuzzer: the client engine driven (by the in-process test server) into one of
// its states, then fed arbitrary packets and timeouts. Input layout:
//   byte 0: target state, byte 1: flags, then chunks of [len16 BE][bytes].
// flags bit 0: patch op/xid/chaddr/cookie into the chunk so it reaches the state
//   machine; bit 1: wrap the chunk in a valid IPv4+UDP frame; bit 2: deliver over
//   the UDP path instead; bit 3: fire the pending deadline after each chunk;
//   bit 4: report an ACD conflict (decline) after the first chunk.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstring>

#include "../../test/native/dhcp4-rig.h"

using namespace sytest;

namespace {

void offerTo(Rig& r) {
  MessageBuilder b(BootReply, Offer, r.client.xid(), defaultConfig().mac.data(), 6);
  b.yiaddr(ip(192, 168, 7, 100)).optionU32(opt::ServerId, ip(192, 168, 7, 1));
  r.feed(l2Frame(ip(192, 168, 7, 1), 0xffffffff, b.build()));
}

void driveTo(Rig& r, uint8_t target) {
  switch (target % 8) {
    case 0:  // SELECTING
      r.server.mode = TestServer::Mode::Silent;
      r.start();
      break;
    case 1:  // REQUESTING
      r.server.mode = TestServer::Mode::Silent;
      r.start();
      offerTo(r);
      break;
    case 2:  // BOUND
      r.start();
      break;
    case 3:  // RENEWING
      r.start();
      r.server.mode = TestServer::Mode::Silent;
      r.fire();
      break;
    case 4:  // REBINDING
      r.start();
      r.server.mode = TestServer::Mode::Silent;
      for (int i = 0; i < 20 && r.client.state() != State::Rebinding; i++) r.fire();
      break;
    case 5:  // REBOOTING: the client was built with a requested address
      r.server.mode = TestServer::Mode::Silent;
      r.start();
      break;
    case 6:  // INIT, waiting out a NAK back-off
      r.server.mode = TestServer::Mode::Nak;
      r.start();
      r.server.mode = TestServer::Mode::Silent;
      break;
    case 7:  // STOPPED after a lease
      r.start();
      r.apply(r.client.stop(r.now, false));
      break;
  }
}

void patch(Rig& r, std::vector<uint8_t>& b) {
  if (b.size() < kFixedLength + 4) return;
  b[0] = BootReply;
  b[1] = 1;
  b[2] = 6;
  uint32_t x = r.client.xid();
  for (int i = 0; i < 4; i++) b[4 + i] = static_cast<uint8_t>(x >> (24 - 8 * i));
  std::memcpy(&b[28], defaultConfig().mac.data(), 6);
  b[236] = 0x63, b[237] = 0x82, b[238] = 0x53, b[239] = 0x63;
}

[[noreturn]] void broken(const Rig& r, const char* what) {
  // The engine's own log is the best crash report: print it before trapping.
  std::fprintf(stderr, "invariant broken: %s (state %s, now %llu, deadline %llu)\n", what,
               stateName(r.client.state()), static_cast<unsigned long long>(r.now),
               static_cast<unsigned long long>(r.deadline));
  for (const std::string& l : r.logs) std::fprintf(stderr, "  %s\n", l.c_str());
  __builtin_trap();
}

void checkInvariants(const Rig& r) {
  State s = r.client.state();
  bool leased = s == State::Bound || s == State::Renewing || s == State::Rebinding;
  if (leased != r.client.hasLease()) broken(r, "lease held iff BOUND/RENEWING/REBINDING");
  if (s != State::Stopped && s != State::Bound && r.deadline == 0) broken(r, "no deadline");
  if (r.deadline && r.deadline < r.now) broken(r, "deadline in the past");
  for (const Event& e : r.events)
    if ((e.type == Event::Bound || e.type == Event::Renewed) && e.lease.address == 0)
      broken(r, "lease without address");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 2) return 0;
  ClientConfig cfg = defaultConfig();
  if (data[0] % 8 == 5) cfg.requestedAddress = ip(192, 168, 7, 100);
  Rig r(cfg, 7);
  driveTo(r, data[0]);
  uint8_t flags = data[1];
  r.server.mode = TestServer::Mode::Silent;  // from here on only the fuzzer speaks
  size_t pos = 2;
  for (int n = 0; n < 8 && pos + 2 <= size; n++) {
    size_t len = (size_t{data[pos]} << 8) | data[pos + 1];
    pos += 2;
    if (len > size - pos) len = size - pos;
    std::vector<uint8_t> chunk(data + pos, data + pos + len);
    pos += len;
    if (flags & 1) patch(r, chunk);
    if (flags & 4) {
      r.feed(chunk, Source::Udp);
    } else if (flags & 2) {
      r.feed(l2Frame(ip(192, 168, 7, 1), ip(192, 168, 7, 100), chunk));
    } else {
      r.feed(chunk);
    }
    checkInvariants(r);
    if ((flags & 16) && n == 0) {
      r.apply(r.client.decline(r.now));
      checkInvariants(r);
    }
    if ((flags & 8) && r.deadline) {
      r.fire();
      checkInvariants(r);
    }
  }
  return 0;
}
