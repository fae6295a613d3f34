// config.json and generation_config.json: any text gives a validated
// configuration of one of the families or a bd3::Error.
#include "bd3/error.hpp"
#include "bd3/model_config.hpp"

#include <algorithm>
#include <cstdint>
#include <string>

namespace {

// What the loader and the generator rely on afterwards.
void checkInvariants(const bd3::ModelConfig& c)
{
    const bool ids = c.maskId >= 0 && c.maskId < c.vocabSize && c.eosId >= 0 && c.eosId < c.vocabSize &&
                     std::all_of(c.stopIds.begin(), c.stopIds.end(),
                                 [&](int32_t id) { return id >= 0 && id < c.vocabSize && id != c.maskId; });
    const bool shape = c.heads >= 1 && c.kvHeads >= 1 && c.heads % c.kvHeads == 0 && c.headDim >= 2 &&
                       c.headDim % 2 == 0 && (c.decoder() != nullptr || c.hiddenDim == c.heads * c.headDim);
    const bool blocks = c.blockSize >= 1 && c.blockSize <= c.contextLength && !c.stopIds.empty();
    if (!ids || !shape || !blocks) __builtin_trap();
}

const bd3::ModelConfig& sdarConfig()
{
    static const bd3::ModelConfig config = bd3::ModelConfig::fromJsonText(
        R"({"model_type": "sdar", "vocab_size": 1040, "hidden_size": 64, "num_hidden_layers": 2,
            "num_attention_heads": 4, "num_key_value_heads": 2, "head_dim": 24, "intermediate_size": 96,
            "max_position_embeddings": 64, "block_size": 4, "mask_token_id": 1030, "eos_token_id": 3})",
        "config.json");
    return config;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    const std::string text(reinterpret_cast<const char*>(data), size);
    try {
        checkInvariants(bd3::ModelConfig::fromJsonText(text, "config.json"));
    } catch (const bd3::Error&) {
    }
    try {
        bd3::ModelConfig config = sdarConfig();
        config.applyGenerationConfig(text, "generation_config.json");
        checkInvariants(config);
    } catch (const bd3::Error&) {
    }
    return 0;
}
