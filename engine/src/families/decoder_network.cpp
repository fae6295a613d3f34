// The Qwen-family decoders trained as block-diffusion models: Qwen3 (SDAR and
// TraDo, model_type "sdar"; dllm's BD3LM, "a2d-qwen3") and Qwen2 (Fast-dLLM
// v2, "Fast_dLLM_Qwen"). Pre-norm RMSNorm layers, grouped-query attention
// under the block-causal mask, SwiGLU; no time conditioning.
//
// q, k and v are one product at load (their rows stacked), as are the gate
// and up projections: one pass over the input instead of three or two.
#include "bd3/error.hpp"
#include "families/config_reading.hpp"
#include "families/family_registry.hpp"

#include <cstring>

namespace bd3 {

namespace {

// What tells the two generations apart, with each checkpoint family's keys.
struct DecoderVariant {
    bool qkNorm;
    bool qkvBias;           // Qwen2: q, k and v have biases, o has none
    const char* blockSizeKey;
    int32_t defaultBlockSize;
    int32_t defaultSubBlock;
    LogitAlignment logits;
};

DecoderVariant variantFor(const std::string& modelType, bool qwen3)
{
    if (modelType == "Fast_dLLM_Qwen")
        // NVlabs/Fast-dLLM v2's generate(): blocks of 32, sub-blocks of 8.
        return {false, true, "bd_size", 32, 8, LogitAlignment::NextPosition};
    // SDAR's released checkpoints use blocks of 4; dllm's BD3LM ones 32.
    if (qwen3) return {true, false, "block_size", modelType == "sdar" ? 4 : 32, 0, LogitAlignment::SamePosition};
    return {false, true, "block_size", 32, 0, LogitAlignment::SamePosition};
}

void readDecoderConfig(const nlohmann::json& json, const std::string& origin, ModelConfig& config, bool qwen3)
{
    constexpr int64_t big = 1 << 24;
    config.modelType = json.contains("model_type") && json["model_type"].is_string()
                           ? json["model_type"].get<std::string>()
                           : std::string(qwen3 ? "sdar" : "Fast_dLLM_Qwen");
    const DecoderVariant variant = variantFor(config.modelType, qwen3);
    config.vocabSize = readInt(json, "vocab_size", origin, 2, big);
    config.hiddenDim = readInt(json, "hidden_size", origin, 1, 1 << 16);
    config.layers = readInt(json, "num_hidden_layers", origin, 1, 1024);
    config.heads = readInt(json, "num_attention_heads", origin, 1, 1024);
    config.kvHeads = readOptionalInt(json, "num_key_value_heads", origin, config.heads, 1, 1024);
    config.headDim = config.hiddenDim % config.heads == 0 ? config.hiddenDim / config.heads : 0;
    config.headDim = readOptionalInt(json, "head_dim", origin, config.headDim, 2, 1024);
    if (config.headDim == 0)
        throw Error(origin + ": hidden_size " + std::to_string(config.hiddenDim) +
                    " does not split into num_attention_heads and there is no head_dim");
    config.contextLength = readInt(json, "max_position_embeddings", origin, 1, 1 << 20);
    config.blockSize =
        readOptionalInt(json, variant.blockSizeKey, origin, variant.defaultBlockSize, 1, config.contextLength);
    config.blockSize = std::min(config.blockSize, config.contextLength);
    config.trainedBlockSizes = {config.blockSize};

    DecoderConfig decoder;
    decoder.intermediateDim = readInt(json, "intermediate_size", origin, 1, 1 << 20);
    decoder.ropeTheta = readOptionalDouble(json, "rope_theta", origin, 10000.0, 1.0, 1e12);
    decoder.rmsNormEps = readOptionalDouble(json, "rms_norm_eps", origin, 1e-6, 0.0, 1.0);
    decoder.tiedEmbeddings = readOptionalBool(json, "tie_word_embeddings", origin, false);
    decoder.qkNorm = variant.qkNorm;
    decoder.qkvBias = variant.qkvBias;
    if (qwen3 && readOptionalBool(json, "attention_bias", origin, false))
        throw Error(origin + ": attention_bias true is not supported for " + config.modelType +
                    " (no published checkpoint has it)");
    decoder.subBlockSize = variant.defaultSubBlock > 0 ? std::min(variant.defaultSubBlock, config.blockSize) : 0;
    if (json.contains("rope_scaling") && !json["rope_scaling"].is_null())
        throw Error(origin + ": \"rope_scaling\" is " + quoteJson(json["rope_scaling"]) +
                    "; only plain rotary embeddings (null) are supported");
    if (readOptionalBool(json, "use_sliding_window", origin, false))
        throw Error(origin + ": use_sliding_window true is not supported; block diffusion attends to the whole cache");

    const int32_t lastId = config.vocabSize - 1;
    if (!json.contains("mask_token_id") && config.modelType == "Fast_dLLM_Qwen" && lastId >= 151665) {
        config.maskId = 151665;  // the mask id Fast-dLLM v2's generate() takes by default
    } else {
        config.maskId = readInt(json, "mask_token_id", origin, 0, lastId);
    }
    config.eosId = readOptionalId(json, "eos_token_id", origin, lastId, config.vocabSize);
    config.bosId = readOptionalId(json, "bos_token_id", origin, config.eosId, config.vocabSize);
    config.padId = readOptionalId(json, "pad_token_id", origin, config.eosId, config.vocabSize);
    if (config.maskId == config.eosId)
        throw Error(origin + ": mask_token_id " + std::to_string(config.maskId) + " is also the eos_token_id");
    config.prependBos = false;
    config.logits = variant.logits;
    config.family = decoder;
}

void readQwen3Config(const nlohmann::json& json, const std::string& origin, ModelConfig& config)
{
    readDecoderConfig(json, origin, config, true);
}

void readQwen2Config(const nlohmann::json& json, const std::string& origin, ModelConfig& config)
{
    readDecoderConfig(json, origin, config, false);
}

// Rows of [out, in] matrices of one dtype stacked into one.
StoredTensor stackRows(std::vector<StoredTensor> parts, const std::string& name)
{
    StoredTensor out{name, parts.front().dtype, {0, parts.front().shape[1]}, {}};
    for (StoredTensor& part : parts) {
        out.shape[0] += part.shape[0];
        out.bytes.insert(out.bytes.end(), part.bytes.begin(), part.bytes.end());
        part.bytes = {};
    }
    return out;
}

std::vector<float> concatenate(const std::vector<std::vector<float>>& parts)
{
    std::vector<float> out;
    for (const auto& part : parts) out.insert(out.end(), part.begin(), part.end());
    return out;
}

bool isOptionalBuffer(const std::string& name, const TensorInfo&, bool tied)
{
    if (tied && name == "lm_head.weight") return true;  // some tied checkpoints also save the copy
    return name.size() > 16 && name.compare(name.size() - 16, 16, "rotary_emb.inv_freq") == 0;
}

class DecoderNetwork final : public Network {
public:
    DecoderNetwork(const ModelConfig& config, ModelWeights& weights, NetworkOps& ops, WeightPrecision precision)
        : m_config(config), m_decoder(*config.decoder())
    {
        const int64_t V = config.vocabSize, D = config.hiddenDim, I = m_decoder.intermediateDim;
        const int64_t qWidth = int64_t{config.heads} * config.headDim, kvWidth = int64_t{config.kvHeads} * config.headDim;
        std::vector<ExpectedTensor> matrices = {{"model.embed_tokens.weight", {V, D}}};
        if (!m_decoder.tiedEmbeddings) matrices.push_back({"lm_head.weight", {V, D}});
        std::vector<ExpectedTensor> expected = {{"model.norm.weight", {D}}};
        for (int32_t i = 0; i < config.layers; ++i) {
            const std::string p = layerPrefix(i);
            for (const ExpectedTensor& m : std::vector<ExpectedTensor>{{p + "self_attn.q_proj.weight", {qWidth, D}},
                                                                      {p + "self_attn.k_proj.weight", {kvWidth, D}},
                                                                      {p + "self_attn.v_proj.weight", {kvWidth, D}},
                                                                      {p + "self_attn.o_proj.weight", {D, qWidth}},
                                                                      {p + "mlp.gate_proj.weight", {I, D}},
                                                                      {p + "mlp.up_proj.weight", {I, D}},
                                                                      {p + "mlp.down_proj.weight", {D, I}}})
                matrices.push_back(m);
            expected.push_back({p + "input_layernorm.weight", {D}});
            expected.push_back({p + "post_attention_layernorm.weight", {D}});
            if (m_decoder.qkNorm) {
                expected.push_back({p + "self_attn.q_norm.weight", {config.headDim}});
                expected.push_back({p + "self_attn.k_norm.weight", {config.headDim}});
            }
            if (m_decoder.qkvBias) {
                expected.push_back({p + "self_attn.q_proj.bias", {qWidth}});
                expected.push_back({p + "self_attn.k_proj.bias", {kvWidth}});
                expected.push_back({p + "self_attn.v_proj.bias", {kvWidth}});
            }
        }
        expected.insert(expected.end(), matrices.begin(), matrices.end());
        const bool tied = m_decoder.tiedEmbeddings;
        weights.expect(
            expected, [tied](const std::string& name, const TensorInfo& info) { return isOptionalBuffer(name, info, tied); },
            config.modelType);
        // Stacking q/k/v and gate/up holds one layer's parts twice for a moment.
        weights.requireMemory(heldWeightBytes(weights, matrices, precision) +
                              static_cast<uint64_t>(2 * I * D * 4));

        auto read = [&](const std::string& name) { return readMatrix(weights, name, precision); };
        auto stacked = [&](const std::vector<std::string>& names, const std::string& name) {
            std::vector<StoredTensor> parts;
            for (const std::string& part : names) parts.push_back(read(part));
            for (const StoredTensor& part : parts)
                if (part.dtype != parts.front().dtype)
                    throw Error(weights.origin() + ": '" + part.name + "' is " + std::string(dtypeName(part.dtype)) +
                                " but '" + parts.front().name + "' is " +
                                std::string(dtypeName(parts.front().dtype)) + "; one layer's projections must share a type");
            return ops.addMatrix(stackRows(std::move(parts), name));
        };

        m_embedding = ops.addMatrix(read("model.embed_tokens.weight"));
        for (int32_t i = 0; i < config.layers; ++i) {
            const std::string p = layerPrefix(i);
            Layer layer;
            layer.inputNorm = ops.addVector(weights.readFloats(p + "input_layernorm.weight"));
            layer.qkv = stacked({p + "self_attn.q_proj.weight", p + "self_attn.k_proj.weight",
                                 p + "self_attn.v_proj.weight"},
                                p + "self_attn.qkv");
            if (m_decoder.qkvBias)
                layer.qkvBias = ops.addVector(concatenate({weights.readFloats(p + "self_attn.q_proj.bias"),
                                                           weights.readFloats(p + "self_attn.k_proj.bias"),
                                                           weights.readFloats(p + "self_attn.v_proj.bias")}));
            if (m_decoder.qkNorm) {
                layer.qNorm = ops.addVector(weights.readFloats(p + "self_attn.q_norm.weight"));
                layer.kNorm = ops.addVector(weights.readFloats(p + "self_attn.k_norm.weight"));
            }
            layer.attnOut = ops.addMatrix(read(p + "self_attn.o_proj.weight"));
            layer.postNorm = ops.addVector(weights.readFloats(p + "post_attention_layernorm.weight"));
            layer.gateUp = stacked({p + "mlp.gate_proj.weight", p + "mlp.up_proj.weight"}, p + "mlp.gate_up");
            layer.down = ops.addMatrix(read(p + "mlp.down_proj.weight"));
            m_layers.push_back(layer);
        }
        m_finalNorm = ops.addVector(weights.readFloats("model.norm.weight"));
        m_output = m_decoder.tiedEmbeddings ? m_embedding : ops.addMatrix(read("lm_head.weight"));
    }

    CacheLayout cacheLayout() const override { return {m_config.layers, m_config.kvHeads * m_config.headDim}; }

    std::vector<MatrixId> layerProducts() const override
    {
        const Layer& layer = m_layers.front();
        return {layer.qkv, layer.attnOut, layer.gateUp, layer.down};
    }

    void forward(NetworkOps& ops, int32_t rows, int32_t outputs) const override
    {
        const int32_t D = m_config.hiddenDim, I = m_decoder.intermediateDim, hd = m_config.headDim;
        const AttentionShape shape{m_config.heads, m_config.kvHeads, hd};
        const int32_t qWidth = shape.heads * hd, kvWidth = shape.kvHeads * hd;
        const double eps = m_decoder.rmsNormEps, theta = m_decoder.ropeTheta;

        const Rows h = ops.scratch(Slot::Hidden, rows, D);
        ops.embedTokens(m_embedding, h);
        for (size_t l = 0; l < m_layers.size(); ++l) {
            const Layer& layer = m_layers[l];
            const Rows normed = ops.scratch(Slot::Normed, rows, D);
            ops.rmsNorm(h, layer.inputNorm, eps, D, normed);
            const Rows qkv = ops.scratch(Slot::Qkv, rows, qWidth + 2 * kvWidth);
            ops.linear(normed, layer.qkv, layer.qkvBias, qkv);
            const Rows q = qkv.columns(0, qWidth), k = qkv.columns(qWidth, kvWidth),
                       v = qkv.columns(qWidth + kvWidth, kvWidth);
            if (m_decoder.qkNorm) {
                ops.rmsNorm(q, *layer.qNorm, eps, hd, q);
                ops.rmsNorm(k, *layer.kNorm, eps, hd, k);
            }
            ops.rotary(q, shape.heads, hd, theta);
            ops.rotary(k, shape.kvHeads, hd, theta);
            const Rows attention = ops.scratch(Slot::Attention, rows, qWidth);
            ops.attention(q, k, v, shape, static_cast<int32_t>(l), attention);
            const Rows projected = ops.scratch(Slot::Projected, rows, D);
            ops.linear(attention, layer.attnOut, std::nullopt, projected);
            ops.addInto(h, projected, std::nullopt);

            ops.rmsNorm(h, layer.postNorm, eps, D, normed);
            const Rows gateUp = ops.scratch(Slot::Gate, rows, 2 * I);
            ops.linear(normed, layer.gateUp, std::nullopt, gateUp);
            const Rows activated = ops.scratch(Slot::Up, rows, I);
            ops.siluGate(gateUp.columns(0, I), gateUp.columns(I, I), activated);
            ops.linear(activated, layer.down, std::nullopt, projected);
            ops.addInto(h, projected, std::nullopt);
        }
        if (outputs == 0) return;
        const Rows selected = ops.scratch(Slot::Selected, outputs, D);
        ops.gatherOutputRows(h, selected);
        ops.rmsNorm(selected, m_finalNorm, eps, D, selected);
        ops.linear(selected, m_output, std::nullopt, ops.logits());
    }

private:
    struct Layer {
        VectorId inputNorm = 0, postNorm = 0;
        std::optional<VectorId> qkvBias, qNorm, kNorm;
        MatrixId qkv = 0, attnOut = 0, gateUp = 0, down = 0;
    };
    static std::string layerPrefix(int32_t i) { return "model.layers." + std::to_string(i) + "."; }

    ModelConfig m_config;
    DecoderConfig m_decoder;
    MatrixId m_embedding = 0, m_output = 0;
    std::vector<Layer> m_layers;
    VectorId m_finalNorm = 0;
};

std::unique_ptr<Network> makeDecoderNetwork(const ModelConfig& config, ModelWeights& weights, NetworkOps& ops,
                                            WeightPrecision precision)
{
    return std::make_unique<DecoderNetwork>(config, weights, ops, precision);
}

} // namespace

const FamilyEntry& qwen3Family()
{
    static const FamilyEntry entry{"qwen3", {"sdar", "a2d-qwen3"}, {"SDARForCausalLM"},
                                   readQwen3Config, makeDecoderNetwork};
    return entry;
}

const FamilyEntry& qwen2Family()
{
    static const FamilyEntry entry{"qwen2", {"Fast_dLLM_Qwen"}, {"Fast_dLLM_QwenForCausalLM"}, readQwen2Config,
                                   makeDecoderNetwork};
    return entry;
}

} // namespace bd3
