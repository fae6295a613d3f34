// The NELBO perplexity bound of a text under a BD3-LM (reference section 6).
//
// The token ids are cut into windows of [BOS] + (context - 1) ids. In each window,
// block b (positions [b L', (b + 1) L')) draws one t from U(1e-3, 1); each of its
// positions but BOS is masked with probability t; the masked positions are scored
// against the clean earlier blocks held in the KvCache, weighted 1/t. At block size
// 1 every token is masked with weight 1: the exact autoregressive likelihood. The
// random numbers come from a counter-based generator (splitmix64 over seed, pass,
// window, block, and position), the same as tools/bd3lm/objective.py uses, so the
// PyTorch evaluation draws the same masks and agrees to float rounding.
#pragma once

#include "bd3/model.hpp"

#include <cstdint>
#include <functional>
#include <initializer_list>
#include <span>
#include <string_view>
#include <vector>

namespace bd3 {

struct EvaluationOptions {
    int32_t blockSize = 0;   // 0: the model's configured block size
    uint64_t seed = 0;
    int32_t passes = 1;      // independent noise draws, averaged
    double tMin = 1e-3;      // t ~ U(tMin, 1)
    // Keep the log-probability of every scored token (EvaluationResult::
    // tokenLogProbs): two models evaluated with the same seed score the same
    // masked positions, so these compare token for token.
    bool keepTokenLogProbs = false;
    // Called after every window with (windows done, windows in all passes);
    // return false to stop (then evaluateNelbo throws bd3::Error "evaluation cancelled").
    std::function<bool(int64_t done, int64_t total)> progress;
};

struct EvaluationResult {
    int32_t blockSize = 0;
    int32_t passes = 0;
    int64_t windows = 0;         // per pass
    int64_t tokens = 0;          // scored tokens per pass (every id; BOS never)
    double totalNll = 0.0;       // summed over passes, nats
    double nelbo = 0.0;          // nats per token, the mean over passes
    double perplexityBound = 0.0;  // exp(nelbo)
    std::vector<double> passNelbo;  // nats per token of each pass
    int64_t forwardPasses = 0;
    std::vector<float> tokenLogProbs;  // with keepTokenLogProbs, in scoring order
};

// How far a model's scores drift from a reference's on the same masked
// positions (both evaluated with keepTokenLogProbs and the same options).
struct LogProbDrift {
    double meanAbsolute = 0.0;  // mean |log p - log p_ref|, nats
    double maxAbsolute = 0.0;
    double nelboDelta = 0.0;    // NELBO - NELBO_ref, nats per token
};
LogProbDrift logProbDrift(const EvaluationResult& result, const EvaluationResult& reference);

// ids: the text's token ids without BOS (the evaluator adds it to every window).
EvaluationResult evaluateNelbo(const Model& model, std::span<const int32_t> ids,
                               const EvaluationOptions& options = {});
// Tokenizes the UTF-8 text with the model's tokenizer, then evaluateNelbo.
EvaluationResult evaluateNelboOfText(const Model& model, std::string_view text,
                                     const EvaluationOptions& options = {});

// The counter-based uniform in [0, 1): h = splitmix64(seed), then
// h = splitmix64(h ^ key) for each key; (h >> 11) * 2^-53.
double counterUniform(uint64_t seed, std::initializer_list<uint64_t> keys);

} // namespace bd3
