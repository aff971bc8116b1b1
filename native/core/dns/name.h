// SPDX-License-Identifier: Apache-2.0
// Domain names in wire form (length-prefixed labels, a zero byte at the end), read from a DNS
// message with compression pointers followed under strict bounds. ConnMan's CVE-2017-12865,
// 2021-26675 and 2021-33833 all came from expanding names into fixed buffers without a limit;
// here the expanded form can never exceed RFC 1035's 255 bytes.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "../wire/reader.h"

namespace sy::dns {

constexpr size_t kMaxNameWire = 255;  // RFC 1035 2.3.4, including the length bytes and the root
constexpr size_t kMaxLabel = 63;

struct Name {
  uint8_t wire[kMaxNameWire + 1] = {0};
  uint16_t len = 1;  // the root name is one zero byte

  bool isRoot() const { return len == 1; }
  int labelCount() const;
  std::string toText() const;  // "a.b." style, root is "."
};

// Reads the name at r's position out of the message (msg, size), following compression pointers.
// A pointer must point strictly before the start of the label sequence it interrupts, so every
// jump goes backwards and loops are impossible; the expanded name is bounded by kMaxNameWire.
// On success r is left just past the name as it appears in place.
// With `labels` (the offsets of every label read in place so far, ascending), the in-place labels
// are appended and a pointer must land on one of them: a pointer into a TTL, a length or the
// header would otherwise let the bytes the proxy patches when serving from the cache change a name.
bool readName(const uint8_t* msg, size_t size, wire::Reader& r, Name* out,
              std::vector<uint16_t>* labels = nullptr);

// "host.example.com" or "host.example.com." (or "." for root) to wire form; false when a label is
// empty or too long, or the whole exceeds 255 bytes.
bool nameFromText(const std::string& text, Name* out);

// ASCII case-insensitive comparison (RFC 4343); labels compared by bytes.
bool nameEquals(const Name& a, const Name& b);
// true when `name` equals `suffix` or ends with it on a label boundary.
bool nameUnder(const Name& name, const Name& suffix);
// name + suffix (name's labels, then suffix's); false when the result would be too long.
bool nameConcat(const Name& name, const Name& suffix, Name* out);
// Lower-cased wire form, the cache key's name part.
void nameLower(const Name& in, std::string* out);

}  // namespace sy::dns
