#include "samplers/token_distribution.hpp"

#include <algorithm>
#include <cmath>
#include <functional>
#include <limits>
#include <numeric>

namespace bd3 {

TokenDistribution TokenDistribution::from(std::span<const float> logProbs, double temperature, int32_t topK, double topP)
{
    TokenDistribution d;
    d.greedy = temperature == 0.0;
    const double scale = d.greedy ? 1.0 : temperature;
    d.probabilities.resize(logProbs.size());
    const float maximum = *std::max_element(logProbs.begin(), logProbs.end());
    // Top-k keeps every token at least as likely as the k-th (ties kept).
    float floor = -std::numeric_limits<float>::infinity();
    if (topK > 0 && static_cast<size_t>(topK) < logProbs.size()) {
        std::vector<float> sorted(logProbs.begin(), logProbs.end());
        std::nth_element(sorted.begin(), sorted.begin() + (topK - 1), sorted.end(), std::greater<>());
        floor = sorted[static_cast<size_t>(topK - 1)];
    }
    double sum = 0.0;
    for (size_t i = 0; i < logProbs.size(); ++i) {
        const double p = logProbs[i] < floor ? 0.0 : std::exp((static_cast<double>(logProbs[i]) - maximum) / scale);
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
    if (greedy)
        return static_cast<int32_t>(std::max_element(probabilities.begin(), probabilities.end()) - probabilities.begin());
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
