// SPDX-License-Identifier: Apache-2.0
// Which mappings may lose their resident pages (core/memory/resident.h): read from smaps text, then on
// real mappings of a file in this process, where dropping must leave every byte as it was.
#include "../../native/core/memory/resident.h"

#include <sys/mman.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

#include "harness.h"

namespace mem = sy::memory;

namespace {

std::string mapping(const char* range, const char* perms, const char* inode, const char* path, int rss,
                    int anon, int locked = 0) {
  char buf[512];
  std::snprintf(buf, sizeof buf,
                "%s %s 00000000 fe:01 %s                    %s\nSize:                 64 kB\n"
                "Rss:                 %d kB\nPss:                 %d kB\nAnonymous:           %d kB\n"
                "Locked:              %d kB\nVmFlags: rd mr mw me\n",
                range, perms, inode, path, rss, rss, anon, locked);
  return buf;
}

std::string readSmaps() {
  std::string text;
  FILE* f = std::fopen("/proc/self/smaps", "re");
  if (f == nullptr) return text;
  char buf[8192];
  for (size_t n; (n = std::fread(buf, 1, sizeof buf, f)) > 0;) text.append(buf, n);
  std::fclose(f);
  return text;
}

// KiB resident in this process for the mapping that starts at p (-1 if it is not found)
long rssOf(const void* p) {
  char head[32];
  std::snprintf(head, sizeof head, "%lx-", reinterpret_cast<unsigned long>(p));
  std::string s = readSmaps();
  size_t at = s.find(std::string("\n") + head);
  if (at == std::string::npos) return -1;
  size_t rss = s.find("\nRss:", at + 1);
  return rss == std::string::npos ? -1 : std::strtol(s.c_str() + rss + 5, nullptr, 10);
}

bool listed(const std::vector<mem::Range>& v, const void* p) {
  for (auto& r : v) if (r.start == reinterpret_cast<uintptr_t>(p)) return true;
  return false;
}

}  // namespace

TEST(resident_only_clean_private_readonly_file_mappings) {
  std::string text =
      mapping("7f0000000000-7f0000010000", "r-xp", "1234", "/usr/bin/node", 64, 0) +
      mapping("7f0000010000-7f0000020000", "r--p", "1234", "/usr/bin/node", 32, 0) +
      mapping("7f0000020000-7f0000030000", "r--p", "1234", "/usr/bin/node", 16, 4) +    // RELRO: copied pages
      mapping("7f0000030000-7f0000040000", "rw-p", "1234", "/usr/bin/node", 16, 0) +    // writable
      mapping("7f0000040000-7f0000050000", "r--s", "77", "/dev/shm/x", 16, 0) +         // shared
      mapping("7f0000050000-7f0000060000", "r--p", "0", "", 16, 0) +                    // anonymous
      mapping("7f0000060000-7f0000070000", "r-xp", "0", "[vdso]", 4, 0) +
      mapping("7f0000070000-7f0000080000", "r-xp", "99", "/usr/lib/old.so (deleted)", 8, 0) +
      mapping("7f0000080000-7f0000090000", "r-xp", "98", "/usr/lib/locked.so", 8, 0, 8) +
      mapping("7f0000090000-7f00000a0000", "r-xp", "97", "/usr/lib/cold.so", 0, 0) +     // nothing resident
      mapping("7f00000a0000-7f00000b0000", "r-xp", "96", "/usr/lib/with space.so", 12, 0);
  auto v = mem::droppableMappings(text);
  REQUIRE(v.size() == 3);
  CHECK_EQ(v[0].start, uintptr_t{0x7f0000000000});
  CHECK_EQ(v[0].end, uintptr_t{0x7f0000010000});
  CHECK_EQ(v[0].rssKib, uint64_t{64});
  CHECK_EQ(v[0].path, std::string("/usr/bin/node"));
  CHECK_EQ(v[1].start, uintptr_t{0x7f0000010000});
  CHECK_EQ(v[2].path, std::string("/usr/lib/with space.so"));
}

TEST(resident_text_without_the_figures_drops_nothing) {
  // a kernel that does not report Anonymous/Locked, truncated or garbled text: never a guess
  CHECK(mem::droppableMappings("7f0000000000-7f0000010000 r-xp 00000000 fe:01 1 /a\nRss: 64 kB\n").empty());
  CHECK(mem::droppableMappings("").empty());
  CHECK(mem::droppableMappings("Rss: 4 kB\nAnonymous: 0 kB\nLocked: 0 kB\n").empty());
  CHECK(mem::droppableMappings("zz-7f r-xp 0 fe:01 1 /a\nRss: 4 kB\nAnonymous: 0 kB\nLocked: 0 kB\n").empty());
  CHECK(mem::droppableMappings("7f-10 r-xp 0 fe:01 1 /a\nRss: 4 kB\nAnonymous: 0 kB\nLocked: 0 kB\n").empty());
  CHECK(mem::droppableMappings("1000-2000 r-xp 0 fe:01 1 /a\nRss: 4 kB\nAnonymous: x kB\nLocked: 0 kB\n").empty());
}

TEST(resident_dropping_real_mappings_keeps_their_bytes) {
  char path[] = "/tmp/sy-resident-XXXXXX";
  // kept on disk while mapped: smaps would call an unlinked file "(deleted)", which is never dropped
  int fd = mkstemp(path);
  REQUIRE(fd >= 0);
  const size_t len = 16 * 4096;
  std::string content(len, '\0');
  for (size_t i = 0; i < len; i++) content[i] = static_cast<char>('a' + i % 26);
  REQUIRE(write(fd, content.data(), len) == static_cast<ssize_t>(len));

  // clean and read-only: may go
  auto* ro = static_cast<char*>(mmap(nullptr, len, PROT_READ, MAP_PRIVATE, fd, 0));
  // written while writable, then made read-only (what RELRO does): must stay
  auto* relro = static_cast<char*>(mmap(nullptr, len, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0));
  REQUIRE(ro != MAP_FAILED && relro != MAP_FAILED);
  std::memcpy(relro + 4096, "relocated", 9);
  REQUIRE(mprotect(relro, len, PROT_READ) == 0);
  unsigned sum = 0;
  for (size_t i = 0; i < len; i += 4096) sum += static_cast<unsigned char>(ro[i]) + static_cast<unsigned char>(relro[i]);
  CHECK(sum > 0);
  CHECK(rssOf(ro) > 0);

  auto v = mem::droppableMappings(readSmaps());
  CHECK(listed(v, ro));
  CHECK(!listed(v, relro));
  for (auto& r : v) {
    if (r.start == reinterpret_cast<uintptr_t>(ro)) CHECK_EQ(madvise(ro, len, MADV_DONTNEED), 0);
  }
  CHECK_EQ(rssOf(ro), 0L);
  CHECK(std::memcmp(ro, content.data(), len) == 0);  // faults back in, same bytes
  CHECK(std::memcmp(relro + 4096, "relocated", 9) == 0);
  munmap(ro, len);
  munmap(relro, len);
  close(fd);
  unlink(path);
}
