#include "token_distribution.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>

namespace bd3 {

TokenDistribution TokenDistribution::from(std::span<const float> logProbs, double temperature, double topP)
{
    TokenDistribution d;
    d.probabilities.resize(logProbs.size());
    const float maximum = *std::max_element(logProbs.begin(), logProbs.end());
    double sum = 0.0;
    for (size_t i = 0; i < logProbs.size(); ++i) {
        const double p = std::exp((static_cast<double>(logProbs[i]) - maximum) / temperature);
        d.probabilities[i] = static_cast<float>(p);
        sum += p;
    }
    for (float& p : d.probabilities) p = static_cast<float>(p / sum);

    if (topP < 1.0) {
        // Keep the most probable tokens whose cumulative mass stays within
        // topP, and always the most probable one; the token that crosses topP
        // is dropped.
        std::vector<int32_t> order(d.probabilities.size());
        std::iota(order.begin(), order.end(), 0);
        std::sort(order.begin(), order.end(), [&](int32_t a, int32_t b) {
            return d.probabilities[static_cast<size_t>(a)] > d.probabilities[static_cast<size_t>(b)];
        });
        double cumulative = 0.0, kept = 0.0;
        for (size_t rank = 0; rank < order.size(); ++rank) {
            float& p = d.probabilities[static_cast<size_t>(order[rank])];
            cumulative += p;
            if (rank == 0 || cumulative <= topP) {
                kept += p;
            } else {
                p = 0.0F;
            }
        }
        for (float& p : d.probabilities) p = static_cast<float>(p / kept);
    }

    for (float p : d.probabilities) {
        if (p > 0.0F) d.entropy -= static_cast<double>(p) * std::log(static_cast<double>(p));
        if (p > d.top1) {
            d.top2 = d.top1;
            d.top1 = p;
        } else if (p > d.top2) {
            d.top2 = p;
        }
    }
    return d;
}

int32_t TokenDistribution::draw(double uniform) const
{
    double cumulative = 0.0;
    int32_t last = 0;
    for (size_t i = 0; i < probabilities.size(); ++i) {
        if (probabilities[i] <= 0.0F) continue;
        cumulative += probabilities[i];
        last = static_cast<int32_t>(i);
        if (uniform < cumulative) return last;
    }
    return last;  // rounding left the sum just below 1
}

std::vector<Alternative> TokenDistribution::alternatives(int32_t count) const
{
    std::vector<int32_t> order(probabilities.size());
    std::iota(order.begin(), order.end(), 0);
    const auto n = std::min<size_t>(static_cast<size_t>(count), order.size());
    std::partial_sort(order.begin(), order.begin() + static_cast<std::ptrdiff_t>(n), order.end(), [&](int32_t a, int32_t b) {
        return probabilities[static_cast<size_t>(a)] > probabilities[static_cast<size_t>(b)];
    });
    std::vector<Alternative> result;
    for (size_t i = 0; i < n; ++i) result.push_back({order[i], probabilities[static_cast<size_t>(order[i])]});
    return result;
}

} // namespace bd3
