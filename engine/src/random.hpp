// The seeded generator behind every random choice of a generation: the same
// seed and settings give the same text on every run.
#pragma once

#include <cstdint>
#include <random>

namespace bd3 {

class Rng {
public:
    explicit Rng(uint64_t seed) : m_engine(seed) {}
    // Uniform in [0, 1) with 53 random bits, independent of the standard
    // library's distribution implementations.
    double uniform() { return static_cast<double>(m_engine() >> 11) * 0x1.0p-53; }
    // Uniform integer in [0, n).
    uint64_t below(uint64_t n) { return static_cast<uint64_t>(uniform() * static_cast<double>(n)); }

private:
    std::mt19937_64 m_engine;
};

} // namespace bd3
