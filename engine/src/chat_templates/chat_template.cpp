// Finding a folder's chat template and rendering it with the variables
// transformers' apply_chat_template passes: messages, add_generation_prompt,
// tools and documents (none here), the special tokens by name, and the
// template's own switches (enable_thinking).
#include "bd3/chat.hpp"

#include "bd3/error.hpp"
#include "chat_templates/jinja_template.hpp"
#include "json_document.hpp"
#include "tokenizers/special_tokens.hpp"

#include <chrono>

namespace bd3 {

namespace {

bool isFile(const std::filesystem::path& path)
{
    std::error_code ec;
    return std::filesystem::exists(path, ec);
}

// tokenizer_config.json's chat_template: a string, or a list of
// {"name", "template"} of which transformers takes "default".
std::optional<std::string> configTemplate(const std::filesystem::path& path)
{
    const nlohmann::json json = parseJsonDocument(readInputFile(path, kMaxSettingsFileBytes), path.string(), kMaxSettingsFileBytes);
    if (!json.is_object()) throw Error(path.string() + ": the top level is not a JSON object");
    if (!json.contains("chat_template") || json["chat_template"].is_null()) return std::nullopt;
    const nlohmann::json& value = json["chat_template"];
    if (value.is_string()) return value.get<std::string>();
    if (value.is_array()) {
        for (const nlohmann::json& entry : value) {
            if (entry.is_object() && entry.value("name", "") == "default" && entry.contains("template") &&
                entry["template"].is_string())
                return entry["template"].get<std::string>();
        }
        throw Error(path.string() + ": \"chat_template\" lists templates but none is named \"default\"");
    }
    throw Error(path.string() + ": \"chat_template\" is neither a string nor a list of named templates");
}

} // namespace

std::map<std::string, std::string> namedSpecialTokens(const std::filesystem::path& folder)
{
    std::map<std::string, std::string> tokens;
    for (NamedSpecialToken& token : readNamedSpecialTokens(folder)) tokens.emplace(token.key, std::move(token.text));
    return tokens;
}

std::optional<ChatTemplate> ChatTemplate::fromFolder(const std::filesystem::path& folder)
{
    const auto jinjaFile = folder / "chat_template.jinja";
    const auto configFile = folder / "tokenizer_config.json";
    if (isFile(jinjaFile)) return ChatTemplate(readInputFile(jinjaFile, kMaxSettingsFileBytes), jinjaFile.string(), namedSpecialTokens(folder));
    if (!isFile(configFile)) return std::nullopt;
    const std::optional<std::string> source = configTemplate(configFile);
    if (!source) return std::nullopt;
    return ChatTemplate(*source, configFile.string(), namedSpecialTokens(folder));
}

ChatTemplate::ChatTemplate(const std::string& source, const std::string& origin,
                           std::map<std::string, std::string> specialTokens)
    : m_template(std::make_shared<const jinja::Template>(source, origin)), m_origin(origin),
      m_specialTokens(std::move(specialTokens)), m_thinkingSwitch(source.find("enable_thinking") != std::string::npos)
{
}

std::string ChatTemplate::render(const ChatRequest& request) const
{
    nlohmann::ordered_json variables = nlohmann::ordered_json::object();
    nlohmann::ordered_json messages = nlohmann::ordered_json::array();
    for (const ChatMessage& message : request.messages)
        messages.push_back({{"role", message.role}, {"content", message.content}});
    variables["messages"] = std::move(messages);
    variables["tools"] = nullptr;
    variables["documents"] = nullptr;
    variables["add_generation_prompt"] = request.addGenerationPrompt;
    for (const auto& [key, text] : m_specialTokens) variables[key] = text;
    if (request.enableThinking) variables["enable_thinking"] = *request.enableThinking;
    return m_template->render(variables, std::chrono::system_clock::now());
}

} // namespace bd3
