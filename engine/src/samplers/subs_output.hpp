// The SUBS parameterisation of the output: [MASK] is never predicted, and a
// position whose input is already clean keeps its token with certainty.
#pragma once

#include <cstdint>
#include <span>

namespace bd3 {

// Turns one row of raw logits into log-probabilities in place.
void subsLogProbabilities(std::span<float> row, int32_t inputToken, int32_t maskId);

} // namespace bd3
