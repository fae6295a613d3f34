// Generation on the tiny fixture model: reproducibility, live parameter
// changes, cancellation, stopping rules and bad input.
#include "test_support.hpp"

#include "bd3/error.hpp"
#include "bd3/generator.hpp"
#include "bd3/model.hpp"

#include <gtest/gtest.h>

#include <functional>

namespace bd3 {
namespace {

using Recorder = test::EventRecorder;

class GeneratorTest : public testing::Test {
protected:
    static void SetUpTestSuite() { s_model = Model::load(test::parityModelDir()).release(); }
    static void TearDownTestSuite() { delete s_model; }

    GenerationFinished generate(const SamplingParams& params, GenerationOptions options, Recorder& recorder,
                                std::string_view prompt = "The licence grants", std::stop_token stop = {})
    {
        LiveParameters live(params);
        return Generator(*s_model).run(prompt, live, options, recorder, stop);
    }

    static Model* s_model;
};
Model* GeneratorTest::s_model = nullptr;

GenerationOptions options(uint64_t seed, int32_t maxTokens) { return test::fixedLengthRun(seed, maxTokens); }

TEST_F(GeneratorTest, SameSeedSameTextOtherSeedOtherText)
{
    SamplingParams params;
    Recorder a, b, c;
    const auto first = generate(params, options(42, 24), a);
    const auto again = generate(params, options(42, 24), b);
    const auto other = generate(params, options(43, 24), c);
    EXPECT_EQ(first.text, again.text);
    ASSERT_EQ(a.committed.size(), b.committed.size());
    for (size_t i = 0; i < a.committed.size(); ++i) EXPECT_EQ(a.committed[i].tokens, b.committed[i].tokens);
    EXPECT_NE(first.text, other.text);
}

TEST_F(GeneratorTest, PromptPartialBlockBecomesTheCleanPrefix)
{
    SamplingParams params;
    params.blockSize = 8;
    Recorder r;
    const auto result = generate(params, options(1, 8), r);
    ASSERT_FALSE(r.started.empty());
    EXPECT_EQ(r.started[0].cleanPrefix, result.promptTokens % 8);
    EXPECT_EQ(r.started[0].startPosition, result.promptTokens - result.promptTokens % 8);
    for (int32_t i = 0; i < r.started[0].cleanPrefix; ++i)
        EXPECT_NE(r.started[0].tokens[static_cast<size_t>(i)], s_model->config().maskId);
}

TEST_F(GeneratorTest, TokenLimitShortensTheLastBlock)
{
    SamplingParams params;
    params.blockSize = 4;
    Recorder r;
    const auto result = generate(params, options(2, 10), r, "x");  // BOS + "x" = 2 prompt tokens
    EXPECT_EQ(result.reason, StopReason::TokenLimit);
    EXPECT_EQ(result.newTokens, 10);
    int32_t generated = 0;
    for (const auto& b : r.started) generated += b.length - b.cleanPrefix;
    EXPECT_EQ(generated, 10);
}

TEST_F(GeneratorTest, FirstHittingTakesOneForwardPassPerToken)
{
    SamplingParams params;
    params.blockSize = 8;
    params.steps = 2;  // first-hitting ignores the step budget
    params.sampler = SamplerKind::FirstHitting;
    Recorder r;
    const auto result = generate(params, options(3, 16), r, "abc");
    for (const StepDone& s : r.steps) {
        EXPECT_EQ(s.reveals.size(), 1U);
        EXPECT_TRUE(s.forwardRan);
    }
    EXPECT_EQ(result.nfe, result.newTokens);
}

TEST_F(GeneratorTest, DdpmReusesTheOutputWhenNothingChanged)
{
    SamplingParams params;
    params.blockSize = 4;
    params.steps = 32;  // most steps reveal nothing
    Recorder r;
    const auto result = generate(params, options(4, 8), r);
    int32_t forwards = 0, idle = 0;
    for (size_t i = 0; i < r.steps.size(); ++i) {
        forwards += r.steps[i].forwardRan;
        if (r.steps[i].reveals.empty()) {
            ++idle;
            ASSERT_LT(i + 1, r.steps.size());
            if (r.steps[i + 1].block == r.steps[i].block) {
                EXPECT_FALSE(r.steps[i + 1].forwardRan) << "step " << i + 1;
            }
        }
    }
    EXPECT_GT(idle, 0);
    EXPECT_EQ(result.nfe, forwards);
    EXPECT_LT(result.nfe, static_cast<int32_t>(r.steps.size()));
}

TEST_F(GeneratorTest, ParameterChangesTakeEffectAtTheNextBlock)
{
    SamplingParams params;
    params.blockSize = 4;
    params.steps = 4;
    LiveParameters live(params);
    Recorder r;
    r.onStep = [&](const StepDone& s) {
        if (s.block == 0 && s.step == 0) {
            SamplingParams changed = params;
            changed.blockSize = 8;
            changed.steps = 2;
            changed.sampler = SamplerKind::TopKConfidence;
            live.set(changed);
        }
    };
    Generator(*s_model).run("one two", live, options(5, 24), r);
    ASSERT_GE(r.started.size(), 2U);
    EXPECT_EQ(r.started[0].params.blockSize, 4);  // the running block keeps its values
    EXPECT_EQ(r.started[1].params.blockSize, 8);
    EXPECT_EQ(r.started[1].length, 8);
    EXPECT_EQ(r.started[1].params.sampler, SamplerKind::TopKConfidence);
    int32_t block1Steps = 0;
    for (const StepDone& s : r.steps) block1Steps += s.block == 1;
    EXPECT_EQ(block1Steps, 2);
}

TEST_F(GeneratorTest, RestartAppliesParametersToTheCurrentBlock)
{
    SamplingParams params;
    params.blockSize = 4;
    params.steps = 4;
    LiveParameters live(params);
    Recorder r;
    r.onStep = [&](const StepDone& s) {
        if (s.block == 1 && s.step == 0 && r.started.back().params.blockSize == 4) {
            SamplingParams changed = params;
            changed.blockSize = 8;
            live.set(changed, LiveParameters::ApplyFrom::CurrentBlock);
        }
    };
    Generator(*s_model).run("restart", live, options(5, 24), r);
    ASSERT_GE(r.started.size(), 3U);
    EXPECT_EQ(r.started[1].block, 1);
    EXPECT_EQ(r.started[1].params.blockSize, 4);
    EXPECT_EQ(r.started[2].block, 1);  // the same block, started over
    EXPECT_EQ(r.started[2].params.blockSize, 8);
    EXPECT_EQ(r.started[2].startPosition, r.started[1].startPosition);
    EXPECT_EQ(r.committed[1].tokens.size(), 8U);
}

TEST(LiveParametersTest, AChangeMadeAsABlockStartsIsInThatBlockOrRestartsIt)
{
    SamplingParams first;
    first.blockSize = 4;
    LiveParameters live(first);
    SamplingParams second = first;
    second.blockSize = 8;

    // Asked before the block starts: the block starts with it, and nothing is
    // left to restart.
    live.set(second, LiveParameters::ApplyFrom::CurrentBlock);
    EXPECT_EQ(live.forBlockStart().blockSize, 8);
    EXPECT_FALSE(live.takeRestartRequest());

    // Asked after: the running block starts over, with it.
    SamplingParams third = first;
    third.blockSize = 16;
    live.set(third, LiveParameters::ApplyFrom::CurrentBlock);
    EXPECT_TRUE(live.takeRestartRequest());
    EXPECT_EQ(live.forBlockStart().blockSize, 16);

    // For the next block only: no restart, and a refused value changes nothing.
    live.set(first);
    EXPECT_FALSE(live.takeRestartRequest());
    SamplingParams invalid = first;
    invalid.steps = 0;
    EXPECT_THROW(live.set(invalid, LiveParameters::ApplyFrom::CurrentBlock), Error);
    EXPECT_FALSE(live.takeRestartRequest());
    EXPECT_EQ(live.current().blockSize, 4);
}

TEST_F(GeneratorTest, TokenTextsMakeUpTheBlockText)
{
    SamplingParams params;
    params.blockSize = 4;
    Recorder r;
    const auto result = generate(params, options(12, 32), r);
    std::string all;
    for (size_t i = 0; i < r.committed.size(); ++i) {
        const auto& c = r.committed[i];
        EXPECT_EQ(c.tokenTexts.size(), static_cast<size_t>(r.started[i].length - r.started[i].cleanPrefix));
        std::string joined;
        for (const auto& t : c.tokenTexts) joined += t;
        EXPECT_EQ(joined, c.text);
        all += c.text;
    }
    EXPECT_EQ(all, result.text);
}

TEST_F(GeneratorTest, CancelStopsBeforeTheNextForwardPass)
{
    SamplingParams params;
    params.blockSize = 8;
    params.steps = 8;
    params.sampler = SamplerKind::FirstHitting;
    std::stop_source stop;
    Recorder r;
    size_t stepsAtCancel = 0;
    r.onStep = [&](const StepDone& s) {
        if (s.block == 1 && s.step == 2) {
            stop.request_stop();
            stepsAtCancel = r.steps.size();
        }
    };
    const auto result = generate(params, options(6, 64), r, "cancel me", stop.get_token());
    EXPECT_EQ(result.reason, StopReason::Cancelled);
    EXPECT_EQ(r.steps.size(), stepsAtCancel);  // no further step after the request
    EXPECT_EQ(result.blocks, 1);
}

TEST_F(GeneratorTest, SlidesPastTheContext)
{
    SamplingParams params;
    params.blockSize = 8;
    params.steps = 2;
    Recorder r;
    const int32_t context = s_model->config().contextLength;
    const auto result = generate(params, options(7, 3 * context), r);
    EXPECT_EQ(result.newTokens, 3 * context);
    int32_t slides = 0;
    for (size_t i = 0; i < r.started.size(); ++i) {
        EXPECT_LE(r.started[i].startPosition + r.started[i].length, context);
        if (i > 0 && r.started[i].startPosition < r.started[i - 1].startPosition) ++slides;
    }
    EXPECT_GE(slides, 2);  // the window was re-based from position 0
}

TEST_F(GeneratorTest, StopsAtEndOfSequence)
{
    // A temperature this high makes every token about equally likely, so EOS
    // turns up within a few hundred tokens for a vocabulary of 1001.
    SamplingParams params;
    params.blockSize = 16;
    params.steps = 4;
    params.temperature = 1000.0;
    GenerationOptions o = options(8, 20000);
    o.stopAtEos = true;
    Recorder r;
    const auto result = generate(params, o, r);
    EXPECT_EQ(result.reason, StopReason::EndOfSequence);
    bool sawEos = false;
    for (int32_t t : r.committed.back().tokens) sawEos |= t == s_model->config().eosId;
    EXPECT_TRUE(sawEos);
}

TEST_F(GeneratorTest, KeepPromptTailTrimsALongPrompt)
{
    SamplingParams params;
    params.blockSize = 8;
    GenerationOptions o = options(13, 8);
    o.keepPromptTail = true;
    Recorder r;
    const auto result = generate(params, o, r, std::string(3000, 'a') + " tail");
    EXPECT_EQ(result.promptTokens, s_model->config().contextLength - 8);
    EXPECT_EQ(result.newTokens, 8);
}

TEST_F(GeneratorTest, BadInputGivesClearErrors)
{
    auto message = [&](std::string_view prompt, SamplingParams params, GenerationOptions o) {
        Recorder r;
        try {
            LiveParameters live(params);
            Generator(*s_model).run(prompt, live, o, r);
        } catch (const Error& e) {
            return std::string(e.what());
        }
        return std::string("accepted");
    };
    const SamplingParams ok;
    EXPECT_NE(message("", ok, options(1, 4)).find("prompt is empty"), std::string::npos);
    EXPECT_NE(message("bad \xC3\x28 byte", ok, options(1, 4)).find("not valid UTF-8 at byte 4"), std::string::npos);
    EXPECT_NE(message(std::string(5000, 'a') + " long", ok, options(1, 4)).find("shorten the prompt"), std::string::npos);
    SamplingParams zeroBlock;
    zeroBlock.blockSize = 0;
    EXPECT_NE(message("hi", zeroBlock, options(1, 4)).find("block size must be at least 1"), std::string::npos);
    SamplingParams zeroSteps;
    zeroSteps.steps = 0;
    EXPECT_NE(message("hi", zeroSteps, options(1, 4)).find("steps per block"), std::string::npos);
    EXPECT_NE(message("hi", ok, options(1, 0)).find("token limit"), std::string::npos);
}

} // namespace
} // namespace bd3
