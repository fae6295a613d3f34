// Generation with the Qwen-family decoders on the tiny fixtures, checked for
// exactness: with greedy decoding every revealed token must be the argmax of
// what a fresh whole-sequence pass over the same state predicts (no cache,
// no merged passes), for both logit conventions.
#include "test_support.hpp"

#include "backend.hpp"
#include "bd3/evaluation.hpp"
#include "bd3/generator.hpp"
#include "bd3/model.hpp"
#include "bd3/trace.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <numeric>

namespace bd3 {
namespace {

std::unique_ptr<Model> loadFixture(const std::string& name) { return Model::load(test::fixturesDir() / "qwen" / name); }

// The most probable token at `position` of a sequence scored whole.
int32_t argmaxAt(const Model& model, const std::vector<int32_t>& sequence, int32_t blockSize, size_t position)
{
    const std::vector<float> logProbs = model.logProbs(sequence, blockSize);
    const auto V = static_cast<size_t>(model.config().vocabSize);
    const auto row = std::span(logProbs).subspan(position * V, V);
    return static_cast<int32_t>(std::max_element(row.begin(), row.end()) - row.begin());
}

struct GreedyRun {
    std::vector<int32_t> prompt;
    test::EventRecorder events;
    GenerationFinished result;
};

void generate(const Model& model, const SamplingParams& params, int32_t tokens, GreedyRun& run)
{
    const std::string prompt = "The licence grants";
    run.prompt = model.tokenizer().encode(prompt);
    LiveParameters live(params);
    run.result = Generator(model).run(prompt, live, test::fixedLengthRun(7, tokens), run.events);
}

// Replays the run's reveals in order, checking each against a whole-sequence
// pass over the state the step saw.
void expectEveryRevealIsTheFreshArgmax(const Model& model, const GreedyRun& run, int32_t blockSize)
{
    const int32_t maskId = model.config().maskId;
    std::vector<int32_t> sequence = run.prompt;
    size_t step = 0;
    for (const BlockStarted& block : run.events.started) {
        ASSERT_EQ(block.startPosition % blockSize, 0) << "blocks are aligned at position 0";
        sequence.resize(static_cast<size_t>(block.startPosition));
        sequence.insert(sequence.end(), block.tokens.begin(), block.tokens.end());
        for (; step < run.events.steps.size() && run.events.steps[step].block == block.block; ++step) {
            const std::vector<int32_t> state = sequence;  // what this step's pass saw
            for (const Reveal& reveal : run.events.steps[step].reveals) {
                const auto position = static_cast<size_t>(block.startPosition + reveal.offset);
                ASSERT_EQ(state[position], maskId);
                EXPECT_EQ(reveal.token, argmaxAt(model, state, blockSize, position))
                    << "block " << block.block << " step " << run.events.steps[step].step << " offset " << reveal.offset;
                sequence[position] = reveal.token;
            }
        }
    }
}

TEST(DecoderGeneration, SdarGreedyRevealsAreExact)
{
    const auto model = loadFixture("tiny-sdar");
    SamplingParams params = samplingDefaults(model->config());
    params.temperature = 0.0;
    params.topK = 0;
    params.topP = 1.0;
    GreedyRun run;
    generate(*model, params, 20, run);
    EXPECT_EQ(run.result.newTokens, 20);
    // No BOS: the prompt starts with its own first token.
    EXPECT_EQ(run.result.promptTokens, static_cast<int32_t>(run.prompt.size()));
    expectEveryRevealIsTheFreshArgmax(*model, run, params.blockSize);
}

// A shifted model: each block's first token is drawn alone, at step 0, from
// the previous block's last row; the rest from the rows before them.
TEST(DecoderGeneration, FastDllmFirstTokenComesFromThePreviousBlockAndRevealsAreExact)
{
    const auto model = loadFixture("tiny-fast-dllm");
    SamplingParams params = samplingDefaults(model->config());
    params.temperature = 0.0;
    params.topK = 0;
    params.topP = 1.0;
    params.threshold = 0.3;
    GreedyRun run;
    generate(*model, params, 22, run);
    EXPECT_EQ(run.result.newTokens, 22);
    for (const BlockStarted& block : run.events.started) {
        if (block.cleanPrefix > 0) continue;  // the prompt's partial block predicts its own masks
        const auto first = std::find_if(run.events.steps.begin(), run.events.steps.end(),
                                        [&](const StepDone& s) { return s.block == block.block; });
        ASSERT_NE(first, run.events.steps.end());
        ASSERT_EQ(first->reveals.size(), 1U);
        EXPECT_EQ(first->reveals.front().offset, 0);
        EXPECT_TRUE(first->forwardRan);
        EXPECT_TRUE(first->fromPreviousBlock);
    }
    expectEveryRevealIsTheFreshArgmax(*model, run, params.blockSize);

    // The flag survives a trace written and read back, and marks only those steps.
    TraceRecorder recorder(*model, "The licence grants", test::fixedLengthRun(7, 22));
    size_t flagged = 0;
    for (const BlockStarted& block : run.events.started) {
        recorder.blockStarted(block);
        for (const StepDone& step : run.events.steps) {
            if (step.block != block.block) continue;
            recorder.stepDone(step);
            flagged += step.fromPreviousBlock ? 1 : 0;
        }
    }
    size_t readBack = 0;
    for (const TraceEvent& event : parseTrace(recorder.toJson()).events)
        if (const auto* step = std::get_if<StepDone>(&event)) readBack += step->fromPreviousBlock ? 1 : 0;
    EXPECT_GT(flagged, 0U);
    EXPECT_EQ(readBack, flagged);
}

// A prompt of whole blocks: the last prompt block is stored by the pass
// that predicts the first generated token.
TEST(DecoderGeneration, FastDllmPromptOfWholeBlocksStillPredictsTheFirstToken)
{
    const auto model = loadFixture("tiny-fast-dllm");
    SamplingParams params = samplingDefaults(model->config());
    params.temperature = 0.0;
    const std::string prompt = "The licence grants";
    const auto ids = model->tokenizer().encode(prompt);
    params.blockSize = static_cast<int32_t>(ids.size());  // the prompt is exactly one block
    params.subBlockSize = 0;
    test::EventRecorder events;
    LiveParameters live(params);
    const GenerationFinished result = Generator(*model).run(prompt, live, test::fixedLengthRun(3, 4), events);
    EXPECT_EQ(result.newTokens, 4);
    ASSERT_FALSE(events.started.empty());
    EXPECT_EQ(events.started.front().cleanPrefix, 0);
    EXPECT_EQ(events.started.front().startPosition, static_cast<int64_t>(ids.size()));
    std::vector<int32_t> sequence = ids;
    sequence.push_back(model->config().maskId);
    EXPECT_EQ(events.steps.front().reveals.front().token, argmaxAt(*model, sequence, params.blockSize, ids.size()));
}

} // namespace
} // namespace bd3

namespace bd3 {
namespace {

// At block size 1 the NELBO is the exact autoregressive likelihood: for a
// shifted model (Fast-dLLM v2, an AR model adapted) each token is scored from
// the row before it, as one causal pass over the window gives.
TEST(DecoderEvaluation, ShiftedModelAtBlockSizeOneIsTheCausalLikelihood)
{
    const auto model = loadFixture("tiny-fast-dllm");
    const ModelConfig& c = model->config();
    const std::vector<int32_t> ids = model->tokenizer().encode("The licence grants you the right to copy it");
    EvaluationOptions options;
    options.blockSize = 1;
    const EvaluationResult result = evaluateNelbo(*model, ids, options);

    std::vector<int32_t> window{c.bosId};
    window.insert(window.end(), ids.begin(), ids.end());
    const auto V = static_cast<size_t>(c.vocabSize);
    const auto cache = model->backend().newCache(static_cast<int32_t>(window.size()));
    std::vector<int32_t> rows(window.size());
    std::iota(rows.begin(), rows.end(), 0);
    std::vector<float> logits(rows.size() * V);
    model->backend().forward({window, 1, 0, rows}, *cache, logits);
    double nll = 0.0;
    for (size_t i = 1; i < window.size(); ++i) {
        const auto row = std::span(logits).subspan((i - 1) * V, V);
        double sum = 0.0, maximum = -1e30;
        for (size_t v = 0; v < V; ++v)
            if (static_cast<int32_t>(v) != c.maskId) maximum = std::max(maximum, static_cast<double>(row[v]));
        for (size_t v = 0; v < V; ++v)
            if (static_cast<int32_t>(v) != c.maskId) sum += std::exp(row[v] - maximum);
        nll -= row[static_cast<size_t>(window[i])] - maximum - std::log(sum);
    }
    EXPECT_EQ(result.tokens, static_cast<int64_t>(ids.size()));
    EXPECT_NEAR(result.nelbo, nll / static_cast<double>(ids.size()), 1e-4);
}

} // namespace
} // namespace bd3
