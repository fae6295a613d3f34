// The distribution a masked position's token is drawn from: the model's
// log-probabilities sharpened by the temperature and cut by the nucleus.
#pragma once

#include "bd3/events.hpp"

#include <cstdint>
#include <span>
#include <vector>

namespace bd3 {

struct TokenDistribution {
    std::vector<float> probabilities;  // [V], sums to 1
    double entropy = 0.0;            // nats
    float top1 = 0.0F;               // largest probability
    float top2 = 0.0F;               // second largest

    // Builds from one row of SUBS log-probabilities.
    static TokenDistribution from(std::span<const float> logProbs, double temperature, double topP);

    // A categorical draw by inversion of the cumulative sum at uniform (in
    // [0, 1)), in float64.
    int32_t draw(double uniform) const;
    std::vector<Alternative> alternatives(int32_t count) const;
};

} // namespace bd3
