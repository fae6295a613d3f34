// Chunks of random tokens run through a model's backend, for the tests that
// compare passes with and without the key/value cache on each backend.
#pragma once

#include "bd3/model_config.hpp"

#include <cstdint>
#include <span>
#include <vector>

namespace bd3 {
class KvCache;
class Model;
} // namespace bd3

namespace bd3::test {

// Tokens with BOS first, random clean ids and about one third [MASK].
std::vector<int32_t> randomTokens(const ModelConfig& config, size_t count, uint32_t seed);

// SUBS log-probabilities of every row of a chunk run after the cache, which
// keeps the chunk's keys and values when keep is set.
std::vector<float> runChunk(const Model& model, KvCache& cache, std::span<const int32_t> chunk, int32_t blockSize,
                            bool keep);

// The generator stores a finished block's keys and values in the same pass
// as the next block's first step. The same 26 random tokens (16 cached, a
// clean 4, a noisy 6) run both ways: the noisy block's SUBS log-probabilities
// after two separate passes, from the merged pass, and from a pass after the
// merged one; with the cache lengths after each way.
struct StoredWithNextStep {
    std::vector<float> separate, merged, afterMerged;
    int32_t separateLength = 0, mergedLength = 0;
};
StoredWithNextStep storeBlockWithNextStep(const Model& model);

} // namespace bd3::test
