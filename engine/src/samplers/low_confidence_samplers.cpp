#include "samplers/low_confidence_samplers.hpp"

#include <algorithm>
#include <numeric>

namespace bd3 {

namespace {

// At least one reveal per step, so a block always finishes: past the last
// step (when fewer tokens were revealed than planned) the count is one.
size_t revealCount(const StepRequest& request)
{
    const int32_t planned = evenSplitCount(request.blockLength, request.params.steps, request.step);
    return std::clamp<size_t>(static_cast<size_t>(std::max(planned, 1)), 1, request.masked.size());
}

// Indices into request.masked ordered by confidence, most confident first
// (ties keep the left position first).
std::vector<size_t> byConfidence(const StepRequest& request, const std::vector<DrawnToken>& drawn,
                                 std::vector<double>& confidences)
{
    confidences.resize(drawn.size());
    for (size_t i = 0; i < drawn.size(); ++i)
        confidences[i] = confidence(request.params.confidence, request.masked.position(i), drawn[i]);
    std::vector<size_t> order(drawn.size());
    std::iota(order.begin(), order.end(), size_t{0});
    std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) { return confidences[a] > confidences[b]; });
    return order;
}

std::vector<RevealChoice> firstOf(const std::vector<size_t>& order, size_t count, const std::vector<DrawnToken>& drawn)
{
    std::vector<RevealChoice> choices;
    for (size_t rank = 0; rank < count; ++rank) choices.push_back({order[rank], drawn[order[rank]]});
    return choices;
}

} // namespace

int32_t evenSplitCount(int32_t blockLength, int32_t steps, int32_t step)
{
    if (step >= steps) return 0;
    return blockLength / steps + (step < blockLength % steps ? 1 : 0);
}

std::vector<RevealChoice> LowConfidenceStaticSampler::step(const StepRequest& request) const
{
    const std::vector<DrawnToken> drawn = drawEverywhere(request);
    std::vector<double> confidences;
    return firstOf(byConfidence(request, drawn, confidences), revealCount(request), drawn);
}

std::vector<RevealChoice> LowConfidenceDynamicSampler::step(const StepRequest& request) const
{
    const std::vector<DrawnToken> drawn = drawEverywhere(request);
    std::vector<double> confidences;
    const std::vector<size_t> order = byConfidence(request, drawn, confidences);
    const auto passing = static_cast<size_t>(std::count_if(
        confidences.begin(), confidences.end(), [&](double c) { return c > request.params.threshold; }));
    return firstOf(order, std::max(passing, revealCount(request)), drawn);
}

std::vector<RevealChoice> SequentialSampler::step(const StepRequest& request) const
{
    // The masked positions are in block order; only the revealed ones are drawn.
    const size_t count = revealCount(request);
    std::vector<DrawRequest> draws;
    for (size_t i = 0; i < count; ++i) draws.push_back({i, request.rng.uniform()});
    const std::vector<DrawnToken> drawn = request.masked.draw(draws);
    std::vector<RevealChoice> choices;
    for (size_t i = 0; i < count; ++i) choices.push_back({i, drawn[i]});
    return choices;
}

} // namespace bd3
