#include "samplers/block_sampler.hpp"

#include "samplers/ddpm_sampler.hpp"
#include "samplers/first_hitting_sampler.hpp"
#include "samplers/low_confidence_samplers.hpp"
#include "samplers/threshold_sampler.hpp"
#include "samplers/top_k_confidence_sampler.hpp"

#include <algorithm>

namespace bd3 {

namespace {

double timeAt(int32_t step, int32_t steps) { return std::max(0.0, 1.0 - static_cast<double>(step) / steps); }

} // namespace

double StepRequest::expectedMaskedAfter() const
{
    return initialMasked * params.schedule.maskedFraction(timeAt(step + 1, params.steps));
}

double StepRequest::revealFraction() const
{
    const double now = params.schedule.maskedFraction(timeAt(step, params.steps));
    const double next = params.schedule.maskedFraction(timeAt(step + 1, params.steps));
    return now > 0.0 ? std::clamp((now - next) / now, 0.0, 1.0) : 1.0;
}

std::vector<DrawnToken> drawEverywhere(const StepRequest& request)
{
    std::vector<DrawRequest> draws;
    for (size_t i = 0; i < request.masked.size(); ++i) draws.push_back({i, request.rng.uniform()});
    return request.masked.draw(draws);
}

std::unique_ptr<BlockSampler> makeBlockSampler(SamplerKind kind)
{
    switch (kind) {
    case SamplerKind::Ddpm: return std::make_unique<DdpmSampler>();
    case SamplerKind::FirstHitting: return std::make_unique<FirstHittingSampler>();
    case SamplerKind::TopKConfidence: return std::make_unique<TopKConfidenceSampler>();
    case SamplerKind::Threshold: return std::make_unique<ThresholdSampler>();
    case SamplerKind::LowConfidenceStatic: return std::make_unique<LowConfidenceStaticSampler>();
    case SamplerKind::LowConfidenceDynamic: return std::make_unique<LowConfidenceDynamicSampler>();
    case SamplerKind::Sequential: return std::make_unique<SequentialSampler>();
    }
    return std::make_unique<DdpmSampler>();
}

} // namespace bd3
