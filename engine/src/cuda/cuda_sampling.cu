#include "cuda/cuda_sampling.hpp"

#include "cuda/block_reduce.cuh"
#include "cuda/cuda_check.hpp"

namespace bd3::cuda {

namespace {

using Key = unsigned long long;

constexpr int samplingThreads = 512; // a multiple of 32, as blockReduce needs

// A probability (never negative, so its bits order like its value) and a
// token id as one key: larger keys are more probable, ties go to the lower id.
__device__ inline Key rankKey(float probability, int32_t token)
{
    return (static_cast<Key>(__float_as_uint(probability)) << 32) | (0xffffffffU - static_cast<unsigned>(token));
}
__device__ inline int32_t keyToken(Key key) { return static_cast<int32_t>(0xffffffffU - static_cast<unsigned>(key)); }
__device__ inline float keyProbability(Key key) { return __uint_as_float(static_cast<unsigned>(key >> 32)); }

struct MaxKey {
    __device__ Key operator()(Key a, Key b) const { return a > b ? a : b; }
};

// The two largest of non-negative floats, packed as (top1 bits, top2 bits).
__device__ inline Key packTopTwo(float top1, float top2)
{
    return (static_cast<Key>(__float_as_uint(top1)) << 32) | __float_as_uint(top2);
}
struct TopTwo {
    __device__ Key operator()(Key a, Key b) const
    {
        const auto a1 = static_cast<unsigned>(a >> 32), a2 = static_cast<unsigned>(a);
        const auto b1 = static_cast<unsigned>(b >> 32), b2 = static_cast<unsigned>(b);
        const unsigned top1 = max(a1, b1), top2 = max(min(a1, b1), max(a2, b2));
        return (static_cast<Key>(top1) << 32) | top2;
    }
};

// One block per row; every thread touches only its own columns i = tid +
// k * blockDim, so the passes over the row need no barrier beyond the
// reductions'.
__global__ void prepareKernel(float* probabilities, int32_t vocab, int32_t maskId, double temperature, double topP,
                              RowSummary* summaries)
{
    __shared__ float floatScratch[warpSize32];
    __shared__ double doubleScratch[warpSize32];
    __shared__ Key keyScratch[warpSize32];
    float* row = probabilities + static_cast<int64_t>(blockIdx.x) * vocab;
    const int32_t first = static_cast<int32_t>(threadIdx.x), stride = static_cast<int32_t>(blockDim.x);

    // SUBS log-probabilities as subsLogProbabilities rounds them: [MASK] is
    // never predicted.
    float maximum = -INFINITY;
    for (int32_t i = first; i < vocab; i += stride) {
        if (i == maskId) row[i] = -INFINITY;
        maximum = fmaxf(maximum, row[i]);
    }
    maximum = blockReduce(maximum, floatScratch, Max{});
    double sum = 0.0;
    for (int32_t i = first; i < vocab; i += stride) sum += exp(static_cast<double>(row[i] - maximum));
    sum = blockReduce(sum, doubleScratch, Sum{});
    const auto logSum = static_cast<float>(maximum + log(sum));
    const float topLogProb = maximum - logSum;

    // The temperature, as TokenDistribution::from: float terms, double sum.
    double mass = 0.0;
    for (int32_t i = first; i < vocab; i += stride) {
        const float logProb = row[i] - logSum;
        const double term = exp((static_cast<double>(logProb) - topLogProb) / temperature);
        row[i] = static_cast<float>(term);
        mass += term;
    }
    mass = blockReduce(mass, doubleScratch, Sum{});
    Key best = 0;
    double total = 0.0;
    for (int32_t i = first; i < vocab; i += stride) {
        const auto p = static_cast<float>(row[i] / mass);
        row[i] = p;
        best = MaxKey{}(best, rankKey(p, i));
        total += p;
    }

    if (topP < 1.0) {
        best = blockReduce(best, keyScratch, MaxKey{});
        total = blockReduce(total, doubleScratch, Sum{});
        // Kept: {p >= tau} (tau as float bits; 0 keeps everything), of mass
        // kept; or the most probable token alone when only > 0.
        unsigned tau = 0;
        double kept = total;
        int32_t only = -1;
        if (total > topP) {
            // mass(t) = sum of p >= t falls as t rises; find the least t with
            // mass(t) <= topP. Invariant: mass(low) > topP >= mass(high).
            unsigned low = 0, high = __float_as_uint(keyProbability(best)) + 1;
            double highMass = 0.0;
            while (high - low > 1) {
                const unsigned middle = low + (high - low) / 2;
                double part = 0.0;
                for (int32_t i = first; i < vocab; i += stride)
                    if (__float_as_uint(row[i]) >= middle) part += row[i];
                part = blockReduce(part, doubleScratch, Sum{});
                if (part <= topP) {
                    high = middle;
                    highMass = part;
                } else {
                    low = middle;
                }
            }
            tau = high;
            kept = highMass;
            if (!(highMass > 0.0)) { // even the most probable token alone is past topP
                only = keyToken(best);
                kept = keyProbability(best);
            }
        }
        for (int32_t i = first; i < vocab; i += stride) {
            const float p = row[i];
            const bool keep = only >= 0 ? i == only : __float_as_uint(p) >= tau;
            row[i] = keep ? static_cast<float>(p / kept) : 0.0F;
        }
    }

    double entropy = 0.0;
    float top1 = 0.0F, top2 = 0.0F;
    for (int32_t i = first; i < vocab; i += stride) {
        const float p = row[i];
        if (p > 0.0F) entropy -= static_cast<double>(p) * log(static_cast<double>(p));
        if (p > top1) {
            top2 = top1;
            top1 = p;
        } else if (p > top2) {
            top2 = p;
        }
    }
    entropy = blockReduce(entropy, doubleScratch, Sum{});
    const Key topTwo = blockReduce(packTopTwo(top1, top2), keyScratch, TopTwo{});
    if (threadIdx.x == 0)
        summaries[blockIdx.x] = {entropy, __uint_as_float(static_cast<unsigned>(topTwo >> 32)),
                                 __uint_as_float(static_cast<unsigned>(topTwo))};
}

// One block per request. Each thread sums a contiguous chunk of the row in
// double; thread 0 scans the chunk sums to the chunk where the cumulative sum
// passes the uniform and walks it token by token.
__global__ void drawKernel(const float* probabilities, int32_t vocab, const DrawInput* inputs, TokenProbability* drawn)
{
    __shared__ double chunkSums[samplingThreads];
    __shared__ int32_t chunkLast[samplingThreads]; // last token with p > 0, or -1
    const DrawInput input = inputs[blockIdx.x];
    const float* row = probabilities + input.row * vocab;
    const int32_t chunk = (vocab + samplingThreads - 1) / samplingThreads;
    const int32_t begin = min(vocab, static_cast<int32_t>(threadIdx.x) * chunk), end = min(vocab, begin + chunk);
    double sum = 0.0;
    int32_t last = -1;
    for (int32_t i = begin; i < end; ++i) {
        const float p = row[i];
        if (p > 0.0F) {
            sum += p;
            last = i;
        }
    }
    chunkSums[threadIdx.x] = sum;
    chunkLast[threadIdx.x] = last;
    __syncthreads();
    if (threadIdx.x != 0) return;

    double cumulative = 0.0;
    int32_t token = -1, lastPositive = 0;
    for (int32_t c = 0; c < samplingThreads && token < 0; ++c) {
        const double next = cumulative + chunkSums[c];
        if (input.uniform < next) {
            // The walk adds in another order than the chunk sum did, so the
            // crossing may fall just past this chunk: walk on to the end.
            for (int32_t i = c * chunk; i < vocab; ++i) {
                const float p = row[i];
                if (p <= 0.0F) continue;
                cumulative += p;
                lastPositive = i;
                if (input.uniform < cumulative) {
                    token = i;
                    break;
                }
            }
            break;
        }
        if (chunkLast[c] >= 0) lastPositive = chunkLast[c];
        cumulative = next;
    }
    if (token < 0) token = lastPositive; // rounding left the sum just below the uniform
    drawn[blockIdx.x] = {token, row[token]};
}

// One block per row: count rounds of a block argmax over the keys below the
// previous round's pick.
__global__ void mostProbableKernel(const float* probabilities, int32_t vocab, const int64_t* rows, int32_t count,
                                   TokenProbability* out)
{
    __shared__ Key keyScratch[warpSize32];
    const float* row = probabilities + rows[blockIdx.x] * vocab;
    Key previous = ~Key{0};
    for (int32_t k = 0; k < count; ++k) {
        Key best = 0;
        for (int32_t i = static_cast<int32_t>(threadIdx.x); i < vocab; i += static_cast<int32_t>(blockDim.x)) {
            const Key key = rankKey(row[i], i);
            if (key < previous && key > best) best = key;
        }
        best = blockReduce(best, keyScratch, MaxKey{});
        if (threadIdx.x == 0)
            out[static_cast<int64_t>(blockIdx.x) * count + k] = {keyToken(best), keyProbability(best)};
        previous = best;
    }
}

} // namespace

void prepareDistributions(float* probabilities, int32_t rows, int32_t vocab, int32_t maskId, double temperature,
                          double topP, RowSummary* summaries, cudaStream_t stream)
{
    if (rows <= 0) return;
    prepareKernel<<<rows, samplingThreads, 0, stream>>>(probabilities, vocab, maskId, temperature, topP, summaries);
    checkLaunch("sampling distributions");
}

void drawTokens(const float* probabilities, int32_t vocab, const DrawInput* inputs, int32_t count,
                TokenProbability* drawn, cudaStream_t stream)
{
    if (count <= 0) return;
    drawKernel<<<count, samplingThreads, 0, stream>>>(probabilities, vocab, inputs, drawn);
    checkLaunch("token draws");
}

void mostProbableTokens(const float* probabilities, int32_t vocab, const int64_t* rows, int32_t rowCount,
                        int32_t count, TokenProbability* out, cudaStream_t stream)
{
    if (rowCount <= 0 || count <= 0) return;
    mostProbableKernel<<<rowCount, samplingThreads, 0, stream>>>(probabilities, vocab, rows, count, out);
    checkLaunch("most probable tokens");
}

} // namespace bd3::cuda
