// The sampling kernels behind CudaDistributions (cuda_distributions.cpp):
// logits to SUBS probabilities with temperature and nucleus, draws by
// inversion, and the most probable tokens of a row. One thread block per row
// or request; every function launches on stream and returns at once, and
// launch errors are thrown as bd3::Error naming the kernel. The probability
// rows are [rows, vocab] fp32 in device memory.
#pragma once

#include <cuda_runtime.h>

#include <cstdint>

namespace bd3::cuda {

// What the host keeps of each prepared row.
struct RowSummary {
    double entropy; // nats
    float top1;     // largest probability
    float top2;     // second largest; equals top1 when two tokens tie
};

struct DrawInput {
    double uniform; // in [0, 1)
    int64_t row;
};

struct TokenProbability {
    int32_t token;
    float probability;
};

// Turns each row of raw logits into the sampling distribution in place, as
// TokenDistribution::from does after subsLogProbabilities: [MASK] (maskId)
// gets probability 0, p = softmax(logits / temperature) with sums in double,
// then, for topP < 1, the nucleus: the most probable tokens whose mass stays
// within topP (the most probable one always), renormalised. The nucleus is
// found without sorting, by bisection on a probability threshold tau over
// the float bit patterns: the kept tokens are {p >= tau}, the largest such
// set with mass <= topP, or the first most probable token alone when even
// that set is empty. Where tokens of exactly equal probability straddle the
// boundary, all of them are dropped, so the device may keep fewer tokens than
// the host's sort, which keeps some of them. Writes each row's entropy and
// top two probabilities to summaries[row].
void prepareDistributions(float* probabilities, int32_t rows, int32_t vocab, int32_t maskId, double temperature,
                          double topP, RowSummary* summaries, cudaStream_t stream);

// For each request, the first token in id order where the float64 cumulative
// sum of the row's probabilities exceeds the uniform, or the row's last token
// of positive probability when rounding leaves the sum below it (as
// TokenDistribution::draw), with its probability.
void drawTokens(const float* probabilities, int32_t vocab, const DrawInput* inputs, int32_t count,
                TokenProbability* drawn, cudaStream_t stream);

// The count (<= vocab) most probable tokens of each listed row, most probable
// first and ties by lower id: out[i * count + k] for rows[i].
void mostProbableTokens(const float* probabilities, int32_t vocab, const int64_t* rows, int32_t rowCount,
                        int32_t count, TokenProbability* out, cudaStream_t stream);

} // namespace bd3::cuda
