// SPDX-License-Identifier: Apache-2.0
#include "engine-loop.h"

#include <errno.h>
#include <net/if.h>
#include <sys/epoll.h>
#include <sys/random.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#include <cstring>

namespace sy::io {

namespace {
constexpr uint32_t kTagTimer = 0;
}  // namespace

uint64_t BoottimeUsec() {
  timespec ts{};
  clock_gettime(CLOCK_BOOTTIME, &ts);
  return static_cast<uint64_t>(ts.tv_sec) * 1000000u + static_cast<uint64_t>(ts.tv_nsec) / 1000u;
}

uint64_t EngineSeed(const std::array<uint8_t, 6>& mac) {
  uint64_t seed = 0;
  if (getrandom(&seed, sizeof seed, GRND_NONBLOCK) != sizeof seed)
    seed = BoottimeUsec() ^ (uint64_t{static_cast<uint32_t>(getpid())} << 32);
  for (uint8_t b : mac) seed = (seed << 5) ^ (seed >> 59) ^ b;
  return seed;
}

uint32_t NextRandom(uint64_t* s) {
  uint64_t z = (*s += 0x9e3779b97f4a7c15ull);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return static_cast<uint32_t>((z ^ (z >> 31)) >> 32);
}

bool ValidInterface(int ifindex, const std::string& ifname, std::string* err) {
  if (ifindex > 0 && !ifname.empty() && ifname.size() < IFNAMSIZ) return true;
  if (err) *err = "invalid interface";
  return false;
}

bool Fail(std::string* err, const char* what) {
  if (err) *err = std::string(what) + ": " + std::strerror(errno);
  return false;
}

EngineLoop::~EngineLoop() {
  for (int fd : owned_) close(fd);
  for (int fd : {epfd_, timerFd_})
    if (fd >= 0) close(fd);
}

int EngineLoop::own(int fd) {
  if (fd >= 0) owned_.push_back(fd);
  return fd;
}

bool EngineLoop::open(std::string* err) {
  timerFd_ = timerfd_create(CLOCK_BOOTTIME, TFD_NONBLOCK | TFD_CLOEXEC);
  if (timerFd_ < 0) return Fail(err, "timerfd");
  epfd_ = epoll_create1(EPOLL_CLOEXEC);
  if (epfd_ < 0) return Fail(err, "epoll");
  return watch(timerFd_, kTagTimer, err);
}

bool EngineLoop::watch(int fd, uint32_t tag, std::string* err) {
  epoll_event ev{};
  ev.events = EPOLLIN;
  ev.data.u32 = tag;
  if (epoll_ctl(epfd_, EPOLL_CTL_ADD, fd, &ev) < 0) return Fail(err, "epoll_ctl");
  return true;
}

void EngineLoop::arm(uint64_t deadline) {
  itimerspec its{};
  if (deadline) {
    its.it_value.tv_sec = static_cast<time_t>(deadline / 1000000u);
    its.it_value.tv_nsec = static_cast<long>((deadline % 1000000u) * 1000u);
  }
  timerfd_settime(timerFd_, TFD_TIMER_ABSTIME, &its, nullptr);
}

void EngineLoop::dispatch(const std::function<void(uint64_t now)>& onTimer,
                          const std::function<void(uint32_t tag)>& onReadable) {
  epoll_event evs[4];
  int n = epoll_wait(epfd_, evs, 4, 0);
  for (int i = 0; i < n; i++) {
    if (evs[i].data.u32 == kTagTimer) {
      uint64_t expirations;
      if (read(timerFd_, &expirations, sizeof expirations) == sizeof expirations) onTimer(BoottimeUsec());
    } else {
      onReadable(evs[i].data.u32);
    }
  }
}

}  // namespace sy::io
