// Block-by-block decoding with the key/value cache equals one pass over the
// whole sequence under the block-causal mask.
#include "chunk_runs.hpp"
#include "test_support.hpp"

#include "backend.hpp"
#include "bd3/error.hpp"
#include "bd3/model.hpp"

#include <gtest/gtest.h>

#include <cmath>

namespace bd3 {
namespace {

class KvCacheTest : public testing::Test {
protected:
    void SetUp() override { m_model = Model::load(test::parityModelDir()); }

    std::vector<int32_t> randomTokens(size_t count, uint32_t seed) const
    {
        return test::randomTokens(m_model->config(), count, seed);
    }
    std::vector<float> runChunk(KvCache& cache, std::span<const int32_t> chunk, int32_t blockSize, bool keep) const
    {
        return test::runChunk(*m_model, cache, chunk, blockSize, keep);
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
    const test::StoredWithNextStep run = test::storeBlockWithNextStep(*m_model);
    EXPECT_EQ(run.separateLength, 20);
    EXPECT_EQ(run.mergedLength, 20);
    EXPECT_LE(maxDifference(run.merged, run.separate), 1e-5);
    // The kept block is in the cache exactly as if it had been run alone.
    EXPECT_LE(maxDifference(run.afterMerged, run.separate), 1e-5);
}

TEST_F(KvCacheTest, ChunkPastCapacityIsAnError)
{
    const auto cache = m_model->backend().newCache(8);
    const std::vector<int32_t> tokens = randomTokens(12, 3);
    EXPECT_THROW(runChunk(*cache, tokens, 4, true), Error);
}

} // namespace
} // namespace bd3
