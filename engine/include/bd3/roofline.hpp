// The ceilings a forward pass is measured against: what the machine's BLAS
// reaches on the model's matrix shapes and how fast memory streams, and what
// one pass must at least compute and read.
#pragma once

#include "bd3/model_config.hpp"

#include <cstdint>

namespace bd3 {

struct ForwardCost {
    double flops = 0.0;         // multiply-adds count twice
    double weightBytes = 0.0;   // the large weight matrices, read once per pass
    double cacheBytes = 0.0;    // cached keys and values read
};

// One pass of `rows` tokens after `cached` cached ones, with the output layer
// for `outputRows` of them.
// Weights take bytesPerWeight bytes each (4 in fp32, 2 in bf16).
ForwardCost forwardCost(const ModelConfig& config, int32_t rows, int32_t cached, int32_t outputRows,
                        double bytesPerWeight = 4);

class Model;

// The rate (GFLOP/s) of the matrix products one pass of `rows` tokens makes,
// in the proportion the pass makes them, on the device the model runs on,
// with its weights in their precision; timed over `seconds`.
double measureProductGflops(const Model& model, int32_t rows, double seconds = 0.5);

// How fast the memory the model's weights live in streams (GB/s of bytes
// read): a read-only pass of every CPU thread over four times the last-level
// cache (at least 1 GiB), or the GPU's device-to-device copy.
double measureStreamBandwidth(const Model& model, double seconds = 0.5);

} // namespace bd3

namespace bd3 {

// Milliseconds of one denoising pass over a block of `blockSize` masked
// tokens after `cached` cached ones: with the key/value cache, and the same
// block recomputed with the whole context in one pass (what a sampler without
// a cache does every step). Median of `repeats`.
struct ContextTiming {
    double cachedMs = 0.0;
    double recomputeMs = 0.0;
};
ContextTiming timeBlockAtContext(const Model& model, int32_t cached, int32_t blockSize, int32_t repeats = 3);

} // namespace bd3
