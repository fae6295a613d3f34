#include "tokenizers/special_tokens.hpp"

#include "bd3/error.hpp"
#include "json_document.hpp"

#include <algorithm>
#include <array>

namespace bd3 {

namespace {

constexpr std::array<const char*, 5> kKeys{"bos_token", "eos_token", "pad_token", "unk_token", "mask_token"};

// The text of a named token: a string, {"content": string}, or nothing (null
// or absent, as Qwen's bos_token is).
std::optional<std::string> tokenText(const nlohmann::json& value)
{
    if (value.is_string()) return value.get<std::string>();
    if (value.is_object() && value.contains("content") && value["content"].is_string())
        return value["content"].get<std::string>();
    return std::nullopt;
}

std::string describe(const Tokenizer& tokenizer, int32_t id)
{
    std::string text = std::to_string(id);
    if (id >= 0 && id < tokenizer.size()) text += " (" + tokenizer.decode(std::span(&id, 1)) + ")";
    return text;
}

} // namespace

std::vector<NamedSpecialToken> readNamedSpecialTokens(const std::filesystem::path& folder)
{
    std::vector<NamedSpecialToken> named;
    for (const char* name : {"tokenizer_config.json", "special_tokens_map.json"}) {
        const auto path = folder / name;
        std::error_code ec;
        if (!std::filesystem::exists(path, ec)) continue;
        const nlohmann::json json = parseJsonDocument(readInputFile(path, kMaxSettingsFileBytes), path.string(), kMaxSettingsFileBytes);
        if (!json.is_object()) throw Error(path.string() + ": the top level is not a JSON object");
        for (const char* key : kKeys) {
            const bool known = std::any_of(named.begin(), named.end(), [&](const auto& t) { return t.key == key; });
            if (known || !json.contains(key)) continue;
            if (auto text = tokenText(json[key])) named.push_back({key, std::move(*text), name});
        }
    }
    return named;
}

std::vector<std::string> reconcileSpecialTokens(const std::vector<NamedSpecialToken>& named, const Tokenizer& tokenizer,
                                                ModelConfig& config)
{
    std::vector<std::string> notes;
    for (const NamedSpecialToken& token : named) {
        const std::string where = token.file + " names " + token.key + " \"" + token.text + "\"";
        const std::optional<int32_t> id = tokenizer.tokenId(token.text);
        if (token.key == "mask_token") {
            if (!id)
                notes.push_back(where + ", which the tokenizer does not define; config.json's mask_token_id " +
                                describe(tokenizer, config.maskId) + " is the mask the model was trained with");
            else if (*id != config.maskId)
                notes.push_back(where + " (id " + std::to_string(*id) + "), but config.json's mask_token_id " +
                                describe(tokenizer, config.maskId) + " is the mask the model was trained with");
            continue;
        }
        if (!id) continue;  // a name the tokenizer lacks ends nothing and starts nothing
        const bool ends = token.key == "eos_token";
        const bool starts = token.key == "bos_token" && config.prependBos;
        if ((ends || starts) && *id == config.maskId)
            throw Error(where + ", which is the mask token " + std::to_string(*id) + " of config.json: " +
                        (ends ? "a generation could not end" : "every prompt would start with a mask"));
        if (ends && *id < config.vocabSize && !config.isStopId(*id)) config.stopIds.push_back(*id);
    }
    return notes;
}

} // namespace bd3
