#pragma once

#include "samplers/block_sampler.hpp"

namespace bd3 {

class DdpmSampler final : public BlockSampler {
public:
    std::vector<RevealChoice> step(const StepRequest& request) const override;
};

} // namespace bd3
