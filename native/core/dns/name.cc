// SPDX-License-Identifier: Apache-2.0
#include "name.h"

#include <cstdio>
#include <algorithm>
#include <cstring>

namespace sy::dns {
namespace {

uint8_t lower(uint8_t c) { return (c >= 'A' && c <= 'Z') ? static_cast<uint8_t>(c + 32) : c; }

// Offsets of each label's length byte in a wire name (at most 127 labels fit in 255 bytes).
int labelOffsets(const Name& n, uint16_t* offs) {
  int count = 0;
  for (uint16_t i = 0; i < n.len && n.wire[i] != 0; i = static_cast<uint16_t>(i + 1 + n.wire[i])) offs[count++] = i;
  return count;
}

}  // namespace

int Name::labelCount() const {
  uint16_t offs[128];
  return labelOffsets(*this, offs);
}

std::string Name::toText() const {
  if (isRoot()) return ".";
  std::string s;
  for (uint16_t i = 0; i < len && wire[i] != 0; i = static_cast<uint16_t>(i + 1 + wire[i])) {
    for (uint8_t k = 1; k <= wire[i]; ++k) {
      uint8_t c = wire[i + k];
      if (c == '.' || c == '\\') {
        s += '\\';
        s += static_cast<char>(c);
      } else if (c < 0x21 || c > 0x7e) {
        char buf[5];
        std::snprintf(buf, sizeof buf, "\\%03u", c);
        s += buf;
      } else {
        s += static_cast<char>(c);
      }
    }
    s += '.';
  }
  return s;
}

bool readName(const uint8_t* msg, size_t size, wire::Reader& r, Name* out, std::vector<uint16_t>* labels) {
  size_t outLen = 0;
  bool jumped = false;
  wire::Reader cur = r;
  // The lowest offset a pointer may target: strictly before where the current sequence began.
  size_t limit = r.offset();
  for (int hops = 0;; ++hops) {
    size_t labelStart = cur.offset();
    uint8_t len = cur.u8();
    if (!cur.ok()) return false;
    if ((len & 0xc0) == 0xc0) {
      uint8_t lo = cur.u8();
      if (!cur.ok()) return false;
      size_t target = (size_t{len & 0x3fu} << 8) | lo;
      if (!jumped) {
        r = cur;  // the name in place ends after its first pointer
        jumped = true;
      }
      // Every hop goes strictly backwards from the start of the label run that led here.
      if (target >= labelStart || target >= limit || hops > 127) return false;
      if (labels && !std::binary_search(labels->begin(), labels->end(), static_cast<uint16_t>(target))) return false;
      limit = target;
      cur = wire::Reader(msg, size);
      if (!cur.skip(target)) return false;
      continue;
    }
    if ((len & 0xc0) != 0) return false;  // 0x40/0x80 label types are obsolete (RFC 6891 9)
    if (labels && !jumped && len != 0 && labelStart <= 0xffff &&
        (labels->empty() || labels->back() < labelStart))
      labels->push_back(static_cast<uint16_t>(labelStart));
    if (outLen + 1 + len > kMaxNameWire) return false;
    out->wire[outLen++] = len;
    if (len == 0) break;
    wire::Span label = cur.span(len);
    if (!cur.ok()) return false;
    std::memcpy(out->wire + outLen, label.data, len);
    outLen += len;
  }
  out->len = static_cast<uint16_t>(outLen);
  if (!jumped) r = cur;
  return true;
}

bool nameFromText(const std::string& text, Name* out) {
  if (text.empty()) return false;
  if (text == ".") {
    out->wire[0] = 0;
    out->len = 1;
    return true;
  }
  size_t o = 0;
  size_t i = 0;
  while (i < text.size()) {
    size_t dot = text.find('.', i);
    if (dot == std::string::npos) dot = text.size();
    size_t l = dot - i;
    if (l == 0 || l > kMaxLabel || o + 1 + l + 1 > kMaxNameWire) return false;
    out->wire[o++] = static_cast<uint8_t>(l);
    std::memcpy(out->wire + o, text.data() + i, l);
    o += l;
    i = dot + 1;
  }
  out->wire[o++] = 0;
  out->len = static_cast<uint16_t>(o);
  return true;
}

bool nameEquals(const Name& a, const Name& b) {
  if (a.len != b.len) return false;
  for (uint16_t i = 0; i < a.len; ++i)
    if (lower(a.wire[i]) != lower(b.wire[i])) return false;
  return true;
}

bool nameUnder(const Name& name, const Name& suffix) {
  if (suffix.len > name.len) return false;
  uint16_t offs[128];
  int n = labelOffsets(name, offs);
  uint16_t start = static_cast<uint16_t>(name.len - suffix.len);
  bool boundary = start == name.len - 1;  // suffix is the root
  for (int k = 0; k < n && !boundary; ++k) boundary = offs[k] == start;
  if (!boundary) return false;
  for (uint16_t i = 0; i < suffix.len; ++i)
    if (lower(name.wire[start + i]) != lower(suffix.wire[i])) return false;
  return true;
}

bool nameConcat(const Name& name, const Name& suffix, Name* out) {
  size_t total = static_cast<size_t>(name.len - 1) + suffix.len;
  if (total > kMaxNameWire) return false;
  std::memcpy(out->wire, name.wire, name.len - 1);
  std::memcpy(out->wire + name.len - 1, suffix.wire, suffix.len);
  out->len = static_cast<uint16_t>(total);
  return true;
}

void nameLower(const Name& in, std::string* out) {
  out->resize(in.len);
  for (uint16_t i = 0; i < in.len; ++i) (*out)[i] = static_cast<char>(lower(in.wire[i]));
}

}  // namespace sy::dns
