// The trace document holds the whole event stream: replaying its reveals over
// each block's initial tokens gives the committed tokens.
#include "test_support.hpp"

#include "bd3/generator.hpp"
#include "bd3/model.hpp"
#include "bd3/trace.hpp"

#include <gtest/gtest.h>

namespace bd3 {
namespace {

TEST(Trace, ReplayingTheRevealsGivesTheCommittedBlocks)
{
    const auto model = Model::load(test::parityModelDir());
    SamplingParams params;
    params.blockSize = 8;
    params.steps = 4;
    params.topAlternatives = 3;
    GenerationOptions options;
    options.seed = 9;
    options.maxNewTokens = 20;
    options.stopAtEos = false;
    TraceRecorder trace(*model, "Replay this", options);
    LiveParameters live(params);
    const GenerationFinished result = Generator(*model).run("Replay this", live, options, trace);

    test::ScratchDir dir;
    trace.writeFile(dir.path() / "trace.json");
    const auto doc = nlohmann::json::parse(test::readFile(dir.path() / "trace.json"));
    EXPECT_EQ(doc["format"], "bd3-trace");
    EXPECT_EQ(doc["version"], TraceRecorder::formatVersion);
    EXPECT_EQ(doc["prompt"], "Replay this");
    EXPECT_EQ(doc["finished"]["reason"], "token-limit");
    EXPECT_EQ(doc["finished"]["text"], result.text);
    EXPECT_EQ(doc["finished"]["nfe"], result.nfe);

    std::string text;
    int nfe = 0;
    for (const auto& block : doc["blocks"]) {
        EXPECT_EQ(block["params"]["block_size"], 8);
        auto tokens = block["initial_tokens"].get<std::vector<int32_t>>();
        for (const auto& step : block["steps"]) {
            nfe += step["forward_ran"].get<bool>();
            for (const auto& reveal : step["reveals"]) {
                const auto offset = reveal["offset"].get<size_t>();
                EXPECT_EQ(tokens[offset], model->config().maskId) << "a position is revealed once";
                tokens[offset] = reveal["token"];
                EXPECT_EQ(reveal["alternatives"].size(), 3U);
                EXPECT_GE(reveal["alternatives"][0][1].get<double>(), reveal["alternatives"][2][1].get<double>());
            }
        }
        EXPECT_EQ(tokens, block["committed"]["tokens"].get<std::vector<int32_t>>());
        text += block["committed"]["text"].get<std::string>();
    }
    EXPECT_EQ(nfe, result.nfe);
    EXPECT_EQ(text, result.text);
}

} // namespace
} // namespace bd3
