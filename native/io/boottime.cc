// SPDX-License-Identifier: Apache-2.0
#include "io/boottime.h"

#include <ctime>

namespace sy::io {

double BoottimeSeconds() {
  timespec ts{};
  // CLOCK_BOOTTIME exists on every kernel we support (>= 2.6.39); a failure is not recoverable
  // and MONOTONIC is the closest substitute.
  if (clock_gettime(CLOCK_BOOTTIME, &ts) != 0) clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) / 1e9;
}

}  // namespace sy::io
