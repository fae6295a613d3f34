#include "bd3/model_config.hpp"

#include "bd3/error.hpp"
#include "families/config_reading.hpp"
#include "families/family_registry.hpp"
#include "json_document.hpp"

#include <algorithm>

namespace bd3 {

namespace {

std::string readText(const std::filesystem::path& path) { return readInputFile(path, kMaxSettingsFileBytes); }

} // namespace

int32_t readInt(const nlohmann::json& json, const std::string& key, const std::string& origin, int64_t minimum,
                int64_t maximum)
{
    if (!json.contains(key)) throw Error(origin + ": missing key \"" + key + "\"");
    const auto& value = json[key];
    if (!value.is_number_integer())
        throw Error(origin + ": \"" + key + "\" must be an integer, not " + quoteJson(value));
    const auto n = value.get<int64_t>();
    if (value.is_number_unsigned() && value.get<uint64_t>() > static_cast<uint64_t>(maximum))
        throw Error(origin + ": \"" + key + "\" is " + quoteJson(value) + "; it must lie in [" +
                    std::to_string(minimum) + ", " + std::to_string(maximum) + "]");
    if (n < minimum || n > maximum)
        throw Error(origin + ": \"" + key + "\" is " + std::to_string(n) + "; it must lie in [" +
                    std::to_string(minimum) + ", " + std::to_string(maximum) + "]");
    return static_cast<int32_t>(n);
}

int32_t readOptionalInt(const nlohmann::json& json, const std::string& key, const std::string& origin,
                        int32_t fallback, int64_t minimum, int64_t maximum)
{
    return json.contains(key) && !json[key].is_null() ? readInt(json, key, origin, minimum, maximum) : fallback;
}

double readOptionalDouble(const nlohmann::json& json, const std::string& key, const std::string& origin,
                          double fallback, double minimum, double maximum)
{
    if (!json.contains(key) || json[key].is_null()) return fallback;
    const auto& value = json[key];
    if (!value.is_number()) throw Error(origin + ": \"" + key + "\" must be a number, not " + quoteJson(value));
    const auto x = value.get<double>();
    if (!(x >= minimum && x <= maximum))
        throw Error(origin + ": \"" + key + "\" is " + quoteJson(value) + "; it must lie in [" +
                    quoteJson(minimum) + ", " + quoteJson(maximum) + "]");
    return x;
}

bool readOptionalBool(const nlohmann::json& json, const std::string& key, const std::string& origin, bool fallback)
{
    if (!json.contains(key) || json[key].is_null()) return fallback;
    if (!json[key].is_boolean())
        throw Error(origin + ": \"" + key + "\" must be true or false, not " + quoteJson(json[key]));
    return json[key].get<bool>();
}

int32_t readOptionalId(const nlohmann::json& json, const std::string& key, const std::string& origin,
                       int32_t fallback, int32_t vocabSize)
{
    if (!json.contains(key) || json[key].is_null()) return fallback;
    const auto& value = json[key];
    if (value.is_array()) {
        if (value.empty()) throw Error(origin + ": \"" + key + "\" is an empty list");
        return readInt(nlohmann::json{{key, value.front()}}, key, origin, 0, vocabSize - 1);
    }
    return readInt(json, key, origin, 0, vocabSize - 1);
}

bool ModelConfig::isStopId(int32_t id) const
{
    return std::find(stopIds.begin(), stopIds.end(), id) != stopIds.end();
}

ModelConfig ModelConfig::fromFolder(const std::filesystem::path& folder)
{
    ModelConfig config = fromJsonFile(folder / "config.json");
    const auto generation = folder / "generation_config.json";
    std::error_code ec;
    if (std::filesystem::exists(generation, ec)) config.applyGenerationConfig(readText(generation), generation.string());
    return config;
}

ModelConfig ModelConfig::fromJsonFile(const std::filesystem::path& configJson)
{
    return fromJsonText(readText(configJson), configJson.string());
}

ModelConfig ModelConfig::fromJsonText(const std::string& text, const std::string& origin)
{
    const nlohmann::json json = parseJsonDocument(text, origin, kMaxSettingsFileBytes);
    if (!json.is_object()) throw Error(origin + ": the top level is not a JSON object");
    const FamilyEntry& family = familyForConfig(json, origin);
    ModelConfig config;
    config.familyName = std::string(family.name);
    family.readConfig(json, origin, config);
    if (config.heads % config.kvHeads != 0)
        throw Error(origin + ": num_attention_heads " + std::to_string(config.heads) +
                    " is not a multiple of num_key_value_heads " + std::to_string(config.kvHeads));
    if (config.headDim % 2 != 0) throw Error(origin + ": head_dim " + std::to_string(config.headDim) + " is odd");
    if (config.stopIds.empty()) config.stopIds = {config.eosId};
    return config;
}

void ModelConfig::applyGenerationConfig(const std::string& text, const std::string& origin)
{
    const nlohmann::json json = parseJsonDocument(text, origin, kMaxSettingsFileBytes);
    if (!json.is_object()) throw Error(origin + ": the top level is not a JSON object");
    if (json.contains("eos_token_id") && !json["eos_token_id"].is_null()) {
        const auto& eos = json["eos_token_id"];
        std::vector<int32_t> ids;
        if (eos.is_array()) {
            if (eos.empty() || eos.size() > 64) throw Error(origin + ": \"eos_token_id\" must list 1 to 64 ids");
            for (const auto& id : eos) ids.push_back(readInt(nlohmann::json{{"eos_token_id", id}}, "eos_token_id", origin, 0, vocabSize - 1));
        } else {
            ids.push_back(readInt(json, "eos_token_id", origin, 0, vocabSize - 1));
        }
        for (const int32_t id : ids)
            if (id == maskId) throw Error(origin + ": \"eos_token_id\" names the mask token " + std::to_string(id));
        stopIds = ids;
        if (!isStopId(eosId)) stopIds.insert(stopIds.begin(), eosId);
    }
    if (json.contains("temperature") && !json["temperature"].is_null())
        defaults.temperature = readOptionalDouble(json, "temperature", origin, 1.0, 0.0, 100.0);
    if (json.contains("top_p") && !json["top_p"].is_null())
        defaults.topP = readOptionalDouble(json, "top_p", origin, 1.0, 1e-9, 1.0);
    if (json.contains("top_k") && !json["top_k"].is_null())
        defaults.topK = readInt(json, "top_k", origin, 0, vocabSize);
    // do_sample false means greedy decoding.
    if (!readOptionalBool(json, "do_sample", origin, true)) defaults.temperature = 0.0;
}

} // namespace bd3
