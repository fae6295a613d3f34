// The reference DDPM step: every masked position is revealed independently
// with probability (m(t) - m(s)) / m(t), its token drawn from the model. The
// last step has m(s) = 0 and reveals everything left.
#include "samplers/ddpm_sampler.hpp"

namespace bd3 {

std::vector<RevealChoice> DdpmSampler::step(const StepRequest& request) const
{
    const double reveal = request.revealFraction();
    std::vector<RevealChoice> choices;
    for (size_t i = 0; i < request.masked.size(); ++i) {
        if (reveal >= 1.0 || request.rng.uniform() < reveal) choices.push_back({i, request.masked[i].draw(request.rng)});
    }
    return choices;
}

} // namespace bd3
