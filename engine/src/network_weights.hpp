// The network's weights in compute form (fp32, row-major [out, in]), with the
// adaLN modulation already evaluated: time conditioning is off, so every
// shift, scale and gate is a constant of the model.
#pragma once

#include "bd3/model.hpp"
#include "bd3/model_config.hpp"

#include <filesystem>
#include <functional>
#include <vector>

namespace bd3 {

struct LayerWeights {
    std::vector<float> norm1;        // [D]
    std::vector<float> qkv;          // [3D, D]: q | k | v, heads contiguous
    std::vector<float> attnOut;      // [D, D]
    std::vector<float> norm2;        // [D]
    std::vector<float> mlpIn;        // [4D, D]
    std::vector<float> mlpInBias;    // [4D]
    std::vector<float> mlpOut;       // [D, 4D]
    std::vector<float> mlpOutBias;   // [D]
    // adaLN(c), six chunks of D: shift1, scale1, gate1, shift2, scale2, gate2.
    std::vector<float> modulation;   // [6D]
};

struct NetworkWeights {
    std::vector<float> embedding;        // [V, D]
    std::vector<LayerWeights> layers;
    std::vector<float> finalNorm;        // [D]
    std::vector<float> finalModulation;  // [2D]: shift, scale
    std::vector<float> outputWeight;     // [V, D]
    std::vector<float> outputBias;       // [V]
    int64_t parameterCount = 0;          // as stored in the file

    int64_t bytes() const;
};

// Reads model.safetensors, checking every expected tensor by name, dtype and
// shape, and rejecting tensors the network does not use. progress receives
// the fraction read and may return false to cancel.
// With bf16 precision every value is rounded to bf16 as it is read, before the
// constant modulation is computed from it.
NetworkWeights loadNetworkWeights(const std::filesystem::path& safetensors, const ModelConfig& config,
                                  WeightPrecision precision, const std::function<bool(double)>& progress);

} // namespace bd3
