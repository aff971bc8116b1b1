// SPDX-License-Identifier: Apache-2.0
#include "io/resident-trim.h"

#include <sys/mman.h>

#include <cerrno>
#include <cstdio>
#include <string>

#include "../core/memory/resident.h"

namespace sy::io {

TrimResult DropCleanFilePages() {
  TrimResult r;
  FILE* f = std::fopen("/proc/self/smaps", "re");
  if (f == nullptr) {
    r.error = errno;
    return r;
  }
  std::string text;
  char buf[16384];
  for (size_t n; (n = std::fread(buf, 1, sizeof buf, f)) > 0;) text.append(buf, n);
  std::fclose(f);
  for (const memory::Range& m : memory::droppableMappings(text)) {
    // MADV_DONTNEED on a private file mapping with no copied page only unmaps page-cache pages; a
    // failure (a mapping that changed since smaps was read) leaves it as it was
    if (madvise(reinterpret_cast<void*>(m.start), m.end - m.start, MADV_DONTNEED) == 0) {
      r.mappings++;
      r.kib += m.rssKib;
    }
  }
  return r;
}

}  // namespace sy::io
