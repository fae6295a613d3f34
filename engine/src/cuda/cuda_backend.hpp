// The GPU backend: the network operations of families/network_ops.hpp on one
// NVIDIA GPU, so every family's layer sequence runs there unchanged. The
// matrices live on the device in their stored type (fp32, f16 or bf16; bf16
// when the model loads in bf16) and are multiplied by cuBLAS with fp32
// accumulation; activations, small vectors and the key/value cache are fp32
// on the device; only the logits of the rows asked for come back to the host.
#pragma once

#include "backend.hpp"
#include "bd3/model.hpp"
#include "bd3/model_config.hpp"
#include "formats/model_weights.hpp"

#include <memory>
#include <string>

namespace bd3 {

// Why the CUDA backend cannot run on this machine, in words beginning "no
// usable CUDA device" (no driver, no device, a device older than compute
// capability 8.0, or no cuBLAS library), or empty when it can.
std::string cudaUnavailableReason();

// Runs on device 0, which cudaUnavailableReason() found usable, the network
// of config's family over weights. Throws bd3::Error when it cannot: too
// little device memory (naming the bytes needed and free) or a failing CUDA
// call.
std::unique_ptr<Backend> makeCudaBackend(const ModelConfig& config, ModelWeights& weights, const LoadOptions& options);

} // namespace bd3
