// SPDX-License-Identifier: Apache-2.0
// IPv4+UDP framing as seen on an AF_PACKET/SOCK_DGRAM socket (link header already
// stripped): validation of received datagrams and construction of outgoing ones.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "reader.h"

namespace sy::wire {

constexpr size_t kIpv4HeaderMin = 20;
constexpr size_t kUdpHeader = 8;

enum class FrameError {
  None,
  TooShort,          // fewer bytes than a minimal IPv4 + UDP header
  NotIpv4,           // version != 4
  BadHeaderLength,   // IHL < 5 or header longer than the bytes received
  NotUdp,
  Fragment,          // MF set or offset != 0: we never reassemble
  TotalLengthShort,  // tot_len < IP header + UDP header (CVE-2023-28488)
  TotalLengthLong,   // tot_len > bytes received (truncated frame)
  UdpLengthBad,      // UDP length < 8 or not matching the IP payload
  WrongPort,
  BadIpChecksum,
  BadUdpChecksum,
};
const char* frameErrorName(FrameError e);

struct UdpDatagram {
  uint32_t src = 0, dst = 0;  // host order
  uint16_t srcPort = 0, dstPort = 0;
  Span payload;
};

// Cheap structural checks first, checksums last. Bytes after tot_len (link-layer
// padding) are ignored, never read as payload. When the kernel reports that the
// UDP checksum was not yet computed (offload, TP_STATUS_CSUMNOTREADY), pass
// verifyUdpChecksum = false.
FrameError parseIpv4Udp(const uint8_t* frame, size_t len, uint16_t wantDstPort,
                        bool verifyUdpChecksum, UdpDatagram* out);

// IPv4 header (no options, DF clear, TTL 64) + UDP header + payload, both checksums set.
std::vector<uint8_t> buildIpv4Udp(uint32_t src, uint32_t dst, uint16_t srcPort,
                                  uint16_t dstPort, const uint8_t* payload, size_t len);

}  // namespace sy::wire
