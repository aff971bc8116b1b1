// SPDX-License-Identifier: Apache-2.0
// A tiny in-repo test harness (no external dependency): TEST registers a case,
// CHECK records a failure and goes on, REQUIRE records one and leaves the case.
#pragma once

#include <cstdio>
#include <string>
#include <vector>

namespace sytest {

struct Case {
  const char* name;
  void (*fn)();
};
inline std::vector<Case>& registry() {
  static std::vector<Case> cases;
  return cases;
}
inline int& failures() {
  static int n = 0;
  return n;
}
struct Registrar {
  Registrar(const char* name, void (*fn)()) { registry().push_back({name, fn}); }
};
inline void fail(const char* file, int line, const std::string& what) {
  failures()++;
  std::printf("  FAIL %s:%d: %s\n", file, line, what.c_str());
}
inline std::string show(unsigned long long v) { return std::to_string(v); }
inline std::string show(long long v) { return std::to_string(v); }
inline std::string show(unsigned v) { return std::to_string(v); }
inline std::string show(int v) { return std::to_string(v); }
inline std::string show(unsigned long v) { return std::to_string(v); }
inline std::string show(long v) { return std::to_string(v); }
inline std::string show(unsigned char v) { return std::to_string(v); }
inline std::string show(unsigned short v) { return std::to_string(v); }
inline std::string show(bool v) { return v ? "true" : "false"; }
inline std::string show(const std::string& v) { return "\"" + v + "\""; }
inline std::string show(const char* v) { return show(std::string(v)); }

}  // namespace sytest

#define SY_CAT2(a, b) a##b
#define SY_CAT(a, b) SY_CAT2(a, b)
#define TEST(name)                                                      \
  static void name();                                                   \
  static sytest::Registrar SY_CAT(reg_, name)(#name, name);             \
  static void name()
#define CHECK(c) \
  do { if (!(c)) sytest::fail(__FILE__, __LINE__, #c); } while (0)
#define REQUIRE(c) \
  do { if (!(c)) { sytest::fail(__FILE__, __LINE__, #c); return; } } while (0)
#define CHECK_EQ(a, b)                                                                  \
  do {                                                                                  \
    auto va_ = (a);                                                                     \
    auto vb_ = (b);                                                                     \
    if (!(va_ == vb_))                                                                  \
      sytest::fail(__FILE__, __LINE__,                                                  \
                   std::string(#a " == " #b ": ") + sytest::show(va_) + " vs " + sytest::show(vb_)); \
  } while (0)
