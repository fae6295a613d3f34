// The reference backend: fp32 on the CPU, matrix products through OpenBLAS.
#pragma once

#include "backend.hpp"
#include "bd3/model_config.hpp"
#include "network_weights.hpp"

namespace bd3 {

std::unique_ptr<Backend> makeCpuBackend(const ModelConfig& config, NetworkWeights weights, WeightPrecision precision);

} // namespace bd3
