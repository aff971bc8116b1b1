// SPDX-License-Identifier: Apache-2.0
// What every engine runner (dhcp4, dhcp6, arp) shares: the one descriptor JavaScript polls is an
// epoll fd holding the runner's sockets and a CLOCK_BOOTTIME timerfd that is armed at the engine's
// absolute deadline. Sockets, packets and the engine stay in each runner; this is only the loop.
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace sy::io {

// The engines' clock, in microseconds: the timerfd's own clock, so a deadline computed from it
// fires when it should, suspend included.
uint64_t BoottimeUsec();

// Seed for an engine's generator (xids, jitter): getrandom, else clock and pid. The MAC goes in
// too, so two interfaces started in the same instant never share xids.
uint64_t EngineSeed(const std::array<uint8_t, 6>& mac);
// splitmix64 step; the high half, which is the better mixed one.
uint32_t NextRandom(uint64_t* state);

// Create()'s first check, before any socket is opened.
bool ValidInterface(int ifindex, const std::string& ifname, std::string* err);
// Sets *err to "<what>: <strerror(errno)>" and returns false, the runners' one error format.
bool Fail(std::string* err, const char* what);

class EngineLoop {
 public:
  EngineLoop() = default;
  ~EngineLoop();  // closes the epoll fd, the timerfd and every owned fd

  // Takes `fd` (if valid) to close with the loop and returns it, so a runner's open() can
  // return early at any step without leaking what it made before.
  int own(int fd);
  bool open(std::string* err);  // the timerfd and the epoll fd
  // Watch `fd` for readability; dispatch() hands its tag back. Tag 0 is the timer's.
  bool watch(int fd, uint32_t tag, std::string* err);
  void arm(uint64_t deadline);  // absolute BoottimeUsec; 0 disarms
  // Call when fd() is readable: onTimer(now) once the deadline has passed, onReadable(tag) for
  // each watched fd that has data.
  void dispatch(const std::function<void(uint64_t now)>& onTimer,
                const std::function<void(uint32_t tag)>& onReadable);
  int fd() const { return epfd_; }

  EngineLoop(const EngineLoop&) = delete;
  EngineLoop& operator=(const EngineLoop&) = delete;

 private:
  int epfd_ = -1, timerFd_ = -1;
  std::vector<int> owned_;
};

}  // namespace sy::io
