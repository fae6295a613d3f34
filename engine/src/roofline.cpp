#include "bd3/roofline.hpp"

#include "backend.hpp"
#include "bd3/model.hpp"

namespace bd3 {

ForwardCost forwardCost(const ModelConfig& c, int32_t rows, int32_t cached, int32_t outputRows, double bytesPerWeight)
{
    const double D = c.hiddenDim, V = c.vocabSize, n = rows, keys = cached + rows;
    const double layerWeights = 3 * D * D + D * D + 4 * D * D * 2;  // qkv, out, mlp in, mlp out
    ForwardCost cost;
    cost.flops = c.layers * (2 * n * layerWeights + 2 * 2 * n * keys * D) + 2 * outputRows * D * V;
    cost.weightBytes = bytesPerWeight * (c.layers * layerWeights + (outputRows > 0 ? V * D : 0));
    cost.cacheBytes = 4 * 2.0 * c.layers * cached * D;
    return cost;
}

double measureProductGflops(const Model& model, int32_t rows, double seconds)
{
    return model.backend().measureProductGflops(rows, seconds);
}

double measureCopyBandwidth(const Model& model, double seconds)
{
    return model.backend().measureCopyBandwidth(seconds);
}

} // namespace bd3
