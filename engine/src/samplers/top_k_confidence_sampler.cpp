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

    const std::vector<DrawnToken> drawn = drawEverywhere(request);
    std::vector<double> confidences(masked);
    for (size_t i = 0; i < masked; ++i)
        confidences[i] = confidence(request.params.confidence, request.masked.position(i), drawn[i]);
    std::vector<size_t> order(masked);
    std::iota(order.begin(), order.end(), size_t{0});
    std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) { return confidences[a] > confidences[b]; });

    std::vector<RevealChoice> choices;
    for (size_t rank = 0; rank < k; ++rank) choices.push_back({order[rank], drawn[order[rank]]});
    return choices;
}

} // namespace bd3
