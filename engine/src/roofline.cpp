#include "bd3/roofline.hpp"

#include "backend.hpp"
#include "bd3/model.hpp"

namespace bd3 {

ForwardCost forwardCost(const ModelConfig& c, int32_t rows, int32_t cached, int32_t outputRows, double bytesPerWeight)
{
    const double D = c.hiddenDim, V = c.vocabSize, n = rows, keys = cached + rows;
    const double queries = static_cast<double>(c.heads) * c.headDim, kv = static_cast<double>(c.kvHeads) * c.headDim;
    // The products of one layer: q, k, v and the output projection, then the
    // MLP (GELU's two matrices of 4D, or SwiGLU's three of the intermediate width).
    const double attentionWeights = D * (queries + 2 * kv) + queries * D;
    const DecoderConfig* decoder = c.decoder();
    const double mlpWeights = decoder != nullptr ? 3.0 * D * decoder->intermediateDim : 2.0 * 4 * D * D;
    const double layerWeights = attentionWeights + mlpWeights;
    ForwardCost cost;
    // Scores and the weighted sum of values: two products of every query head over every key.
    cost.flops = c.layers * (2 * n * layerWeights + 2 * 2 * n * keys * queries) + 2 * outputRows * D * V;
    cost.weightBytes = bytesPerWeight * (c.layers * layerWeights + (outputRows > 0 ? V * D : 0));
    cost.cacheBytes = 4 * 2.0 * c.layers * cached * kv;
    return cost;
}

double measureProductGflops(const Model& model, int32_t rows, double seconds)
{
    return model.backend().measureProductGflops(rows, seconds);
}

double measureStreamBandwidth(const Model& model, double seconds)
{
    return model.backend().measureStreamBandwidth(seconds);
}

} // namespace bd3
