// Threshold decoding (Fast-dLLM-style): reveal every masked position whose
// confidence reaches tau, and at least the most confident one.
#include "samplers/threshold_sampler.hpp"

namespace bd3 {

std::vector<RevealChoice> ThresholdSampler::step(const StepRequest& request) const
{
    const std::vector<DrawnToken> drawn = drawEverywhere(request);
    std::vector<RevealChoice> choices;
    RevealChoice best;
    double bestConfidence = -1.0;
    for (size_t i = 0; i < drawn.size(); ++i) {
        const double c = confidence(request.params.confidence, request.masked.position(i), drawn[i]);
        if (c >= request.params.threshold) choices.push_back({i, drawn[i]});
        if (c > bestConfidence) {
            bestConfidence = c;
            best = {i, drawn[i]};
        }
    }
    if (choices.empty()) choices.push_back(best);
    return choices;
}

} // namespace bd3
