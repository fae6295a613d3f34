// Top-k confidence (LLaDA-style): draw a token everywhere, keep the k most
// confident, where k brings the masked count down to what the schedule asks.
#include "samplers/top_k_confidence_sampler.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>

namespace bd3 {

std::vector<RevealChoice> TopKConfidenceSampler::step(const StepRequest& request) const
{
    const size_t masked = request.masked.size();
    const auto target = static_cast<size_t>(std::llround(request.expectedMaskedAfter()));
    const size_t k = std::clamp<size_t>(masked > target ? masked - target : 1, 1, masked);

    std::vector<RevealChoice> drawn(masked);
    std::vector<double> confidence(masked);
    for (size_t i = 0; i < masked; ++i) {
        drawn[i] = {i, request.masked[i].draw(request.rng)};
        confidence[i] = request.masked[i].confidence(request.params.confidence, drawn[i].token);
    }
    std::vector<size_t> order(masked);
    std::iota(order.begin(), order.end(), size_t{0});
    std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) { return confidence[a] > confidence[b]; });

    std::vector<RevealChoice> choices;
    for (size_t rank = 0; rank < k; ++rank) choices.push_back(drawn[order[rank]]);
    return choices;
}

} // namespace bd3
