// A sampler decides, at each denoising step of a block, which masked
// positions are revealed and with which tokens.
#pragma once

#include "random.hpp"
#include "samplers/masked_distributions.hpp"

#include "bd3/sampling.hpp"

#include <memory>
#include <span>
#include <vector>

namespace bd3 {

struct StepRequest {
    int32_t step = 0;           // 0-based index within the block
    int32_t initialMasked = 0;  // masked positions when the block started
    int32_t blockLength = 0;    // the block, its clean prompt tokens included
    const SamplingParams& params;
    const MaskedDistributions& masked;  // one per still-masked position
    Rng& rng;

    // The schedule's expected count of masked positions after this step, on
    // the grid t = 1, 1 - 1/T, ..., 0 of the block's T steps.
    double expectedMaskedAfter() const;
    // Fraction of the positions masked now that the schedule reveals now.
    double revealFraction() const;
};

struct RevealChoice {
    size_t index = 0;  // into StepRequest::masked
    DrawnToken drawn;
};

class BlockSampler {
public:
    virtual ~BlockSampler() = default;
    // At least one reveal whenever the schedule's time has run out, so a
    // block always finishes.
    virtual std::vector<RevealChoice> step(const StepRequest& request) const = 0;
};

std::unique_ptr<BlockSampler> makeBlockSampler(SamplerKind kind);

// A token drawn at every masked position, in order, one uniform each: what
// the confidence samplers rank.
std::vector<DrawnToken> drawEverywhere(const StepRequest& request);

} // namespace bd3
