// Threshold decoding (Fast-dLLM-style): reveal every masked position whose
// confidence reaches tau, and at least the most confident one.
#include "samplers/threshold_sampler.hpp"

namespace bd3 {

std::vector<RevealChoice> ThresholdSampler::step(const StepRequest& request) const
{
    std::vector<RevealChoice> choices;
    RevealChoice best;
    double bestConfidence = -1.0;
    for (size_t i = 0; i < request.masked.size(); ++i) {
        const int32_t token = request.masked[i].draw(request.rng);
        const double confidence = request.masked[i].confidence(request.params.confidence, token);
        if (confidence >= request.params.threshold) choices.push_back({i, token});
        if (confidence > bestConfidence) {
            bestConfidence = confidence;
            best = {i, token};
        }
    }
    if (choices.empty()) choices.push_back(best);
    return choices;
}

} // namespace bd3
