#include "network_weights.hpp"

#include "bd3/error.hpp"
#include "cpu/weight_matrix.hpp"
#include "memory_budget.hpp"
#include "safetensors.hpp"

#include <cmath>
#include <set>
#include <string>

namespace bd3 {

namespace {

// One tensor the network expects, and where its fp32 copy goes (null for the
// adaLN inputs, which are only needed to compute the constant modulation).
struct Expected {
    std::string name;
    std::vector<int64_t> shape;
    std::vector<float>* destination;
};

// Buffers the published checkpoints may carry that inference does not need.
bool isOptionalBuffer(const std::string& name, int64_t headDim, const TensorInfo& info)
{
    if (name == "backbone.rotary_emb.inv_freq") return info.elements() == headDim / 2;
    if (name == "sampling_eps_min" || name == "sampling_eps_max" || name == "backbone.sampling_eps_min" ||
        name == "backbone.sampling_eps_max")
        return info.elements() == 1;
    return false;
}

float silu(float x) { return x / (1.0F + std::exp(-x)); }

// y = W x + b for W [rows, cols], in double for a constant computed once.
std::vector<float> affine(const std::vector<float>& w, const std::vector<float>& b, const std::vector<float>& x)
{
    const size_t cols = x.size();
    std::vector<float> y(b.size());
    for (size_t r = 0; r < y.size(); ++r) {
        double sum = b[r];
        for (size_t c = 0; c < cols; ++c) sum += static_cast<double>(w[r * cols + c]) * x[c];
        y[r] = static_cast<float>(sum);
    }
    return y;
}

} // namespace

int64_t NetworkWeights::bytes() const
{
    int64_t floats = static_cast<int64_t>(embedding.size() + finalNorm.size() + finalModulation.size() +
                                          outputWeight.size() + outputBias.size());
    for (const auto& layer : layers)
        floats += static_cast<int64_t>(layer.norm1.size() + layer.qkv.size() + layer.attnOut.size() +
                                       layer.norm2.size() + layer.mlpIn.size() + layer.mlpInBias.size() +
                                       layer.mlpOut.size() + layer.mlpOutBias.size() + layer.modulation.size());
    return floats * static_cast<int64_t>(sizeof(float));
}

NetworkWeights loadNetworkWeights(const std::filesystem::path& path, const ModelConfig& config,
                                  WeightPrecision precision, const std::function<bool(double)>& progress)
{
    const int64_t V = config.vocabSize, D = config.hiddenDim, C = config.condDim;
    constexpr int64_t timestepDim = 256;
    NetworkWeights weights;
    weights.layers.resize(static_cast<size_t>(config.layers));

    std::vector<float> sigmaW0, sigmaB0, sigmaW2, sigmaB2;
    std::vector<std::vector<float>> adaW(config.layers), adaB(config.layers);
    std::vector<float> finalAdaW, finalAdaB;

    std::vector<Expected> expected = {
        {"backbone.vocab_embed.embedding", {V, D}, &weights.embedding},
        {"backbone.sigma_map.mlp.0.weight", {C, timestepDim}, &sigmaW0},
        {"backbone.sigma_map.mlp.0.bias", {C}, &sigmaB0},
        {"backbone.sigma_map.mlp.2.weight", {C, C}, &sigmaW2},
        {"backbone.sigma_map.mlp.2.bias", {C}, &sigmaB2},
        {"backbone.output_layer.norm_final.weight", {D}, &weights.finalNorm},
        {"backbone.output_layer.linear.weight", {V, D}, &weights.outputWeight},
        {"backbone.output_layer.linear.bias", {V}, &weights.outputBias},
        {"backbone.output_layer.adaLN_modulation.weight", {2 * D, C}, &finalAdaW},
        {"backbone.output_layer.adaLN_modulation.bias", {2 * D}, &finalAdaB},
    };
    for (int32_t i = 0; i < config.layers; ++i) {
        auto& layer = weights.layers[static_cast<size_t>(i)];
        const std::string p = "backbone.blocks." + std::to_string(i) + ".";
        expected.push_back({p + "norm1.weight", {D}, &layer.norm1});
        expected.push_back({p + "attn_qkv.weight", {3 * D, D}, &layer.qkv});
        expected.push_back({p + "attn_out.weight", {D, D}, &layer.attnOut});
        expected.push_back({p + "norm2.weight", {D}, &layer.norm2});
        expected.push_back({p + "mlp.0.weight", {4 * D, D}, &layer.mlpIn});
        expected.push_back({p + "mlp.0.bias", {4 * D}, &layer.mlpInBias});
        expected.push_back({p + "mlp.2.weight", {D, 4 * D}, &layer.mlpOut});
        expected.push_back({p + "mlp.2.bias", {D}, &layer.mlpOutBias});
        expected.push_back({p + "adaLN_modulation.weight", {6 * D, C}, &adaW[static_cast<size_t>(i)]});
        expected.push_back({p + "adaLN_modulation.bias", {6 * D}, &adaB[static_cast<size_t>(i)]});
    }

    const std::string origin = path.string();
    const SafetensorsFile file(path);
    std::set<std::string> used;
    for (const auto& want : expected) {
        const auto found = file.tensors().find(want.name);
        if (found == file.tensors().end())
            throw Error(origin + ": missing tensor '" + want.name + "' of shape " + shapeText(want.shape) +
                        " (is this a BD3-LM checkpoint with hidden_dim " + std::to_string(D) + " and n_blocks " +
                        std::to_string(config.layers) + "?)");
        const TensorInfo& info = found->second;
        if (info.shape != want.shape)
            throw Error(origin + ": tensor '" + want.name + "' has shape " + shapeText(info.shape) +
                        "; config.json implies " + shapeText(want.shape));
        used.insert(want.name);
    }
    for (const auto& [name, info] : file.tensors()) {
        if (used.count(name) == 0 && !isOptionalBuffer(name, config.headDim(), info))
            throw Error(origin + ": unexpected tensor '" + name + "' of shape " + shapeText(info.shape) +
                        " (the network does not use it; was the checkpoint saved from another model?)");
    }

    // Every weight is held as fp32 while loading; bf16 packing adds a 16-bit
    // copy. Checked once the header matches config.json and before any data
    // is read: a model too large for the machine is refused, not half-loaded
    // until the kernel kills the program.
    uint64_t floats = 0;
    for (const auto& want : expected) {
        uint64_t n = 1;
        for (const int64_t d : want.shape) n *= static_cast<uint64_t>(d);
        floats += n;
    }
    requireAvailableMemory(floats * (precision == WeightPrecision::BFloat16 ? 6 : 4),
                           origin + ": this model (" + std::to_string(floats) + " weights)");

    size_t done = 0;
    for (const auto& want : expected) {
        const TensorInfo& info = file.tensors().at(want.name);
        want.destination->resize(static_cast<size_t>(info.elements()));
        file.readAsFloat(info, *want.destination);
        for (float& value : *want.destination) {
            if (!std::isfinite(value)) throw Error(origin + ": tensor '" + want.name + "' holds NaN or infinity");
            if (precision == WeightPrecision::BFloat16) value = roundToBf16(value);
        }
        weights.parameterCount += info.elements();
        if (progress && !progress(static_cast<double>(++done) / static_cast<double>(expected.size())))
            throw Error("loading cancelled");
    }

    // c = SiLU(MLP(timestep_embedding(0))): the embedding of t = 0 is 128
    // cosines (1) followed by 128 sines (0).
    std::vector<float> embedding0(timestepDim, 0.0F);
    std::fill(embedding0.begin(), embedding0.begin() + timestepDim / 2, 1.0F);
    std::vector<float> hidden = affine(sigmaW0, sigmaB0, embedding0);
    for (float& x : hidden) x = silu(x);
    std::vector<float> c = affine(sigmaW2, sigmaB2, hidden);
    for (float& x : c) x = silu(x);

    for (size_t i = 0; i < weights.layers.size(); ++i) weights.layers[i].modulation = affine(adaW[i], adaB[i], c);
    weights.finalModulation = affine(finalAdaW, finalAdaB, c);
    return weights;
}

} // namespace bd3
