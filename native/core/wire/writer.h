// SPDX-License-Identifier: Apache-2.0
// Appending writer for building frames; big-endian helpers match the Reader.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace sy::wire {

class Writer {
 public:
  explicit Writer(std::vector<uint8_t>* out) : out_(out) {}

  size_t size() const { return out_->size(); }
  void u8(uint8_t v) { out_->push_back(v); }
  void be16(uint16_t v) {
    u8(static_cast<uint8_t>(v >> 8));
    u8(static_cast<uint8_t>(v));
  }
  void be32(uint32_t v) {
    be16(static_cast<uint16_t>(v >> 16));
    be16(static_cast<uint16_t>(v));
  }
  void bytes(const uint8_t* p, size_t n) {
    if (n) out_->insert(out_->end(), p, p + n);
  }
  void zeros(size_t n) { out_->insert(out_->end(), n, 0); }
  // Patch a 16-bit field already written (lengths and checksums known only later).
  void be16At(size_t pos, uint16_t v) {
    if (pos + 2 > out_->size()) return;
    (*out_)[pos] = static_cast<uint8_t>(v >> 8);
    (*out_)[pos + 1] = static_cast<uint8_t>(v);
  }

 private:
  std::vector<uint8_t>* out_;
};

}  // namespace sy::wire
