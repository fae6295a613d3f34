// Faults from outside the engine: model files that change on disk while or
// after they load, a model too large for the machine, cancellation at every
// step of a block, and a storm of parameter changes from another thread
// (run under ThreadSanitizer by the tsan preset).
#include "test_support.hpp"

#include "bd3/error.hpp"
#include "bd3/generator.hpp"
#include "bd3/model.hpp"
#include "memory_budget.hpp"

#include <gtest/gtest.h>

#include <sys/resource.h>

#include <algorithm>
#include <atomic>
#include <map>
#include <random>
#include <thread>

namespace bd3 {
namespace {

using test::ScratchDir;

std::string loadError(const std::filesystem::path& folder, const LoadOptions& options = {})
{
    try {
        Model::load(folder, options);
    } catch (const Error& error) {
        return error.what();
    }
    ADD_FAILURE() << "loading " << folder << " should have failed";
    return {};
}

using Recorder = test::EventRecorder;

TEST(Faults, ModelFileTruncatedWhileLoading)
{
    ScratchDir dir;
    const auto folder = test::copyParityModel(dir.path());
    const auto weights = folder / "model.safetensors";
    const auto fullSize = std::filesystem::file_size(weights);
    LoadOptions options;
    bool truncated = false;
    options.progress = [&](double) {
        if (!truncated) std::filesystem::resize_file(weights, fullSize / 2);
        truncated = true;
        return true;
    };
    const std::string message = loadError(folder, options);
    EXPECT_TRUE(truncated);
    EXPECT_NE(message.find("model.safetensors"), std::string::npos) << message;
    EXPECT_NE(message.find("ended early"), std::string::npos) << message;
}

TEST(Faults, ModelFileChangedAfterLoadingLeavesTheLoadedModelIntact)
{
    ScratchDir dir;
    const auto folder = test::copyParityModel(dir.path());
    const auto weights = folder / "model.safetensors";
    const auto model = Model::load(folder);
    const std::vector<int32_t> tokens = {2, 17, 230, 5, 999, 41, 7, 8};
    const std::vector<float> before = model->logProbs(tokens, 4);

    // Truncated in place (what a half-finished copy over the file does), then
    // replaced by another file under the same name.
    std::filesystem::resize_file(weights, 100);
    EXPECT_EQ(model->logProbs(tokens, 4), before);
    std::filesystem::remove(weights);
    test::writeFile(weights, "not a model any more");
    EXPECT_EQ(model->logProbs(tokens, 4), before);
    LiveParameters live(SamplingParams{});
    Recorder counter;
    EXPECT_EQ(Generator(*model).run("still works", live, test::fixedLengthRun(3, 16), counter).newTokens, 16);

    // Opening it again names the problem.
    const std::string message = loadError(folder);
    EXPECT_NE(message.find("model.safetensors: header length"), std::string::npos) << message;
}

TEST(Faults, ModelTooLargeForMemoryIsRefusedBeforeReading)
{
    ScratchDir dir;
    uint64_t dataBytes = 0;
    const auto folder = test::makeTooLargeModel(dir.path(), &dataBytes);
    ASSERT_TRUE(availableMemoryBytes().has_value()) << "this machine does not say how much memory it has";
    ASSERT_GT(dataBytes, *availableMemoryBytes());
    const std::string message = loadError(folder);
    EXPECT_NE(message.find("of memory, but only"), std::string::npos) << message;
    EXPECT_NE(message.find("GiB"), std::string::npos) << message;
}

// A context of 1,048,576 positions on a model of a few megabytes: the
// key/value cache grows with the rows a generation reaches (and each growth
// is checked against the memory available), so 16 tokens cost megabytes, not
// the 8 GiB a full-context cache would take.
TEST(Faults, ALongContextCostsOnlyWhatAGenerationReaches)
{
    ScratchDir dir;
    const auto folder = test::copyParityModel(dir.path());
    nlohmann::json config = nlohmann::json::parse(test::readFile(folder / "config.json"));
    config["model_length"] = 1 << 20;
    test::writeFile(folder / "config.json", config.dump());
    const auto model = Model::load(folder);
    ASSERT_EQ(model->config().contextLength, 1 << 20);
    SamplingParams params;
    params.blockSize = 4;
    params.steps = 4;
    const LiveParameters live(params);
    Recorder recorder;
    const auto result = Generator(*model).run("A long context", live, test::fixedLengthRun(3, 16), recorder);
    EXPECT_EQ(result.newTokens, 16);
    rusage usage{};
    ASSERT_EQ(getrusage(RUSAGE_SELF, &usage), 0);
    const double peakGiB = static_cast<double>(usage.ru_maxrss) / (1024.0 * 1024.0);  // ru_maxrss is in KiB
    EXPECT_LT(peakGiB, 2.0) << "peak resident memory " << peakGiB << " GiB";
}

class GenerationFaults : public testing::Test {
protected:
    static void SetUpTestSuite() { s_model = Model::load(test::parityModelDir()).release(); }
    static void TearDownTestSuite() { delete s_model; }
    static Model* s_model;
};
Model* GenerationFaults::s_model = nullptr;

TEST_F(GenerationFaults, CancelAtEveryStepOfABlock)
{
    for (const SamplerKind sampler : {SamplerKind::Ddpm, SamplerKind::FirstHitting, SamplerKind::TopKConfidence}) {
        SamplingParams params;
        params.blockSize = 8;
        params.steps = 8;
        params.sampler = sampler;
        const LiveParameters live(params);
        Recorder whole;
        const auto uncancelled = Generator(*s_model).run("Cancel here", live, test::fixedLengthRun(11, 24), whole);
        int32_t stepsInBlock1 = 0;
        for (const StepDone& s : whole.steps) stepsInBlock1 += s.block == 1 ? 1 : 0;
        ASSERT_GT(stepsInBlock1, 1);

        for (int32_t at = -1; at < stepsInBlock1; ++at) {
            SCOPED_TRACE(std::string(samplerName(sampler)) + ", cancelled after step " + std::to_string(at) + " of block 1");
            std::stop_source stop;
            if (at < 0) stop.request_stop();
            Recorder counter;
            size_t stepsAtCancel = 0;
            counter.onStep = [&](const StepDone& s) {
                if (s.block == 1 && s.step == at) {
                    stop.request_stop();
                    stepsAtCancel = counter.steps.size();
                }
            };
            const auto result = Generator(*s_model).run("Cancel here", live, test::fixedLengthRun(11, 24), counter, stop.get_token());
            EXPECT_EQ(result.reason, StopReason::Cancelled);
            if (at < 0) {
                EXPECT_TRUE(counter.steps.empty());
                EXPECT_EQ(result.newTokens, 0);
                continue;
            }
            EXPECT_EQ(counter.steps.size(), stepsAtCancel);  // nothing ran after the request
            // Finished blocks are kept as they were; a block cancelled before
            // its last step is not committed.
            const size_t finished = at == stepsInBlock1 - 1 ? 2 : 1;
            ASSERT_EQ(counter.committed.size(), finished);
            std::string text;
            for (size_t b = 0; b < finished; ++b) {
                EXPECT_EQ(counter.committed[b].tokens, whole.committed[b].tokens);
                text += whole.committed[b].text;
            }
            EXPECT_EQ(result.text, text);
        }
        // A cancelled run leaves nothing behind: the same run again matches.
        Recorder again;
        EXPECT_EQ(Generator(*s_model).run("Cancel here", live, test::fixedLengthRun(11, 24), again).text, uncancelled.text);
    }
}

TEST_F(GenerationFaults, StormOfParameterChangesDuringOneGeneration)
{
    LiveParameters live(SamplingParams{});
    std::stop_source stop;
    Recorder counter;
    std::atomic<int> applied{0}, refused{0};
    std::thread storm([&] {
        std::mt19937 random(2024);
        const SamplerKind samplers[] = {SamplerKind::Ddpm, SamplerKind::FirstHitting, SamplerKind::TopKConfidence,
                                        SamplerKind::Threshold};
        const ScheduleKind schedules[] = {ScheduleKind::LogLinear, ScheduleKind::Cosine, ScheduleKind::Square,
                                          ScheduleKind::SquareRoot, ScheduleKind::Log, ScheduleKind::Clipped};
        for (int i = 0; i < 1000; ++i) {
            SamplingParams p;
            p.blockSize = std::uniform_int_distribution<int32_t>(-1, 40)(random);
            p.steps = std::uniform_int_distribution<int32_t>(-1, 20)(random);
            p.sampler = samplers[random() % 4];
            p.schedule.kind = schedules[random() % 6];
            p.temperature = std::uniform_real_distribution<double>(-0.2, 3.0)(random);
            p.topP = std::uniform_real_distribution<double>(0.0, 1.1)(random);
            try {
                live.set(p, random() % 7 == 0 ? LiveParameters::ApplyFrom::CurrentBlock
                                               : LiveParameters::ApplyFrom::NextBlock);
                ++applied;
            } catch (const Error&) {
                ++refused;  // out-of-range values are refused and change nothing
            }
            std::this_thread::sleep_for(std::chrono::microseconds(200));
        }
        // However fast the machine, the last values are seen to work: two
        // more blocks, then stop.
        const int commitsAfterStorm = counter.commits;
        while (counter.commits < commitsAfterStorm + 2) std::this_thread::sleep_for(std::chrono::milliseconds(1));
        stop.request_stop();
    });
    const auto result = Generator(*s_model).run("A storm of changes", live, test::fixedLengthRun(5, 1 << 20), counter, stop.get_token());
    storm.join();

    EXPECT_EQ(applied + refused, 1000);
    EXPECT_GT(applied, 100);
    EXPECT_GT(refused, 10);
    EXPECT_EQ(result.reason, StopReason::Cancelled);
    EXPECT_GE(counter.committed.size(), 2U);
    // Every block ran with valid parameters (a restart starts a block again)
    // and was committed whole.
    std::map<int32_t, BlockStarted> lastStart;
    for (const BlockStarted& started : counter.started) {
        EXPECT_NO_THROW(started.params.validate());
        lastStart[started.block] = started;
    }
    int32_t tokens = 0;
    for (const BlockCommitted& committed : counter.committed) {
        const BlockStarted& started = lastStart.at(committed.block);
        EXPECT_EQ(committed.tokens.size(), static_cast<size_t>(started.length));
        EXPECT_EQ(std::count(committed.tokens.begin(), committed.tokens.end(), s_model->config().maskId), 0);
        tokens += started.length - started.cleanPrefix;
    }
    EXPECT_EQ(result.newTokens, tokens);
}

} // namespace
} // namespace bd3
