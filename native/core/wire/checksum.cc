// SPDX-License-Identifier: Apache-2.0
#include "checksum.h"

namespace sy::wire {

uint32_t checksumAdd(uint32_t sum, const uint8_t* data, size_t len) {
  size_t i = 0;
  for (; i + 1 < len; i += 2) sum += static_cast<uint32_t>((data[i] << 8) | data[i + 1]);
  if (i < len) sum += static_cast<uint32_t>(data[i] << 8);
  // Fold early so a long buffer cannot overflow the accumulator.
  while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
  return sum;
}

uint16_t checksumFinish(uint32_t sum) {
  while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
  return static_cast<uint16_t>(~sum & 0xffff);
}

uint16_t ipv4HeaderChecksum(const uint8_t* hdr, size_t hlen) {
  return checksumFinish(checksumAdd(0, hdr, hlen));
}

uint16_t udpChecksum(uint32_t src, uint32_t dst, const uint8_t* segment, size_t len) {
  uint8_t pseudo[12] = {
      static_cast<uint8_t>(src >> 24), static_cast<uint8_t>(src >> 16),
      static_cast<uint8_t>(src >> 8),  static_cast<uint8_t>(src),
      static_cast<uint8_t>(dst >> 24), static_cast<uint8_t>(dst >> 16),
      static_cast<uint8_t>(dst >> 8),  static_cast<uint8_t>(dst),
      0, 17, static_cast<uint8_t>(len >> 8), static_cast<uint8_t>(len)};
  uint32_t sum = checksumAdd(0, pseudo, sizeof pseudo);
  sum = checksumAdd(sum, segment, len);
  return checksumFinish(sum);
}

}  // namespace sy::wire
