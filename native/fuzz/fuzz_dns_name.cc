// SPDX-License-Identifier: Apache-2.0
// Name decompression at any offset of any message: [offset16][message]. A name that reads must
// fit 255 bytes, turn into text and back into the same name.
#include <cstdlib>
#include <cstring>

#include "../core/dns/name.h"

using namespace sy::dns;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 2) return 0;
  size_t off = (size_t{data[0]} << 8) | data[1];
  const uint8_t* msg = data + 2;
  size_t len = size - 2;
  sy::wire::Reader r(msg, len);
  if (!r.skip(off)) return 0;
  Name n;
  if (!readName(msg, len, r, &n)) return 0;
  if (n.len == 0 || n.len > kMaxNameWire || r.offset() > len) std::abort();
  // Labels with dots or odd bytes are escaped in text; only plain names must round-trip.
  std::string text = n.toText();
  if (text.find('\\') == std::string::npos) {
    Name back;
    if (!nameFromText(text, &back) || !nameEquals(back, n)) std::abort();
  }
  Name suffix;
  nameFromText("example.com", &suffix);
  Name joined;
  if (nameConcat(n, suffix, &joined) && !nameUnder(joined, suffix)) std::abort();
  return 0;
}
