// A model family's network: its tensors, handed to a backend at load, and
// its layer sequence, written once over NetworkOps. Each family is one file
// (dit_network.cpp, decoder_network.cpp) registered in family_registry.cpp.
#pragma once

#include "bd3/model.hpp"
#include "bd3/model_config.hpp"
#include "families/network_ops.hpp"
#include "formats/model_weights.hpp"

#include <memory>
#include <vector>

namespace bd3 {

// What a backend's key/value cache holds per token: layers x (keys, values)
// of width floats each.
struct CacheLayout {
    int32_t layers = 0;
    int32_t width = 0;
};

class Network {
public:
    virtual ~Network() = default;
    virtual CacheLayout cacheLayout() const = 0;
    // The pass the backend has set up: `rows` tokens, the logits of
    // `outputs` of them into ops.logits().
    virtual void forward(NetworkOps& ops, int32_t rows, int32_t outputs) const = 0;
    // One layer's products in the order a pass makes them: what the product
    // ceiling is measured on.
    virtual std::vector<MatrixId> layerProducts() const = 0;
};

// Reads the family's tensors from weights into ops. With bf16 precision
// every matrix is rounded to bf16 as it loads.
using NetworkFactory = std::unique_ptr<Network> (*)(const ModelConfig& config, ModelWeights& weights,
                                                    NetworkOps& ops, WeightPrecision precision);

// A matrix read for a backend: as stored, or rounded to bf16 with bf16 precision.
StoredTensor readMatrix(ModelWeights& weights, const std::string& name, WeightPrecision precision);

// Bytes a backend holding matrices in `precision` needs for these weights
// (small vectors count as fp32).
uint64_t heldWeightBytes(const ModelWeights& weights, const std::vector<ExpectedTensor>& matrices,
                         WeightPrecision precision);

} // namespace bd3
