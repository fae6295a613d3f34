#include "commands.hpp"
#include "token_list.hpp"

#include "bd3/error.hpp"
#include "bd3/model_config.hpp"
#include "bd3/tokenizer.hpp"
#include "bd3/utf8.hpp"

#include <iostream>

namespace bd3::cli {

namespace {

struct TokenizeSettings {
    std::filesystem::path model;
    std::string text;
    std::string decode;
    bool idsOnly = false;
    bool special = false;
};

int runTokenize(const TokenizeSettings& s)
{
    const auto tokenizer = loadTokenizer(s.model);
    if (!s.decode.empty()) {
        const std::vector<int32_t> ids = parseTokenList(s.decode);
        for (int32_t id : ids) {
            if (id < 0 || id >= tokenizer->size())
                throw Error("token id " + std::to_string(id) + " is outside the tokenizer's " +
                            std::to_string(tokenizer->size()) + " entries");
        }
        std::cout << validUtf8(tokenizer->decode(ids)) << '\n';
        return 0;
    }
    const std::vector<int32_t> ids = s.special ? tokenizer->encodeWithSpecialTokens(s.text) : tokenizer->encode(s.text);
    if (s.idsOnly) {
        for (size_t i = 0; i < ids.size(); ++i) std::cout << (i ? " " : "") << ids[i];
        std::cout << '\n';
        return 0;
    }
    std::cout << ids.size() << " tokens\n";
    for (int32_t id : ids) {
        std::string piece = validUtf8(tokenizer->decode(std::span(&id, 1)));
        std::cout << id << "\t\"" << piece << "\"\n";
    }
    return 0;
}

} // namespace

Command addTokenizeCommand(CLI::App& app)
{
    auto s = std::make_shared<TokenizeSettings>();
    addModelOption(app, s->model);
    auto* text = app.add_option("text", s->text, "Text to tokenize");
    auto* decode = app.add_option("--decode", s->decode, "Token ids to turn back into text (space or comma separated)");
    text->excludes(decode);
    app.add_flag("--ids-only", s->idsOnly, "Print only the ids, on one line");
    app.add_flag("--special", s->special,
                 "Read special tokens written in the text (<|im_start|>) as their ids, as a chat template's text is "
                 "read; without it they are ordinary characters");
    return [s] { return runTokenize(*s); };
}

} // namespace bd3::cli
