// The GPU backend: the network of cpu_backend.cpp on one NVIDIA GPU. The
// large matrices live on the device in bf16 or fp32 and are multiplied by
// cuBLAS with fp32 accumulation; the key/value cache lives on the device;
// only the logits of the rows asked for come back to the host.
#pragma once

#include "backend.hpp"
#include "bd3/model_config.hpp"
#include "network_weights.hpp"

#include <memory>
#include <string>

namespace bd3 {

// Why the CUDA backend cannot run on this machine, in words beginning "no
// usable CUDA device" (no driver, no device, a device older than compute
// capability 8.0, or no cuBLAS library), or empty when it can.
std::string cudaUnavailableReason();

// Runs on device 0, which cudaUnavailableReason() found usable. Throws
// bd3::Error when it cannot: too little device memory (naming the bytes
// needed and free) or a failing CUDA call.
std::unique_ptr<Backend> makeCudaBackend(const ModelConfig& config, NetworkWeights weights, WeightPrecision precision);

} // namespace bd3
