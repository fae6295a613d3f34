// The reference DDPM step: every masked position is revealed independently
// with probability (m(t) - m(s)) / m(t), its token drawn from the model. The
// last step has m(s) = 0 and reveals everything left.
#include "samplers/ddpm_sampler.hpp"

namespace bd3 {

std::vector<RevealChoice> DdpmSampler::step(const StepRequest& request) const
{
    const double reveal = request.revealFraction();
    std::vector<DrawRequest> draws;
    for (size_t i = 0; i < request.masked.size(); ++i) {
        if (reveal >= 1.0 || request.rng.uniform() < reveal) draws.push_back({i, request.rng.uniform()});
    }
    const std::vector<DrawnToken> drawn = request.masked.draw(draws);
    std::vector<RevealChoice> choices;
    for (size_t i = 0; i < draws.size(); ++i) choices.push_back({draws[i].index, drawn[i]});
    return choices;
}

} // namespace bd3
