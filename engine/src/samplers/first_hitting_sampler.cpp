// First-hitting: exactly one uniformly chosen masked position per step, so a
// block of L masked tokens takes L forward passes whatever the step budget.
#include "samplers/first_hitting_sampler.hpp"

namespace bd3 {

std::vector<RevealChoice> FirstHittingSampler::step(const StepRequest& request) const
{
    const auto index = static_cast<size_t>(request.rng.below(request.masked.size()));
    const DrawRequest draw{index, request.rng.uniform()};
    return {{index, request.masked.draw(std::span(&draw, 1)).front()}};
}

} // namespace bd3
