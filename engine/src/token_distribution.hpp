// The distribution a masked position's token is drawn from: the model's
// log-probabilities sharpened by the temperature and cut by the nucleus.
#pragma once

#include "random.hpp"

#include "bd3/events.hpp"
#include "bd3/sampling.hpp"

#include <cstdint>
#include <span>
#include <vector>

namespace bd3 {

struct TokenDistribution {
    int32_t offset = 0;              // position inside the block
    std::vector<float> probabilities;  // [V], sums to 1
    double entropy = 0.0;            // nats
    float top1 = 0.0F;               // largest probability
    float top2 = 0.0F;               // second largest

    // Builds from one row of SUBS log-probabilities.
    static TokenDistribution from(std::span<const float> logProbs, int32_t offset, double temperature, double topP);

    // A categorical draw by inversion of the cumulative sum, in float64.
    int32_t draw(Rng& rng) const;
    // How sure the model is here, in [0, 1]: the drawn token's probability,
    // exp(-entropy), or the top-1 minus top-2 margin.
    double confidence(ConfidenceMeasure measure, int32_t token) const;
    std::vector<Alternative> alternatives(int32_t count) const;
};

} // namespace bd3
