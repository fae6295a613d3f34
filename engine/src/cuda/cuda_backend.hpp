// The GPU backend: the network of cpu_backend.cpp on one NVIDIA GPU. The
// large matrices live on the device in bf16 or fp32 and are multiplied by
// cuBLAS with fp32 accumulation; the key/value cache lives on the device;
// only the logits of the rows asked for come back to the host.
#pragma once

#include "backend.hpp"
#include "bd3/model_config.hpp"
#include "network_weights.hpp"

#include <memory>

namespace bd3 {

// Throws bd3::Error when the machine cannot run it: no driver or no device
// (the message then begins "no usable CUDA device"), a device older than
// compute capability 8.0, no cuBLAS library, or too little device memory
// (naming the bytes needed). The caller decides whether to fall back to the
// CPU.
std::unique_ptr<Backend> makeCudaBackend(const ModelConfig& config, NetworkWeights weights, WeightPrecision precision);

} // namespace bd3
