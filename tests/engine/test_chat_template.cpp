// A model folder's chat template (which file wins, the variables it is
// rendered with) and its special tokens reconciled with config.json's ids.
#include "error_message.hpp"
#include "test_support.hpp"

#include "bd3/chat.hpp"
#include "bd3/model.hpp"

#include <gtest/gtest.h>

namespace bd3 {
namespace {

namespace fs = std::filesystem;

// A copy of the tiny SDAR fixture (SentencePiece tokenizer, mask 1030).
fs::path tinySdar(const test::ScratchDir& dir)
{
    const fs::path folder = dir.path() / "tiny-sdar";
    fs::copy(test::fixturesDir() / "qwen" / "tiny-sdar", folder, fs::copy_options::recursive);
    return folder;
}

void writeJson(const fs::path& file, const nlohmann::json& json) { test::writeFile(file, json.dump(1)); }

std::string renderOne(const ChatTemplate& chat, const std::string& text)
{
    ChatRequest request;
    request.messages = {{"user", text}};
    return chat.render(request);
}

TEST(ChatTemplateFolder, AChatTemplateFileWinsOverTokenizerConfig)
{
    test::ScratchDir dir;
    writeJson(dir.path() / "tokenizer_config.json", {{"chat_template", "config: {{ messages[0].content }}"}});
    auto chat = ChatTemplate::fromFolder(dir.path());
    ASSERT_TRUE(chat);
    EXPECT_EQ(renderOne(*chat, "hi"), "config: hi");
    test::writeFile(dir.path() / "chat_template.jinja", "file: {{ messages[0].content }}");
    chat = ChatTemplate::fromFolder(dir.path());
    ASSERT_TRUE(chat);
    EXPECT_EQ(renderOne(*chat, "hi"), "file: hi");
    EXPECT_TRUE(chat->origin().ends_with("chat_template.jinja")) << chat->origin();
}

TEST(ChatTemplateFolder, ANamedListGivesItsDefaultAndNoTemplateIsNothing)
{
    test::ScratchDir dir;
    EXPECT_FALSE(ChatTemplate::fromFolder(dir.path()));
    writeJson(dir.path() / "tokenizer_config.json", {{"eos_token", "</s>"}});
    EXPECT_FALSE(ChatTemplate::fromFolder(dir.path()));
    writeJson(dir.path() / "tokenizer_config.json",
              {{"chat_template", {{{"name", "tool_use"}, {"template", "tools"}}, {{"name", "default"}, {"template", "plain"}}}}});
    const auto chat = ChatTemplate::fromFolder(dir.path());
    ASSERT_TRUE(chat);
    EXPECT_EQ(renderOne(*chat, "x"), "plain");
    writeJson(dir.path() / "tokenizer_config.json", {{"chat_template", {{{"name", "tool_use"}, {"template", "t"}}}}});
    EXPECT_NE(test::errorMessage([&] { ChatTemplate::fromFolder(dir.path()); }).find("none is named \"default\""),
              std::string::npos);
    writeJson(dir.path() / "tokenizer_config.json", {{"chat_template", 7}});
    EXPECT_NE(test::errorMessage([&] { ChatTemplate::fromFolder(dir.path()); }).find("neither a string"),
              std::string::npos);
}

// The special tokens by name (tokenizer_config.json before
// special_tokens_map.json), add_generation_prompt, and enable_thinking only
// when asked, so a template's own default applies otherwise.
TEST(ChatTemplateFolder, TheTemplateSeesTheVariablesTransformersPasses)
{
    test::ScratchDir dir;
    writeJson(dir.path() / "tokenizer_config.json",
              {{"bos_token", {{"content", "<s>"}}}, {"eos_token", "</s>"}, {"pad_token", nullptr},
               {"chat_template", "{{ bos_token }}|{{ eos_token }}|{{ pad_token is defined }}|{{ unk_token }}|"
                                 "{{ add_generation_prompt }}|{{ tools is none }}|"
                                 "{% if enable_thinking is defined %}{{ enable_thinking }}{% else %}unset{% endif %}"}});
    writeJson(dir.path() / "special_tokens_map.json", {{"eos_token", "<other>"}, {"unk_token", "<unk>"}});
    const auto chat = ChatTemplate::fromFolder(dir.path());
    ASSERT_TRUE(chat);
    EXPECT_TRUE(chat->hasThinkingSwitch());
    ChatRequest request;
    request.messages = {{"user", "hello"}};
    EXPECT_EQ(chat->render(request), "<s>|</s>|False|<unk>|True|True|unset");
    request.enableThinking = false;
    request.addGenerationPrompt = false;
    EXPECT_EQ(chat->render(request), "<s>|</s>|False|<unk>|False|True|False");
}

// A template that cannot be parsed leaves the model loaded for continuation,
// with the problem named (file and line).
TEST(ChatTemplateModel, ABrokenTemplateLeavesTheModelUsable)
{
    test::ScratchDir dir;
    const fs::path folder = tinySdar(dir);
    test::writeFile(folder / "chat_template.jinja", "{% for m in messages %}\n{{ m.content }\n{% endfor %}");
    const auto model = Model::load(folder);
    EXPECT_EQ(model->chatTemplate(), nullptr);
    const std::string& problem = model->chatTemplateProblem();
    EXPECT_NE(problem.find("chat_template.jinja"), std::string::npos) << problem;
    EXPECT_NE(problem.find("line 2"), std::string::npos) << problem;
}

TEST(ChatTemplateModel, NamedTokensAreReconciledWithConfigIds)
{
    test::ScratchDir dir;
    const fs::path folder = tinySdar(dir);
    const auto plain = Model::load(folder);
    const std::vector<int32_t> stops = plain->config().stopIds;
    const std::optional<int32_t> piece = plain->tokenizer().tokenId("▁the");
    ASSERT_TRUE(piece);
    ASSERT_FALSE(plain->config().isStopId(*piece));

    // An end token the tokenizer files name joins the stop ids; a mask named
    // as no token the tokenizer knows is a note, and config.json's id stays.
    writeJson(folder / "tokenizer_config.json", {{"eos_token", "▁the"}, {"mask_token", "<|MASK|>"}});
    writeJson(folder / "special_tokens_map.json", {{"mask_token", "<MASK>"}});
    const auto model = Model::load(folder);
    EXPECT_TRUE(model->config().isStopId(*piece));
    EXPECT_EQ(model->config().stopIds.size(), stops.size() + 1);
    EXPECT_EQ(model->config().maskId, plain->config().maskId);
    ASSERT_EQ(model->notes().size(), 1U);
    EXPECT_NE(model->notes()[0].find("tokenizer_config.json names mask_token \"<|MASK|>\""), std::string::npos)
        << model->notes()[0];
    EXPECT_NE(model->notes()[0].find("mask_token_id 1030"), std::string::npos) << model->notes()[0];

    // A mask named as a known token with another id is a note too.
    writeJson(folder / "tokenizer_config.json", {{"mask_token", "▁the"}});
    const auto renamed = Model::load(folder);
    ASSERT_EQ(renamed->notes().size(), 1U);
    EXPECT_NE(renamed->notes()[0].find("(id " + std::to_string(*piece) + ")"), std::string::npos);

    // An end token that is the model's mask is an error: nothing could end.
    nlohmann::json config = nlohmann::json::parse(test::readFile(folder / "config.json"));
    config["mask_token_id"] = *piece;
    writeJson(folder / "config.json", config);
    writeJson(folder / "tokenizer_config.json", {{"eos_token", "▁the"}});
    const std::string message = test::errorMessage([&] { Model::load(folder); });
    EXPECT_NE(message.find("tokenizer_config.json names eos_token \"▁the\", which is the mask token"), std::string::npos)
        << message;

    writeJson(folder / "tokenizer_config.json", nlohmann::json::array());
    EXPECT_NE(test::errorMessage([&] { Model::load(folder); }).find("not a JSON object"), std::string::npos);
}

} // namespace
} // namespace bd3
