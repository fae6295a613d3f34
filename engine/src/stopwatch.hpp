// Elapsed wall time, for the engine's timings and measurement loops.
#pragma once

#include <chrono>

namespace bd3 {

using Clock = std::chrono::steady_clock;

inline double secondsSince(Clock::time_point start)
{
    return std::chrono::duration<double>(Clock::now() - start).count();
}

inline double millisecondsSince(Clock::time_point start) { return 1e3 * secondsSince(start); }

} // namespace bd3
