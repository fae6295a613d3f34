// The Qwen-family decoders (SDAR, dllm's a2d, Fast-dLLM v2) against the
// PyTorch reference in tools/bd3lm/qwen_network.py: the committed fixtures
// hold tiny random models exercising grouped-query attention, q/k norm, q/k/v
// biases, tied and untied embeddings, a sharded folder and both logit
// conventions, with the reference's raw logits under the block-causal mask.
#include "test_support.hpp"

#include "backend.hpp"
#include "bd3/model.hpp"

#include <gtest/gtest.h>

#include <numeric>

namespace bd3 {
namespace {

struct DecoderCase {
    std::string name, model, expected;
    int32_t blockSize = 0;
    std::vector<int32_t> tokens;
};

const std::filesystem::path& fixtureDir()
{
    static const std::filesystem::path dir = test::fixturesDir() / "qwen";
    return dir;
}

std::vector<DecoderCase> loadCases()
{
    const auto cases = nlohmann::json::parse(test::readFile(fixtureDir() / "cases.json"));
    std::vector<DecoderCase> result;
    for (const auto& c : cases["cases"])
        result.push_back({c["name"], c["model"], c["expected"], c["block_size"], c["tokens"].get<std::vector<int32_t>>()});
    return result;
}

double tolerance() { return nlohmann::json::parse(test::readFile(fixtureDir() / "cases.json"))["atol"]; }

// Largest |actual - expected| over rows [firstRow, firstRow + rows) of the
// reference's logits.
double worstError(std::span<const float> actual, const test::NpyArray& expected, size_t firstRow)
{
    const auto V = static_cast<size_t>(expected.shape[1]);
    double worst = 0.0;
    for (size_t i = 0; i < actual.size(); ++i)
        worst = std::max(worst, std::abs(static_cast<double>(actual[i]) - expected.data[firstRow * V + i]));
    return worst;
}

class DecoderParity : public testing::TestWithParam<DecoderCase> {};

// One pass over the whole sequence, every row's logits.
TEST_P(DecoderParity, WholeSequenceMatchesTheReference)
{
    const DecoderCase& c = GetParam();
    const auto model = Model::load(fixtureDir() / c.model);
    const test::NpyArray expected = test::readNpy(fixtureDir() / c.expected);
    const auto V = static_cast<size_t>(model->config().vocabSize);
    ASSERT_EQ(expected.shape, (std::vector<int64_t>{static_cast<int64_t>(c.tokens.size()), static_cast<int64_t>(V)}));

    const auto cache = model->backend().newCache(static_cast<int32_t>(c.tokens.size()));
    std::vector<int32_t> rows(c.tokens.size());
    std::iota(rows.begin(), rows.end(), 0);
    std::vector<float> logits(rows.size() * V);
    model->backend().forward({c.tokens, c.blockSize, 0, rows}, *cache, logits);
    const double worst = worstError(logits, expected, 0);
    EXPECT_LE(worst, tolerance());
    RecordProperty("max_abs_error", std::to_string(worst));
}

// Block by block as a generation runs: each block in its own pass against
// the cache of the blocks before it, then kept.
TEST_P(DecoderParity, BlockByBlockWithTheCacheMatchesTheReference)
{
    const DecoderCase& c = GetParam();
    const auto model = Model::load(fixtureDir() / c.model);
    const test::NpyArray expected = test::readNpy(fixtureDir() / c.expected);
    const auto V = static_cast<size_t>(model->config().vocabSize);
    const auto cache = model->backend().newCache(static_cast<int32_t>(c.tokens.size()));
    for (size_t start = 0; start < c.tokens.size(); start += static_cast<size_t>(c.blockSize)) {
        const auto length = std::min(static_cast<size_t>(c.blockSize), c.tokens.size() - start);
        const auto chunk = std::span(c.tokens).subspan(start, length);
        std::vector<int32_t> rows(length);
        std::iota(rows.begin(), rows.end(), 0);
        std::vector<float> logits(length * V);
        model->backend().forward({chunk, c.blockSize, static_cast<int32_t>(length), rows}, *cache, logits);
        EXPECT_LE(worstError(logits, expected, start), tolerance()) << "block at " << start;
    }
    EXPECT_EQ(cache->length(), static_cast<int32_t>(c.tokens.size()));
}

// The generator's merged pass: a finished block kept in the cache while the
// next block, whose first block is shorter, is only looked at.
TEST_P(DecoderParity, FinishedBlockStoredWithTheNextMatchesTheReference)
{
    const DecoderCase& c = GetParam();
    ASSERT_GT(c.tokens.size(), static_cast<size_t>(c.blockSize));
    const auto model = Model::load(fixtureDir() / c.model);
    const test::NpyArray expected = test::readNpy(fixtureDir() / c.expected);
    const auto V = static_cast<size_t>(model->config().vocabSize);
    const auto B = static_cast<size_t>(c.blockSize);
    const auto cache = model->backend().newCache(static_cast<int32_t>(c.tokens.size()));
    model->backend().forward({std::span(c.tokens).first(B), c.blockSize, c.blockSize, {}}, *cache, {});
    const auto chunk = std::span(c.tokens).subspan(B, std::min(2 * B, c.tokens.size() - B));
    std::vector<int32_t> rows(chunk.size());
    std::iota(rows.begin(), rows.end(), 0);
    std::vector<float> logits(chunk.size() * V);
    model->backend().forward({chunk, c.blockSize, c.blockSize, rows, c.blockSize}, *cache, logits);
    EXPECT_LE(worstError(logits, expected, B), tolerance());
    EXPECT_EQ(cache->length(), 2 * c.blockSize);
}

INSTANTIATE_TEST_SUITE_P(Fixtures, DecoderParity, testing::ValuesIn(loadCases()),
                         [](const testing::TestParamInfo<DecoderCase>& info) {
                             std::string name = info.param.name;
                             for (char& ch : name) ch = std::isalnum(static_cast<unsigned char>(ch)) ? ch : '_';
                             return name;
                         });

} // namespace
} // namespace bd3
