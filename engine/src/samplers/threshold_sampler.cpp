// Threshold decoding (Fast-dLLM v2): reveal every masked position whose
// confidence passes tau, and at least the most confident one, so a step
// never stalls. With sub-blocks, only the first sub-block that still holds
// masks is decoded, and the next starts when it is full.
#include "samplers/threshold_sampler.hpp"

namespace bd3 {

std::vector<RevealChoice> ThresholdSampler::step(const StepRequest& request) const
{
    const MaskedDistributions& masked = request.masked;
    const int32_t sub = request.params.subBlockSize;
    // Masked positions are in block order: the first one names the sub-block.
    const int32_t subBlockEnd = sub > 0 ? (masked.position(0).offset / sub + 1) * sub : INT32_MAX;
    std::vector<DrawRequest> draws;
    for (size_t i = 0; i < masked.size() && masked.position(i).offset < subBlockEnd; ++i)
        draws.push_back({i, request.rng.uniform()});
    const std::vector<DrawnToken> drawn = masked.draw(draws);
    std::vector<RevealChoice> choices;
    RevealChoice best;
    double bestConfidence = -1.0;
    for (size_t i = 0; i < drawn.size(); ++i) {
        const double c = confidence(request.params.confidence, masked.position(i), drawn[i]);
        if (c > request.params.threshold) choices.push_back({i, drawn[i]});
        if (c > bestConfidence) {
            bestConfidence = c;
            best = {i, drawn[i]};
        }
    }
    if (choices.empty()) choices.push_back(best);
    return choices;
}

} // namespace bd3
