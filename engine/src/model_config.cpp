#include "bd3/model_config.hpp"

#include "bd3/error.hpp"
#include "json_document.hpp"

#include <nlohmann/json.hpp>

#include <fstream>
#include <sstream>

namespace bd3 {

namespace {

int32_t readInt(const nlohmann::json& json, const std::string& key, const std::string& origin,
                int64_t minimum, int64_t maximum)
{
    if (!json.contains(key)) throw Error(origin + ": missing key \"" + key + "\"");
    const auto& value = json[key];
    if (!value.is_number_integer())
        throw Error(origin + ": \"" + key + "\" must be an integer, not " + value.dump());
    const auto n = value.get<int64_t>();
    if (n < minimum || n > maximum)
        throw Error(origin + ": \"" + key + "\" is " + std::to_string(n) + "; it must lie in [" +
                    std::to_string(minimum) + ", " + std::to_string(maximum) + "]");
    return static_cast<int32_t>(n);
}

int32_t readOptionalInt(const nlohmann::json& json, const std::string& key, const std::string& origin,
                        int32_t fallback, int64_t maximum)
{
    return json.contains(key) ? readInt(json, key, origin, 0, maximum) : fallback;
}

} // namespace

ModelConfig ModelConfig::fromJsonFile(const std::filesystem::path& configJson)
{
    std::ifstream in(configJson, std::ios::binary);
    if (!in) throw Error(configJson.string() + ": cannot open");
    std::ostringstream text;
    text << in.rdbuf();
    return fromJsonText(text.str(), configJson.string());
}

ModelConfig ModelConfig::fromJsonText(const std::string& text, const std::string& origin)
{
    const nlohmann::json json = parseJsonDocument(text, origin);
    if (!json.is_object()) throw Error(origin + ": the top level is not a JSON object");

    ModelConfig config;
    if (json.contains("model_type")) {
        if (!json["model_type"].is_string() || json["model_type"].get<std::string>() != "bd3lm")
            throw Error(origin + ": model_type is " + json["model_type"].dump() + "; expected \"bd3lm\"");
    }
    constexpr int64_t big = 1 << 24;
    config.vocabSize = readInt(json, "vocab_size", origin, 2, big);
    config.hiddenDim = readInt(json, "hidden_dim", origin, 1, 1 << 16);
    config.condDim = readInt(json, "cond_dim", origin, 1, 1 << 16);
    config.layers = readInt(json, "n_blocks", origin, 1, 1024);
    config.heads = readInt(json, "n_heads", origin, 1, 1024);
    config.contextLength = readInt(json, "model_length", origin, 1, 1 << 20);
    config.blockSize = readInt(json, "block_size", origin, 1, config.contextLength);
    if (config.hiddenDim % config.heads != 0 || config.headDim() % 2 != 0)
        throw Error(origin + ": hidden_dim " + std::to_string(config.hiddenDim) +
                    " must split into n_heads " + std::to_string(config.heads) + " heads of even size");

    if (json.contains("time_conditioning") && json["time_conditioning"] != false)
        throw Error(origin + ": time_conditioning models are not supported (the published ones have it off)");

    // The published checkpoints append [MASK] after GPT-2's 50257 entries,
    // whose last entry is the BOS/EOS token.
    const int32_t lastId = config.vocabSize - 1;
    config.maskId = readOptionalInt(json, "mask_token_id", origin, lastId, lastId);
    config.bosId = readOptionalInt(json, "bos_token_id", origin, lastId - 1, lastId);
    config.eosId = readOptionalInt(json, "eos_token_id", origin, config.bosId, lastId);
    config.padId = readOptionalInt(json, "pad_token_id", origin, config.eosId, lastId);
    if (config.maskId == config.bosId || config.maskId == config.eosId)
        throw Error(origin + ": mask_token_id must differ from bos_token_id and eos_token_id");

    if (json.contains("trained_block_sizes")) {
        const auto& sizes = json["trained_block_sizes"];
        if (!sizes.is_array() || sizes.empty())
            throw Error(origin + ": \"trained_block_sizes\" must be a non-empty array of integers");
        for (const auto& size : sizes) {
            if (!size.is_number_integer() || size.get<int64_t>() < 1 || size.get<int64_t>() > config.contextLength)
                throw Error(origin + ": \"trained_block_sizes\" holds " + size.dump() +
                            "; every entry must lie in [1, model_length]");
            config.trainedBlockSizes.push_back(size.get<int32_t>());
        }
    } else {
        config.trainedBlockSizes = {config.blockSize};
    }
    return config;
}

} // namespace bd3
