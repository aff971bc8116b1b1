// SPDX-License-Identifier: Apache-2.0
// RFC 1071 Internet checksum, and the IPv4-header and UDP variants built on it.
#pragma once

#include <cstddef>
#include <cstdint>

namespace sy::wire {

// One's-complement sum of 16-bit big-endian words, not yet folded.
uint32_t checksumAdd(uint32_t sum, const uint8_t* data, size_t len);
// Fold and complement a running sum into the value that goes on the wire.
uint16_t checksumFinish(uint32_t sum);

// Checksum of an IPv4 header of hlen bytes; over a header whose checksum field is
// filled in, a correct header yields 0.
uint16_t ipv4HeaderChecksum(const uint8_t* hdr, size_t hlen);

// UDP checksum over the IPv4 pseudo header (addresses in host order) and the
// whole UDP segment (header + payload) of len bytes. A checksum computed as 0 is
// sent as 0xffff (RFC 768); over a segment with its checksum filled in, a correct
// one yields 0.
uint16_t udpChecksum(uint32_t src, uint32_t dst, const uint8_t* segment, size_t len);

}  // namespace sy::wire
