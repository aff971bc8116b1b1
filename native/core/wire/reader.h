// SPDX-License-Identifier: Apache-2.0
// The one bounded reader for wire data. A failed read latches the reader into an
// error state and yields zeros, so a parser can read a whole header and check ok()
// once; no call ever touches a byte at or past the end of the buffer.
#pragma once

#include <cstddef>
#include <cstdint>

namespace sy::wire {

struct Span {
  const uint8_t* data = nullptr;
  size_t size = 0;
};

class Reader {
 public:
  Reader() = default;
  Reader(const uint8_t* data, size_t size) : data_(data), size_(data ? size : 0) {}
  explicit Reader(Span s) : Reader(s.data, s.size) {}

  bool ok() const { return ok_; }
  size_t offset() const { return pos_; }
  size_t remaining() const { return size_ - pos_; }
  bool empty() const { return pos_ == size_; }

  uint8_t u8() {
    if (!need(1)) return 0;
    return data_[pos_++];
  }
  uint16_t be16() {
    if (!need(2)) return 0;
    uint16_t v = static_cast<uint16_t>((data_[pos_] << 8) | data_[pos_ + 1]);
    pos_ += 2;
    return v;
  }
  uint32_t be32() {
    if (!need(4)) return 0;
    uint32_t v = (uint32_t{data_[pos_]} << 24) | (uint32_t{data_[pos_ + 1]} << 16) |
                 (uint32_t{data_[pos_ + 2]} << 8) | uint32_t{data_[pos_ + 3]};
    pos_ += 4;
    return v;
  }
  // A view of the next n bytes; empty (and the reader failed) if fewer remain.
  Span span(size_t n) {
    if (!need(n)) return {};
    Span s{data_ + pos_, n};
    pos_ += n;
    return s;
  }
  // A reader over the next n bytes, advancing this one past them.
  Reader sub(size_t n) {
    Span s = span(n);
    Reader r(s.data, s.size);
    if (!ok_) r.ok_ = false;
    return r;
  }
  bool skip(size_t n) { return span(n).size == n && ok_; }
  Span rest() { return span(remaining()); }

 private:
  bool need(size_t n) {
    if (!ok_ || n > size_ - pos_) {
      ok_ = false;
      return false;
    }
    return true;
  }

  const uint8_t* data_ = nullptr;
  size_t size_ = 0;
  size_t pos_ = 0;
  bool ok_ = true;
};

}  // namespace sy::wire
