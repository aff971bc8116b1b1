// SPDX-License-Identifier: Apache-2.0
#include "resident.h"

namespace sy::memory {
namespace {

std::string_view nextLine(std::string_view& text) {
  size_t nl = text.find('\n');
  std::string_view line = text.substr(0, nl);
  text.remove_prefix(nl == std::string_view::npos ? text.size() : nl + 1);
  return line;
}

std::string_view nextField(std::string_view& line) {
  size_t b = line.find_first_not_of(' ');
  if (b == std::string_view::npos) { line = {}; return {}; }
  line.remove_prefix(b);
  size_t e = line.find(' ');
  std::string_view f = line.substr(0, e);
  line.remove_prefix(e == std::string_view::npos ? line.size() : e);
  return f;
}

bool parseHex(std::string_view s, uintptr_t* out) {
  if (s.empty() || s.size() > 16) return false;
  uintptr_t v = 0;
  for (char c : s) {
    int d = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
    if (d < 0) return false;
    v = v << 4 | static_cast<uintptr_t>(d);
  }
  *out = v;
  return true;
}

// "Name:   123 kB" -> 123 when the line starts with key; -1 otherwise
long long kibField(std::string_view line, std::string_view key) {
  if (line.substr(0, key.size()) != key || line.size() <= key.size() || line[key.size()] != ':') return -1;
  line.remove_prefix(key.size() + 1);
  std::string_view n = nextField(line);
  long long v = 0;
  for (char c : n) {
    if (c < '0' || c > '9' || v > (1LL << 40)) return -1;
    v = v * 10 + (c - '0');
  }
  return n.empty() ? -1 : v;
}

struct Candidate {
  Range range;
  bool eligible = false;
  long long anon = -1, locked = -1;
};

void finish(const Candidate& c, std::vector<Range>* out) {
  // both figures must have been seen: a kernel that does not report them gets nothing dropped
  if (c.eligible && c.anon == 0 && c.locked == 0 && c.range.rssKib > 0) out->push_back(c.range);
}

}  // namespace

std::vector<Range> droppableMappings(std::string_view smaps) {
  std::vector<Range> out;
  Candidate cur;
  bool inMapping = false;
  while (!smaps.empty()) {
    std::string_view line = nextLine(smaps);
    std::string_view rest = line;
    std::string_view first = nextField(rest);
    size_t dash = first.find('-');
    uintptr_t a = 0, b = 0;
    // a header line: "start-end perms offset dev inode [path]"; field lines start with "Name:"
    if (dash != std::string_view::npos && first.back() != ':' && parseHex(first.substr(0, dash), &a) &&
        parseHex(first.substr(dash + 1), &b)) {
      if (inMapping) finish(cur, &out);
      inMapping = true;
      cur = Candidate{};
      std::string_view perms = nextField(rest);
      nextField(rest);  // offset
      nextField(rest);  // device
      std::string_view inode = nextField(rest);
      size_t p = rest.find_first_not_of(' ');
      std::string_view path = p == std::string_view::npos ? std::string_view{} : rest.substr(p);
      cur.range.start = a;
      cur.range.end = b;
      cur.range.path = std::string(path);
      // a replaced or deleted file is never trusted to refault with the same bytes
      bool deleted = path.size() >= 10 && path.substr(path.size() - 10) == " (deleted)";
      cur.eligible = b > a && perms.size() == 4 && perms[0] == 'r' && perms[1] == '-' && perms[3] == 'p' &&
                     !path.empty() && path[0] == '/' && !deleted && inode != "0";
      continue;
    }
    if (!inMapping) continue;
    long long v;
    if ((v = kibField(line, "Rss")) >= 0) cur.range.rssKib = static_cast<uint64_t>(v);
    else if ((v = kibField(line, "Anonymous")) >= 0) cur.anon = v;
    else if ((v = kibField(line, "Locked")) >= 0) cur.locked = v;
  }
  if (inMapping) finish(cur, &out);
  return out;
}

}  // namespace sy::memory
