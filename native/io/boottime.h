// SPDX-License-Identifier: Apache-2.0
#pragma once

namespace sy::io {

// Seconds since boot including suspend (CLOCK_BOOTTIME): lease timers must keep running while the
// device sleeps, which CLOCK_MONOTONIC does not.
double BoottimeSeconds();

}  // namespace sy::io
