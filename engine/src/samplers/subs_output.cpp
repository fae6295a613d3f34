#include "samplers/subs_output.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

namespace bd3 {

void subsLogProbabilities(std::span<float> row, int32_t inputToken, int32_t maskId)
{
    constexpr float impossible = -std::numeric_limits<float>::infinity();
    if (inputToken != maskId) {
        std::fill(row.begin(), row.end(), impossible);
        row[static_cast<size_t>(inputToken)] = 0.0F;
        return;
    }
    row[static_cast<size_t>(maskId)] = impossible;
    const float maximum = *std::max_element(row.begin(), row.end());
    double sum = 0.0;
    for (float x : row) sum += std::exp(static_cast<double>(x - maximum));
    const auto logSum = static_cast<float>(maximum + std::log(sum));
    for (float& x : row) x -= logSum;
}

} // namespace bd3
