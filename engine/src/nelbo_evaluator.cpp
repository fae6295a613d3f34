#include "bd3/evaluation.hpp"

#include "backend.hpp"
#include "bd3/error.hpp"
#include "samplers/subs_output.hpp"

#include <algorithm>
#include <cmath>
#include <string>

namespace bd3 {

namespace {

uint64_t splitmix64(uint64_t z)
{
    z += 0x9E3779B97F4A7C15ULL;
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

} // namespace

double counterUniform(uint64_t seed, std::initializer_list<uint64_t> keys)
{
    uint64_t h = splitmix64(seed);
    for (uint64_t key : keys) h = splitmix64(h ^ key);
    return static_cast<double>(h >> 11) * 0x1.0p-53;
}

EvaluationResult evaluateNelbo(const Model& model, std::span<const int32_t> ids, const EvaluationOptions& options)
{
    const ModelConfig& config = model.config();
    const int32_t V = config.vocabSize;
    const int32_t L = config.contextLength;
    const int32_t blockSize = options.blockSize > 0 ? options.blockSize : config.blockSize;
    if (blockSize < 1 || blockSize > L)
        throw Error("block size " + std::to_string(blockSize) + " outside 1.." + std::to_string(L));
    if (options.passes < 1) throw Error("passes must be at least 1");
    if (!(options.tMin > 0.0 && options.tMin < 1.0)) throw Error("tMin must lie in (0, 1)");
    if (ids.empty()) throw Error("no tokens to evaluate");
    if (L < 2) throw Error("the model's context is too short to evaluate");
    for (int32_t id : ids)
        if (id < 0 || id >= V || id == config.maskId)
            throw Error("token id " + std::to_string(id) + " cannot be scored");

    const int64_t span = L - 1;
    const int64_t windows = (static_cast<int64_t>(ids.size()) + span - 1) / span;
    EvaluationResult result;
    result.blockSize = blockSize;
    result.passes = options.passes;
    result.windows = windows;
    result.tokens = static_cast<int64_t>(ids.size());

    Backend& backend = model.backend();
    const auto cache = backend.newCache(L);
    std::vector<int32_t> window, noisy, rows;
    std::vector<float> logits;
    const bool shifted = config.logits == LogitAlignment::NextPosition;
    std::vector<float> carried(shifted ? static_cast<size_t>(V) : 0);
    int64_t done = 0;
    for (int32_t pass = 0; pass < options.passes; ++pass) {
        double passNll = 0.0;
        for (int64_t w = 0; w < windows; ++w) {
            const int64_t begin = w * span;
            const int64_t end = std::min<int64_t>(begin + span, static_cast<int64_t>(ids.size()));
            window.assign(1, config.bosId);
            window.insert(window.end(), ids.begin() + begin, ids.begin() + end);
            const auto length = static_cast<int32_t>(window.size());
            cache->clear();
            const int32_t blocks = (length + blockSize - 1) / blockSize;
            for (int32_t b = 0; b < blocks; ++b) {
                const int32_t start = b * blockSize;
                const int32_t stop = std::min(start + blockSize, length);
                const double t = options.tMin + (1.0 - options.tMin) *
                    counterUniform(options.seed, {static_cast<uint64_t>(pass), static_cast<uint64_t>(w),
                                                  static_cast<uint64_t>(b), 0});
                noisy.assign(window.begin() + start, window.begin() + stop);
                rows.clear();
                for (int32_t i = start; i < stop; ++i) {
                    if (i == 0) continue;  // BOS: never masked, never scored
                    const bool masked = blockSize == 1 ||
                        counterUniform(options.seed, {static_cast<uint64_t>(pass), static_cast<uint64_t>(w),
                                                      static_cast<uint64_t>(b), 1, static_cast<uint64_t>(i)}) < t;
                    if (masked) {
                        noisy[static_cast<size_t>(i - start)] = config.maskId;
                        rows.push_back(i - start);
                    }
                }
                const std::span<const int32_t> clean(window.data() + start, static_cast<size_t>(stop - start));
                const double weight = blockSize == 1 ? 1.0 : 1.0 / t;
                auto score = [&](std::span<float> row, int32_t target) {
                    subsLogProbabilities(row, config.maskId, config.maskId);
                    passNll += -static_cast<double>(row[static_cast<size_t>(target)]) * weight;
                    if (options.keepTokenLogProbs) result.tokenLogProbs.push_back(row[static_cast<size_t>(target)]);
                };
                // A shifted model predicts position i from row i - 1: the
                // block's first position from the previous block's last row,
                // kept from the pass that stored that block.
                std::vector<int32_t> outputRows;
                for (const int32_t r : rows) {
                    if (!shifted) {
                        outputRows.push_back(r);
                    } else if (r > 0) {
                        outputRows.push_back(r - 1);
                    } else {
                        score(carried, clean.front());
                    }
                }
                if (!outputRows.empty()) {
                    logits.resize(outputRows.size() * static_cast<size_t>(V));
                    backend.forward({noisy, stop - start, 0, outputRows}, *cache, logits);
                    ++result.forwardPasses;
                    for (size_t r = 0; r < outputRows.size(); ++r)
                        score(std::span(logits).subspan(r * static_cast<size_t>(V), static_cast<size_t>(V)),
                              clean[static_cast<size_t>(outputRows[r] + (shifted ? 1 : 0))]);
                }
                if (b + 1 < blocks) {
                    const int32_t last = stop - start - 1;
                    backend.forward({clean, stop - start, stop - start, shifted ? std::span(&last, 1) : std::span<const int32_t>{}},
                                    *cache, shifted ? std::span(carried) : std::span<float>{});
                    ++result.forwardPasses;
                }
            }
            ++done;
            if (options.progress && !options.progress(done, windows * options.passes))
                throw Error("evaluation cancelled");
        }
        result.totalNll += passNll;
        result.passNelbo.push_back(passNll / static_cast<double>(result.tokens));
    }
    result.nelbo = result.totalNll / (static_cast<double>(result.tokens) * options.passes);
    result.perplexityBound = std::exp(result.nelbo);
    return result;
}

LogProbDrift logProbDrift(const EvaluationResult& result, const EvaluationResult& reference)
{
    if (result.tokenLogProbs.size() != reference.tokenLogProbs.size() || result.tokenLogProbs.empty())
        throw Error("the two evaluations scored different positions (" + std::to_string(result.tokenLogProbs.size()) +
                    " and " + std::to_string(reference.tokenLogProbs.size()) +
                    " tokens): evaluate both with the same text, options and keepTokenLogProbs");
    LogProbDrift drift;
    for (size_t i = 0; i < result.tokenLogProbs.size(); ++i) {
        const double delta = std::abs(static_cast<double>(result.tokenLogProbs[i]) - reference.tokenLogProbs[i]);
        drift.meanAbsolute += delta;
        drift.maxAbsolute = std::max(drift.maxAbsolute, delta);
    }
    drift.meanAbsolute /= static_cast<double>(result.tokenLogProbs.size());
    drift.nelboDelta = result.nelbo - reference.nelbo;
    return drift;
}

EvaluationResult evaluateNelboOfText(const Model& model, std::string_view text, const EvaluationOptions& options)
{
    const std::vector<int32_t> ids = model.tokenizer().encode(text);
    return evaluateNelbo(model, ids, options);
}

} // namespace bd3
