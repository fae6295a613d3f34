// The NELBO evaluator against brute-force constructions with Model::logProbs:
// block size 1 is the exact autoregressive likelihood, larger blocks score the
// masked positions of each block given the clean earlier blocks, and the
// counter-based noise matches the PyTorch evaluation's generator.
#include "test_support.hpp"

#include "bd3/error.hpp"
#include "bd3/evaluation.hpp"
#include "bd3/model.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <random>

namespace bd3 {
namespace {

class EvaluationTest : public testing::Test {
protected:
    void SetUp() override { m_model = Model::load(test::parityModelDir()); }

    std::vector<int32_t> randomIds(size_t count, uint32_t seed) const
    {
        const ModelConfig& c = m_model->config();
        std::mt19937 rng(seed);
        std::vector<int32_t> ids;
        while (ids.size() < count) {
            const auto id = static_cast<int32_t>(rng() % static_cast<uint32_t>(c.maskId));
            ids.push_back(id);
        }
        return ids;
    }

    // Exact AR negative log-likelihood of ids after BOS, one window:
    // position i masked, positions < i clean, block size 1.
    double arNll(const std::vector<int32_t>& ids) const
    {
        const ModelConfig& c = m_model->config();
        const int32_t V = c.vocabSize;
        std::vector<int32_t> window{c.bosId};
        window.insert(window.end(), ids.begin(), ids.end());
        double nll = 0.0;
        for (size_t i = 1; i < window.size(); ++i) {
            std::vector<int32_t> seq(window.begin(), window.begin() + static_cast<std::ptrdiff_t>(i));
            seq.push_back(c.maskId);
            const std::vector<float> lp = m_model->logProbs(seq, 1);
            nll -= lp[i * V + static_cast<size_t>(window[i])];
        }
        return nll;
    }

    // The evaluator's estimate rebuilt from the noise definition and whole-sequence
    // passes: for block b, [clean blocks < b | noisy block b] under the block-causal mask.
    double bruteForceNll(const std::vector<int32_t>& ids, int32_t blockSize, uint64_t seed, uint64_t pass) const
    {
        const ModelConfig& c = m_model->config();
        const int32_t V = c.vocabSize;
        std::vector<int32_t> window{c.bosId};
        window.insert(window.end(), ids.begin(), ids.end());
        const auto length = static_cast<int32_t>(window.size());
        double nll = 0.0;
        for (int32_t b = 0; b * blockSize < length; ++b) {
            const int32_t start = b * blockSize;
            const int32_t stop = std::min(start + blockSize, length);
            const double t = 1e-3 + (1.0 - 1e-3) * counterUniform(seed, {pass, 0, static_cast<uint64_t>(b), 0});
            std::vector<int32_t> seq(window.begin(), window.begin() + stop);
            std::vector<int32_t> masked;
            for (int32_t i = std::max(start, 1); i < stop; ++i) {
                if (counterUniform(seed, {pass, 0, static_cast<uint64_t>(b), 1, static_cast<uint64_t>(i)}) < t) {
                    seq[static_cast<size_t>(i)] = c.maskId;
                    masked.push_back(i);
                }
            }
            if (masked.empty()) continue;
            const std::vector<float> lp = m_model->logProbs(seq, blockSize);
            for (int32_t i : masked) nll -= lp[static_cast<size_t>(i) * V + static_cast<size_t>(window[static_cast<size_t>(i)])] / t;
        }
        return nll;
    }

    std::unique_ptr<Model> m_model;
};

TEST(CounterUniform, MatchesThePythonGenerator)
{
    // Values printed by tools/bd3lm/objective.py: uniform(0), uniform(0, 1, 2, 3, 0),
    // uniform(12345, 0, 7, 3, 1, index=[13]).
    EXPECT_DOUBLE_EQ(counterUniform(0, {}), 0.8833108082136426);
    EXPECT_DOUBLE_EQ(counterUniform(0, {1, 2, 3, 0}), 0.6708956949957134);
    EXPECT_DOUBLE_EQ(counterUniform(12345, {0, 7, 3, 1, 13}), 0.7056775989233908);
}

TEST_F(EvaluationTest, BlockSizeOneIsTheExactAutoregressiveLikelihood)
{
    const auto ids = randomIds(30, 1);
    EvaluationOptions options;
    options.blockSize = 1;
    const EvaluationResult r = evaluateNelbo(*m_model, ids, options);
    EXPECT_EQ(r.tokens, 30);
    EXPECT_EQ(r.windows, 1);
    const double exact = arNll(ids);
    EXPECT_NEAR(r.totalNll, exact, 1e-4 * exact);
    EXPECT_NEAR(r.nelbo, exact / 30.0, 1e-4 * exact / 30.0);
    EXPECT_NEAR(r.perplexityBound, std::exp(exact / 30.0), 1e-3 * std::exp(exact / 30.0));
    // no noise at block size 1: every seed gives the same number
    options.seed = 99;
    EXPECT_NEAR(evaluateNelbo(*m_model, ids, options).totalNll, r.totalNll, 1e-9 * exact);
}

TEST_F(EvaluationTest, LargerBlocksMatchTheBruteForceConstruction)
{
    const auto ids = randomIds(40, 2);
    for (int32_t blockSize : {2, 4, 8, 41}) {
        for (uint64_t seed : {0ULL, 7ULL}) {
            EvaluationOptions options;
            options.blockSize = blockSize;
            options.seed = seed;
            const EvaluationResult r = evaluateNelbo(*m_model, ids, options);
            const double expected = bruteForceNll(ids, blockSize, seed, 0);
            EXPECT_NEAR(r.totalNll, expected, 1e-4 * std::abs(expected) + 1e-6)
                << "block size " << blockSize << ", seed " << seed;
        }
    }
}

TEST_F(EvaluationTest, PassesAreAveragedAndSeedsDiffer)
{
    const auto ids = randomIds(40, 3);
    EvaluationOptions options;
    options.blockSize = 8;
    options.passes = 3;
    const EvaluationResult r = evaluateNelbo(*m_model, ids, options);
    ASSERT_EQ(r.passNelbo.size(), 3U);
    EXPECT_NEAR(r.nelbo, (r.passNelbo[0] + r.passNelbo[1] + r.passNelbo[2]) / 3.0, 1e-12);
    EXPECT_NEAR(r.passNelbo[1] * 40.0, bruteForceNll(ids, 8, 0, 1), 1e-4 * r.passNelbo[1] * 40.0);
    EXPECT_NE(r.passNelbo[0], r.passNelbo[1]);
    // the same seed gives the same number
    EXPECT_EQ(evaluateNelbo(*m_model, ids, options).totalNll, r.totalNll);
}

TEST_F(EvaluationTest, LongTextsAreCutIntoWindowsThatStartWithBos)
{
    const ModelConfig& c = m_model->config();
    const auto span = static_cast<size_t>(c.contextLength - 1);
    const auto ids = randomIds(span + 10, 4);
    EvaluationOptions options;
    options.blockSize = 1;
    const EvaluationResult r = evaluateNelbo(*m_model, ids, options);
    EXPECT_EQ(r.windows, 2);
    EXPECT_EQ(r.tokens, static_cast<int64_t>(ids.size()));
    const std::vector<int32_t> first(ids.begin(), ids.begin() + static_cast<std::ptrdiff_t>(span));
    const std::vector<int32_t> second(ids.begin() + static_cast<std::ptrdiff_t>(span), ids.end());
    const double exact = arNll(first) + arNll(second);
    EXPECT_NEAR(r.totalNll, exact, 1e-4 * exact);
}

TEST_F(EvaluationTest, TextIsTokenizedWithTheModelsTokenizer)
{
    const std::string text = "The licence grants you the right to copy.";
    EvaluationOptions options;
    options.blockSize = 4;
    const EvaluationResult a = evaluateNelboOfText(*m_model, text, options);
    const EvaluationResult b = evaluateNelbo(*m_model, m_model->tokenizer().encode(text), options);
    EXPECT_EQ(a.totalNll, b.totalNll);
    EXPECT_GT(a.nelbo, 0.0);
}

TEST_F(EvaluationTest, BadRequestsAreErrors)
{
    const auto ids = randomIds(10, 5);
    EvaluationOptions options;
    options.blockSize = m_model->config().contextLength + 1;
    EXPECT_THROW(evaluateNelbo(*m_model, ids, options), Error);
    options.blockSize = 4;
    EXPECT_THROW(evaluateNelbo(*m_model, std::vector<int32_t>{}, options), Error);
    EXPECT_THROW(evaluateNelbo(*m_model, std::vector<int32_t>{m_model->config().maskId}, options), Error);
    options.passes = 0;
    EXPECT_THROW(evaluateNelbo(*m_model, ids, options), Error);
    options.passes = 1;
    options.progress = [](int64_t, int64_t) { return false; };
    EXPECT_THROW(evaluateNelbo(*m_model, ids, options), Error);
}

} // namespace
} // namespace bd3
