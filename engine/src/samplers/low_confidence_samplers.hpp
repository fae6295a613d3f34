// SDAR's remasking strategies (JetAstra/SDAR generate.py), with a step's
// reveal count taken from an even split of the whole block (its clean
// prompt tokens included) over the steps, the first block % steps steps
// taking one more:
// - low-confidence-static: the most confident positions, that many;
// - low-confidence-dynamic: every position whose confidence passes the
//   threshold when at least that many do, else the most confident that many;
// - sequential: the leftmost masked positions, that many.
// Confidence is measured on the filtered distribution the token was drawn
// from (temperature, top-k, top-p).
#pragma once

#include "samplers/block_sampler.hpp"

namespace bd3 {

// Tokens step `step` of `steps` reveals in a block of blockLength.
int32_t evenSplitCount(int32_t blockLength, int32_t steps, int32_t step);

class LowConfidenceStaticSampler final : public BlockSampler {
public:
    std::vector<RevealChoice> step(const StepRequest& request) const override;
};

class LowConfidenceDynamicSampler final : public BlockSampler {
public:
    std::vector<RevealChoice> step(const StepRequest& request) const override;
};

class SequentialSampler final : public BlockSampler {
public:
    std::vector<RevealChoice> step(const StepRequest& request) const override;
};

} // namespace bd3
