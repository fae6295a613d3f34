// The trace document holds the whole event stream: replaying its reveals over
// each block's initial tokens gives the committed tokens. The sampling
// parameters' codec, which traces, sessions and settings share, keeps every
// value.
#include "test_support.hpp"

#include "bd3/error.hpp"
#include "bd3/generator.hpp"
#include "bd3/model.hpp"
#include "bd3/parameters_json.hpp"
#include "bd3/trace.hpp"

#include <gtest/gtest.h>

#include <functional>

#include <nlohmann/json.hpp>

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

    // What is read is held as floats: a probability or entropy no float
    // holds is refused by name, never read as infinity and written back as null.
    EXPECT_NO_THROW(parseTrace(doc.dump()));
    for (const auto& [damage, message] :
         std::vector<std::pair<std::function<void(nlohmann::json&)>, std::string>>{
             {[](nlohmann::json& d) { d["blocks"][0]["steps"][0]["reveals"][0]["alternatives"][0][1] = 5e49; },
              "trace: blocks[0].steps[0].reveals[0].alternatives[0][1]: 5e+49 is not a probability in [0, 1]"},
             {[](nlohmann::json& d) { d["blocks"][0]["steps"][0]["reveals"][0]["probability"] = -0.5; },
              "trace: blocks[0].steps[0].reveals[0].probability: -0.5 is not a probability in [0, 1]"},
             {[](nlohmann::json& d) { d["blocks"][0]["steps"][0]["reveals"][0]["entropy"] = 1e300; },
              "trace: blocks[0].steps[0].reveals[0].entropy: 1e+300 is not an entropy a float holds (at least 0)"}}) {
        nlohmann::json damaged = doc;
        damage(damaged);
        std::string what = "accepted";
        try {
            parseTrace(damaged.dump());
        } catch (const Error& error) {
            what = error.what();
        }
        EXPECT_EQ(what, message);
    }
}

TEST(SamplingParamsJson, EveryValueComesBack)
{
    SamplingParams p;
    p.blockSize = 16;
    p.steps = 7;
    p.schedule = {ScheduleKind::Cosine, 0.5, 2.5};
    p.sampler = SamplerKind::Threshold;
    p.confidence = ConfidenceMeasure::NegativeEntropy;
    p.threshold = 0.75;
    p.subBlockSize = 4;
    p.temperature = 0.6;
    p.topK = 20;
    p.topP = 0.95;
    p.topAlternatives = 3;
    const SamplingParams back = parseSamplingParams(samplingParamsJson(p), "session");
    EXPECT_EQ(back.blockSize, 16);
    EXPECT_EQ(back.steps, 7);
    EXPECT_EQ(back.schedule.kind, ScheduleKind::Cosine);
    EXPECT_EQ(back.schedule.beta, 0.5);
    EXPECT_EQ(back.schedule.omega, 2.5);
    EXPECT_EQ(back.sampler, SamplerKind::Threshold);
    EXPECT_EQ(back.confidence, ConfidenceMeasure::NegativeEntropy);
    EXPECT_EQ(back.threshold, 0.75);
    EXPECT_EQ(back.subBlockSize, 4);
    EXPECT_EQ(back.temperature, 0.6);
    EXPECT_EQ(back.topK, 20);
    EXPECT_EQ(back.topP, 0.95);
    EXPECT_EQ(back.topAlternatives, 3);
}

TEST(SamplingParamsJson, KeysAddedLaterDefaultAndOthersAreIgnored)
{
    nlohmann::json object = nlohmann::json::parse(samplingParamsJson(SamplingParams{}));
    for (const char* added : {"sub_block_size", "top_k", "top_alternatives"}) object.erase(added);
    object["seed"] = 42;  // a session's own key beside them
    const SamplingParams back = parseSamplingParams(object.dump(), "session");
    EXPECT_EQ(back.topK, 0);
    EXPECT_EQ(back.subBlockSize, 0);
    EXPECT_EQ(back.topAlternatives, 0);
}

TEST(SamplingParamsJson, ABadValueIsNamed)
{
    const auto problem = [](const std::function<void(nlohmann::json&)>& damage) {
        nlohmann::json object = nlohmann::json::parse(samplingParamsJson(SamplingParams{}));
        damage(object);
        try {
            parseSamplingParams(object.dump(), "session");
        } catch (const Error& error) {
            return std::string(error.what());
        }
        return std::string("accepted");
    };
    EXPECT_EQ(problem([](nlohmann::json& o) { o.erase("steps"); }), "session: parameters: missing key \"steps\"");
    EXPECT_EQ(problem([](nlohmann::json& o) { o["steps"] = "four"; }),
              "session: parameters.steps: expected a whole number, found a string");
    EXPECT_EQ(problem([](nlohmann::json& o) { o["sampler"] = "oracle"; }),
              "session: parameters.sampler: unknown name \"oracle\"");
    EXPECT_NE(problem([](nlohmann::json& o) { o["top_p"] = 1.5; }).find("session: parameters: "), std::string::npos);
    EXPECT_EQ(problem([](nlohmann::json& o) { o = nlohmann::json::array(); }),
              "session: parameters: expected an object, found an array");
    EXPECT_THROW(parseSamplingParams("{", "session"), Error);
}

} // namespace
} // namespace bd3
