// The backends this build has, by device: each says whether it can run on
// this machine and makes itself over a model's weights.
#pragma once

#include "backend.hpp"
#include "bd3/model.hpp"
#include "formats/model_weights.hpp"

#include <memory>
#include <string>

namespace bd3 {

struct BackendEntry {
    Device device = Device::Cpu;
    // Why this machine cannot run the backend, in words beginning "no usable
    // ..."; empty when it can.
    std::string (*unavailableReason)() = nullptr;
    std::unique_ptr<Backend> (*make)(const ModelConfig& config, ModelWeights& weights, const LoadOptions& options) = nullptr;
};

// Null when this build has no backend for the device.
const BackendEntry* backendFor(Device device);

} // namespace bd3
