// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <cstdint>

namespace sy::io {

struct TrimResult {
  unsigned mappings = 0;  // mappings dropped
  uint64_t kib = 0;       // resident KiB they held
  int error = 0;          // errno if /proc/self/smaps could not be read
};

// Drops this process's clean file-backed pages (see core/memory/resident.h for which ones and why).
// They come back on the next touch from the page cache; nothing is lost.
TrimResult DropCleanFilePages();

}  // namespace sy::io
