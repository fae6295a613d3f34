// The reference backend: the network's operations on the CPU in fp32, the
// matrix products over weights in their stored type (OpenBLAS for fp32, our
// own kernels for f16 and bf16).
#pragma once

#include "backend.hpp"
#include "bd3/model.hpp"
#include "families/network.hpp"

namespace bd3 {

std::unique_ptr<Backend> makeCpuBackend(const ModelConfig& config, ModelWeights& weights, const LoadOptions& options);

} // namespace bd3
