// The BD3-LM diffusion transformer (kuleshov-group/bd3lms' DIT with time
// conditioning off): every adaLN shift, scale and gate is a constant of the
// model, evaluated once at load from the t = 0 conditioning.
#include "bd3/error.hpp"
#include "families/config_reading.hpp"
#include "families/family_registry.hpp"
#include "formats/float_formats.hpp"

#include <cmath>

namespace bd3 {

namespace {

void readDitConfig(const nlohmann::json& json, const std::string& origin, ModelConfig& config)
{
    constexpr int64_t big = 1 << 24;
    config.modelType = "bd3lm";
    config.vocabSize = readInt(json, "vocab_size", origin, 2, big);
    config.hiddenDim = readInt(json, "hidden_dim", origin, 1, 1 << 16);
    DitConfig dit;
    dit.condDim = readInt(json, "cond_dim", origin, 1, 1 << 16);
    config.layers = readInt(json, "n_blocks", origin, 1, 1024);
    config.heads = readInt(json, "n_heads", origin, 1, 1024);
    config.kvHeads = config.heads;
    config.contextLength = readInt(json, "model_length", origin, 1, 1 << 20);
    config.blockSize = readInt(json, "block_size", origin, 1, config.contextLength);
    if (config.hiddenDim % config.heads != 0 || (config.hiddenDim / config.heads) % 2 != 0)
        throw Error(origin + ": hidden_dim " + std::to_string(config.hiddenDim) + " must split into n_heads " +
                    std::to_string(config.heads) + " heads of even size");
    config.headDim = config.hiddenDim / config.heads;
    if (json.contains("time_conditioning") && json["time_conditioning"] != false)
        throw Error(origin + ": time_conditioning models are not supported (the published ones have it off)");

    // The published checkpoints append [MASK] after GPT-2's 50257 entries,
    // whose last entry is the BOS/EOS token.
    const int32_t lastId = config.vocabSize - 1;
    config.maskId = readOptionalInt(json, "mask_token_id", origin, lastId, 0, lastId);
    config.bosId = readOptionalInt(json, "bos_token_id", origin, lastId - 1, 0, lastId);
    config.eosId = readOptionalInt(json, "eos_token_id", origin, config.bosId, 0, lastId);
    config.padId = readOptionalInt(json, "pad_token_id", origin, config.eosId, 0, lastId);
    if (config.maskId == config.bosId || config.maskId == config.eosId)
        throw Error(origin + ": mask_token_id must differ from bos_token_id and eos_token_id");

    if (json.contains("trained_block_sizes")) {
        const auto& sizes = json["trained_block_sizes"];
        if (!sizes.is_array() || sizes.empty())
            throw Error(origin + ": \"trained_block_sizes\" must be a non-empty array of integers");
        for (const auto& size : sizes) {
            if (!size.is_number_integer() || size.get<int64_t>() < 1 || size.get<int64_t>() > config.contextLength)
                throw Error(origin + ": \"trained_block_sizes\" holds " + quoteJson(size) +
                            "; every entry must lie in [1, model_length]");
            config.trainedBlockSizes.push_back(size.get<int32_t>());
        }
    } else {
        config.trainedBlockSizes = {config.blockSize};
    }
    config.family = dit;
}

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

std::vector<float> slice(const std::vector<float>& v, int64_t chunk, int64_t width)
{
    return {v.begin() + chunk * width, v.begin() + (chunk + 1) * width};
}

class DitNetwork final : public Network {
public:
    DitNetwork(const ModelConfig& config, ModelWeights& weights, NetworkOps& ops, WeightPrecision precision)
        : m_config(config)
    {
        const int64_t V = config.vocabSize, D = config.hiddenDim, C = config.dit()->condDim;
        constexpr int64_t timestepDim = 256;
        std::vector<ExpectedTensor> matrices = {{"backbone.vocab_embed.embedding", {V, D}},
                                                {"backbone.output_layer.linear.weight", {V, D}}};
        std::vector<ExpectedTensor> expected = {
            {"backbone.sigma_map.mlp.0.weight", {C, timestepDim}},
            {"backbone.sigma_map.mlp.0.bias", {C}},
            {"backbone.sigma_map.mlp.2.weight", {C, C}},
            {"backbone.sigma_map.mlp.2.bias", {C}},
            {"backbone.output_layer.norm_final.weight", {D}},
            {"backbone.output_layer.linear.bias", {V}},
            {"backbone.output_layer.adaLN_modulation.weight", {2 * D, C}},
            {"backbone.output_layer.adaLN_modulation.bias", {2 * D}},
        };
        for (int32_t i = 0; i < config.layers; ++i) {
            const std::string p = layerPrefix(i);
            matrices.push_back({p + "attn_qkv.weight", {3 * D, D}});
            matrices.push_back({p + "attn_out.weight", {D, D}});
            matrices.push_back({p + "mlp.0.weight", {4 * D, D}});
            matrices.push_back({p + "mlp.2.weight", {D, 4 * D}});
            for (const auto& [suffix, shape] : std::vector<std::pair<std::string, std::vector<int64_t>>>{
                     {"norm1.weight", {D}},
                     {"norm2.weight", {D}},
                     {"mlp.0.bias", {4 * D}},
                     {"mlp.2.bias", {D}},
                     {"adaLN_modulation.weight", {6 * D, C}},
                     {"adaLN_modulation.bias", {6 * D}}})
                expected.push_back({p + suffix, shape});
        }
        expected.insert(expected.end(), matrices.begin(), matrices.end());
        weights.expect(
            expected,
            [&](const std::string& name, const TensorInfo& info) { return isOptionalBuffer(name, config.headDim, info); },
            "BD3-LM");
        weights.requireMemory(heldWeightBytes(weights, matrices, precision));

        // Small tensors in fp32; with bf16 precision rounded like the
        // matrices, before the constant modulation is computed from them.
        auto vector = [&](const std::string& name) {
            std::vector<float> values = weights.readFloats(name);
            if (precision == WeightPrecision::BFloat16)
                for (float& x : values) x = roundToBf16(x);
            return values;
        };
        auto matrix = [&](const std::string& name) { return ops.addMatrix(readMatrix(weights, name, precision)); };

        // c = SiLU(MLP(timestep_embedding(0))): the embedding of t = 0 is 128
        // cosines (1) followed by 128 sines (0).
        std::vector<float> embedding0(timestepDim, 0.0F);
        std::fill(embedding0.begin(), embedding0.begin() + timestepDim / 2, 1.0F);
        std::vector<float> hidden = affine(vector("backbone.sigma_map.mlp.0.weight"),
                                           vector("backbone.sigma_map.mlp.0.bias"), embedding0);
        for (float& x : hidden) x = silu(x);
        std::vector<float> c =
            affine(vector("backbone.sigma_map.mlp.2.weight"), vector("backbone.sigma_map.mlp.2.bias"), hidden);
        for (float& x : c) x = silu(x);

        m_embedding = matrix("backbone.vocab_embed.embedding");
        for (int32_t i = 0; i < config.layers; ++i) {
            const std::string p = layerPrefix(i);
            Layer layer;
            layer.norm1 = ops.addVector(vector(p + "norm1.weight"));
            layer.norm2 = ops.addVector(vector(p + "norm2.weight"));
            layer.qkv = matrix(p + "attn_qkv.weight");
            layer.attnOut = matrix(p + "attn_out.weight");
            layer.mlpIn = matrix(p + "mlp.0.weight");
            layer.mlpInBias = ops.addVector(vector(p + "mlp.0.bias"));
            layer.mlpOut = matrix(p + "mlp.2.weight");
            layer.mlpOutBias = ops.addVector(vector(p + "mlp.2.bias"));
            const std::vector<float> mod =
                affine(vector(p + "adaLN_modulation.weight"), vector(p + "adaLN_modulation.bias"), c);
            for (int64_t k = 0; k < 6; ++k) layer.modulation[k] = ops.addVector(slice(mod, k, D));
            m_layers.push_back(layer);
        }
        m_finalNorm = ops.addVector(vector("backbone.output_layer.norm_final.weight"));
        const std::vector<float> finalMod = affine(vector("backbone.output_layer.adaLN_modulation.weight"),
                                                   vector("backbone.output_layer.adaLN_modulation.bias"), c);
        m_finalShift = ops.addVector(slice(finalMod, 0, D));
        m_finalScale = ops.addVector(slice(finalMod, 1, D));
        m_output = matrix("backbone.output_layer.linear.weight");
        m_outputBias = ops.addVector(vector("backbone.output_layer.linear.bias"));
    }

    CacheLayout cacheLayout() const override { return {m_config.layers, m_config.hiddenDim}; }

    std::vector<MatrixId> layerProducts() const override
    {
        const Layer& layer = m_layers.front();
        return {layer.qkv, layer.attnOut, layer.mlpIn, layer.mlpOut};
    }

    void forward(NetworkOps& ops, int32_t rows, int32_t outputs) const override
    {
        const int32_t D = m_config.hiddenDim;
        const AttentionShape shape{m_config.heads, m_config.heads, m_config.headDim};
        const Rows h = ops.scratch(Slot::Hidden, rows, D);
        ops.embedTokens(m_embedding, h);
        for (const Layer& layer : m_layers) {
            const auto& [shift1, scale1, gate1, shift2, scale2, gate2] = layer.modulation;
            const Rows normed = ops.scratch(Slot::Normed, rows, D);
            ops.modulatedLayerNorm(h, layer.norm1, shift1, scale1, normed);
            const Rows qkv = ops.scratch(Slot::Qkv, rows, 3 * D);
            ops.linear(normed, layer.qkv, std::nullopt, qkv);
            const Rows q = qkv.columns(0, D), k = qkv.columns(D, D), v = qkv.columns(2 * D, D);
            ops.rotary(q, shape.heads, shape.headDim, kRotaryBase);
            ops.rotary(k, shape.heads, shape.headDim, kRotaryBase);
            const Rows attention = ops.scratch(Slot::Attention, rows, D);
            ops.attention(q, k, v, shape, layerIndex(layer), attention);
            const Rows projected = ops.scratch(Slot::Projected, rows, D);
            ops.linear(attention, layer.attnOut, std::nullopt, projected);
            ops.addInto(h, projected, gate1);

            ops.modulatedLayerNorm(h, layer.norm2, shift2, scale2, normed);
            const Rows wide = ops.scratch(Slot::Gate, rows, 4 * D);
            ops.linear(normed, layer.mlpIn, layer.mlpInBias, wide);
            ops.geluTanh(wide);
            ops.linear(wide, layer.mlpOut, layer.mlpOutBias, projected);
            ops.addInto(h, projected, gate2);
        }
        if (outputs == 0) return;
        const Rows selected = ops.scratch(Slot::Selected, outputs, D);
        ops.gatherOutputRows(h, selected);
        ops.modulatedLayerNorm(selected, m_finalNorm, m_finalShift, m_finalScale, selected);
        ops.linear(selected, m_output, m_outputBias, ops.logits());
    }

private:
    static constexpr double kRotaryBase = 10000.0;
    struct Layer {
        VectorId norm1 = 0, norm2 = 0, mlpInBias = 0, mlpOutBias = 0;
        MatrixId qkv = 0, attnOut = 0, mlpIn = 0, mlpOut = 0;
        // shift1, scale1, gate1, shift2, scale2, gate2
        std::array<VectorId, 6> modulation{};
    };
    static std::string layerPrefix(int32_t i) { return "backbone.blocks." + std::to_string(i) + "."; }
    int32_t layerIndex(const Layer& layer) const { return static_cast<int32_t>(&layer - m_layers.data()); }

    ModelConfig m_config;
    MatrixId m_embedding = 0, m_output = 0;
    std::vector<Layer> m_layers;
    VectorId m_finalNorm = 0, m_finalShift = 0, m_finalScale = 0, m_outputBias = 0;
};

std::unique_ptr<Network> makeDitNetwork(const ModelConfig& config, ModelWeights& weights, NetworkOps& ops,
                                        WeightPrecision precision)
{
    return std::make_unique<DitNetwork>(config, weights, ops, precision);
}

} // namespace

const FamilyEntry& ditFamily()
{
    static const FamilyEntry entry{"bd3lm", {"bd3lm"}, {}, readDitConfig, makeDitNetwork};
    return entry;
}

} // namespace bd3
