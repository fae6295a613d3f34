#include "chunk_runs.hpp"

#include "backend.hpp"
#include "bd3/model.hpp"
#include "samplers/subs_output.hpp"

#include <numeric>
#include <random>

namespace bd3::test {

std::vector<int32_t> randomTokens(const ModelConfig& c, size_t count, uint32_t seed)
{
    std::mt19937 rng(seed);
    std::vector<int32_t> tokens{c.bosId};
    while (tokens.size() < count)
        tokens.push_back(rng() % 3 == 0 ? c.maskId : static_cast<int32_t>(rng() % static_cast<uint32_t>(c.maskId)));
    return tokens;
}

std::vector<float> runChunk(const Model& model, KvCache& cache, std::span<const int32_t> chunk, int32_t blockSize,
                            bool keep)
{
    const int32_t V = model.config().vocabSize;
    std::vector<int32_t> rows(chunk.size());
    std::iota(rows.begin(), rows.end(), 0);
    std::vector<float> out(chunk.size() * static_cast<size_t>(V));
    model.backend().forward({chunk, blockSize, keep ? static_cast<int32_t>(chunk.size()) : 0, rows}, cache, out);
    for (size_t i = 0; i < chunk.size(); ++i)
        subsLogProbabilities(std::span(out).subspan(i * V, V), chunk[i], model.config().maskId);
    return out;
}

StoredWithNextStep storeBlockWithNextStep(const Model& model)
{
    const int32_t V = model.config().vocabSize;
    const std::vector<int32_t> tokens = randomTokens(model.config(), 26, 5);
    const auto clean = std::span(tokens).subspan(16, 4);
    const auto noisy = std::span(tokens).subspan(20, 6);
    StoredWithNextStep result;

    const auto separate = model.backend().newCache(64);
    runChunk(model, *separate, std::span(tokens).first(16), 4, true);
    runChunk(model, *separate, clean, 4, true);
    result.separate = runChunk(model, *separate, noisy, 6, false);
    result.separateLength = separate->length();

    // One chunk [clean 4, kept | noisy 6, looked at]: its first block differs
    // in size from the others.
    const auto merged = model.backend().newCache(64);
    runChunk(model, *merged, std::span(tokens).first(16), 4, true);
    std::vector<int32_t> rows(6);
    std::iota(rows.begin(), rows.end(), 4);
    result.merged.resize(6 * static_cast<size_t>(V));
    model.backend().forward({std::span(tokens).subspan(16, 10), 6, 4, rows, 4}, *merged, result.merged);
    for (size_t i = 0; i < 6; ++i)
        subsLogProbabilities(std::span(result.merged).subspan(i * V, V), noisy[i], model.config().maskId);
    result.mergedLength = merged->length();
    result.afterMerged = runChunk(model, *merged, noisy, 6, false);
    return result;
}

} // namespace bd3::test
