// The distribution a masked position's token is drawn from: the model's
// log-probabilities sharpened by the temperature, cut to the top k and then
// to the nucleus, as SDAR's and Fast-dLLM's samplers do. Temperature 0 is
// greedy: the distribution is that of temperature 1 (so confidences keep
// their meaning) and every draw is its most probable token.
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
    bool greedy = false;             // every draw is the most probable token

    // Builds from one row of SUBS log-probabilities.
    static TokenDistribution from(std::span<const float> logProbs, double temperature, int32_t topK, double topP);

    // A categorical draw by inversion of the cumulative sum at uniform (in
    // [0, 1)), in float64.
    int32_t draw(double uniform) const;
    std::vector<Alternative> alternatives(int32_t count) const;
};

} // namespace bd3
