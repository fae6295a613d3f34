// Block-by-block decoding with the key/value cache equals one pass over the
// whole sequence under the block-causal mask.
#include "test_support.hpp"

#include "backend.hpp"
#include "bd3/error.hpp"
#include "bd3/model.hpp"
#include "subs_output.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <numeric>
#include <random>

namespace bd3 {
namespace {

class KvCacheTest : public testing::Test {
protected:
    void SetUp() override { m_model = Model::load(test::parityModelDir()); }

    // Tokens with BOS first, random clean ids and about one third [MASK].
    std::vector<int32_t> randomTokens(size_t count, uint32_t seed) const
    {
        const ModelConfig& c = m_model->config();
        std::mt19937 rng(seed);
        std::vector<int32_t> tokens{c.bosId};
        while (tokens.size() < count)
            tokens.push_back(rng() % 3 == 0 ? c.maskId : static_cast<int32_t>(rng() % static_cast<uint32_t>(c.maskId)));
        return tokens;
    }

    // SUBS log-probabilities of every row of a chunk run after the cache.
    std::vector<float> runChunk(KvCache& cache, std::span<const int32_t> chunk, int32_t blockSize, bool keep) const
    {
        const int32_t V = m_model->config().vocabSize;
        std::vector<int32_t> rows(chunk.size());
        std::iota(rows.begin(), rows.end(), 0);
        std::vector<float> out(chunk.size() * static_cast<size_t>(V));
        m_model->backend().forward({chunk, blockSize, keep ? static_cast<int32_t>(chunk.size()) : 0, rows}, cache, out);
        for (size_t i = 0; i < chunk.size(); ++i)
            subsLogProbabilities(std::span(out).subspan(i * V, V), chunk[i], m_model->config().maskId);
        return out;
    }

    static double maxDifference(std::span<const float> a, std::span<const float> b)
    {
        double worst = 0.0;
        for (size_t i = 0; i < a.size(); ++i) {
            if (std::isinf(a[i]) || std::isinf(b[i])) {
                EXPECT_EQ(a[i], b[i]) << "at " << i;
                continue;
            }
            worst = std::max(worst, std::abs(static_cast<double>(a[i]) - b[i]));
        }
        return worst;
    }

    std::unique_ptr<Model> m_model;
};

TEST_F(KvCacheTest, BlockByBlockEqualsOnePass)
{
    const int32_t V = m_model->config().vocabSize;
    for (int32_t blockSize : {1, 4, 8}) {
        const std::vector<int32_t> tokens = randomTokens(40, static_cast<uint32_t>(blockSize));
        const std::vector<float> whole = m_model->logProbs(tokens, blockSize);
        const auto cache = m_model->backend().newCache(64);
        for (size_t start = 0; start < tokens.size(); start += static_cast<size_t>(blockSize)) {
            const auto block = std::span(tokens).subspan(start, static_cast<size_t>(blockSize));
            const std::vector<float> cached = runChunk(*cache, block, blockSize, true);
            EXPECT_LE(maxDifference(cached, std::span(whole).subspan(start * V, cached.size())), 1e-4)
                << "block size " << blockSize << ", block at " << start;
        }
        EXPECT_EQ(cache->length(), 40);
    }
}

TEST_F(KvCacheTest, PromptChunkThenBlocksEqualsOnePass)
{
    const int32_t V = m_model->config().vocabSize;
    const std::vector<int32_t> tokens = randomTokens(40, 7);
    const std::vector<float> whole = m_model->logProbs(tokens, 8);
    const auto cache = m_model->backend().newCache(64);
    runChunk(*cache, std::span(tokens).first(24), 8, true);  // three blocks in one pass
    const std::vector<float> next = runChunk(*cache, std::span(tokens).subspan(24, 8), 8, true);
    EXPECT_LE(maxDifference(next, std::span(whole).subspan(24 * V, next.size())), 1e-4);
    // A pass that does not keep its keys leaves the cache as it was.
    runChunk(*cache, std::span(tokens).subspan(32, 8), 8, false);
    EXPECT_EQ(cache->length(), 32);
    const std::vector<float> last = runChunk(*cache, std::span(tokens).subspan(32, 8), 8, true);
    EXPECT_LE(maxDifference(last, std::span(whole).subspan(32 * V, last.size())), 1e-4);
}

TEST_F(KvCacheTest, ClearedCacheStartsAgainAtPositionZero)
{
    const std::vector<int32_t> tokens = randomTokens(16, 11);
    const auto cache = m_model->backend().newCache(64);
    runChunk(*cache, std::span(tokens).first(8), 8, true);
    cache->clear();
    EXPECT_EQ(cache->length(), 0);
    EXPECT_EQ(cache->nextPosition(), 0);
    const std::vector<float> again = runChunk(*cache, std::span(tokens).subspan(8, 8), 8, true);
    const std::vector<float> fresh = m_model->logProbs(std::span(tokens).subspan(8, 8), 8);
    EXPECT_LE(maxDifference(again, fresh), 1e-6);
}

// The generator stores a finished block's keys and values in the same pass
// as the next block's first step: a chunk of [clean block, kept | noisy
// block, looked at], whose first block may differ in size.
TEST_F(KvCacheTest, StoringABlockWithTheNextOnesFirstStepEqualsTwoPasses)
{
    const int32_t V = m_model->config().vocabSize;
    const std::vector<int32_t> tokens = randomTokens(26, 5);  // 16 cached, a clean 4, a noisy 6
    const auto clean = std::span(tokens).subspan(16, 4);
    const auto noisy = std::span(tokens).subspan(20, 6);

    const auto separate = m_model->backend().newCache(64);
    runChunk(*separate, std::span(tokens).first(16), 4, true);
    runChunk(*separate, clean, 4, true);
    const std::vector<float> expected = runChunk(*separate, noisy, 6, false);

    const auto merged = m_model->backend().newCache(64);
    runChunk(*merged, std::span(tokens).first(16), 4, true);
    std::vector<int32_t> rows(6);
    std::iota(rows.begin(), rows.end(), 4);
    std::vector<float> out(6 * static_cast<size_t>(V));
    m_model->backend().forward({std::span(tokens).subspan(16, 10), 6, 4, rows, 4}, *merged, out);
    for (size_t i = 0; i < 6; ++i)
        subsLogProbabilities(std::span(out).subspan(i * V, V), noisy[i], m_model->config().maskId);
    EXPECT_EQ(merged->length(), 20);
    EXPECT_LE(maxDifference(out, expected), 1e-5);
    // The kept block is in the cache exactly as if it had been run alone.
    const std::vector<float> after = runChunk(*merged, noisy, 6, false);
    EXPECT_LE(maxDifference(after, expected), 1e-5);
}

TEST_F(KvCacheTest, ChunkPastCapacityIsAnError)
{
    const auto cache = m_model->backend().newCache(8);
    const std::vector<int32_t> tokens = randomTokens(12, 3);
    EXPECT_THROW(runChunk(*cache, tokens, 4, true), Error);
}

} // namespace
} // namespace bd3
