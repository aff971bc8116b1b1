// SPDX-License-Identifier: Apache-2.0
// Which of a process's mappings hold only clean pages read from files (/proc/self/smaps): those can
// be dropped from the process and fault back in, identical, from the page cache if ever touched again.
// Start-up reads much code and data that the running daemon never uses again (Node's bootstrap, the
// dynamic linker's symbol tables, module compilation); RSS counts those pages until the kernel
// reclaims them under pressure. Dropping them once start-up is over makes RSS the working set.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace sy::memory {

struct Range {
  uintptr_t start = 0, end = 0;
  uint64_t rssKib = 0;  // resident when smaps was read
  std::string path;
};

// Mappings that are safe to drop: backed by a file that still exists under its name, private, not
// writable, not locked, and without a single anonymous (copy-on-write) page. That last rule matters:
// a read-only mapping may hold pages written before it was made read-only (RELRO after relocation),
// and dropping those would lose the writes. Only mappings with resident pages are listed.
std::vector<Range> droppableMappings(std::string_view smaps);

}  // namespace sy::memory
