// Chat templates: the input is a template, then optionally a NUL byte and
// the JSON of its variables (a conversation with tools when absent or not
// an object). Any bytes give a parsed template or a bd3::Error, and any
// parsed template renders to valid UTF-8 or a bd3::Error, in bounded time
// and memory.
#include "chat_templates/jinja_template.hpp"

#include "bd3/error.hpp"
#include "bd3/utf8.hpp"

#include <nlohmann/json.hpp>

#include <chrono>
#include <string>
#include <string_view>

namespace {

const nlohmann::ordered_json& defaultVariables()
{
    static const nlohmann::ordered_json variables = nlohmann::ordered_json::parse(R"({
        "messages": [
            {"role": "system", "content": "Be brief."},
            {"role": "user", "content": "Weather in Zürich? 😀 {{ x }}"},
            {"role": "assistant", "content": null, "tool_calls": [
                {"type": "function", "function": {"name": "get_weather", "arguments": {"city": "Zürich"}}}]},
            {"role": "tool", "content": "{\"temp\": 21}"},
            {"role": "assistant", "content": "<think>\nwarm\n</think>\n\nIt is 21 °C."}],
        "tools": [{"type": "function", "function": {"name": "get_weather", "parameters": {
            "type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]}}}],
        "add_generation_prompt": true, "enable_thinking": false,
        "bos_token": "<s>", "eos_token": "</s>"})");
    return variables;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    const std::string_view input(reinterpret_cast<const char*>(data), size);
    const size_t split = input.find('\0');
    const std::string_view source = input.substr(0, split);
    nlohmann::ordered_json variables = defaultVariables();
    if (split != std::string_view::npos) {
        auto parsed = nlohmann::ordered_json::parse(input.substr(split + 1), nullptr, false);
        if (parsed.is_object()) variables = std::move(parsed);
    }
    try {
        const bd3::jinja::Template tpl(source, "fuzz");
        const std::string out = tpl.render(variables, std::chrono::system_clock::time_point(std::chrono::seconds(1720537445)));
        if (bd3::firstInvalidUtf8(out)) __builtin_trap();
    } catch (const bd3::Error&) {
    }
    return 0;
}
