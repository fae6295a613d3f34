// A model's conversation format: the chat template its folder ships, rendered
// as Hugging Face's transformers renders it, into the text a chat turn starts
// from.
#pragma once

#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace bd3 {

namespace jinja {
class Template;
}

struct ChatMessage {
    std::string role;     // "system", "user", "assistant"
    std::string content;
};

struct ChatRequest {
    std::vector<ChatMessage> messages;
    // End with the opening of the assistant's turn, for the model to write.
    bool addGenerationPrompt = true;
    // Qwen3-style templates' enable_thinking; not passed when unset, so the
    // template's own default applies.
    std::optional<bool> enableThinking;
};

class ChatTemplate {
public:
    // The folder's template: chat_template.jinja when there is one, else
    // tokenizer_config.json's "chat_template" (a string, or a list of named
    // templates of which "default" is taken). Nothing when the folder has
    // none. Throws bd3::Error naming the file, line and construct when the
    // template cannot be parsed or uses something this engine lacks.
    static std::optional<ChatTemplate> fromFolder(const std::filesystem::path& folder);
    // A template given as text; specialTokens are the names it may use
    // (bos_token, eos_token, ...) with their text.
    ChatTemplate(const std::string& source, const std::string& origin,
                 std::map<std::string, std::string> specialTokens = {});

    // The conversation as the model was trained to read it; throws bd3::Error
    // when the template raises (raise_exception) or fails while rendering.
    std::string render(const ChatRequest& request) const;
    // Where the template came from: "chat_template.jinja" or
    // "tokenizer_config.json" with the folder.
    const std::string& origin() const { return m_origin; }
    // Whether the template reads enable_thinking (a thinking model).
    bool hasThinkingSwitch() const { return m_thinkingSwitch; }

private:
    std::shared_ptr<const jinja::Template> m_template;
    std::string m_origin;
    std::map<std::string, std::string> m_specialTokens;
    bool m_thinkingSwitch = false;
};

// The special tokens a folder's tokenizer_config.json and
// special_tokens_map.json name (bos_token, eos_token, pad_token, unk_token,
// mask_token), as text; later files do not override earlier ones.
std::map<std::string, std::string> namedSpecialTokens(const std::filesystem::path& folder);

} // namespace bd3
