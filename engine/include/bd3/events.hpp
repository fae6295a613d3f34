// The step-level record of a generation, designed for a GUI and for traces.
#pragma once

#include "bd3/sampling.hpp"

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace bd3 {

struct Alternative {
    int32_t token = 0;
    float probability = 0.0F;
};

struct Reveal {
    int32_t offset = 0;        // position inside the block
    int32_t token = 0;
    float probability = 0.0F;  // of the chosen token under the sampling distribution
    float entropy = 0.0F;      // of the sampling distribution at this position, in nats
    std::vector<Alternative> alternatives;  // most probable first, if requested
};

struct BlockStarted {
    int32_t block = 0;          // 0-based index of generated blocks
    int64_t startPosition = 0;  // absolute position of the block's first token
    int32_t length = 0;         // tokens in the block
    int32_t cleanPrefix = 0;    // leading tokens already known (a prompt's partial block)
    std::vector<int32_t> tokens;  // the block as it starts: prefix then [MASK]s
    SamplingParams params;
};

struct StepDone {
    int32_t block = 0;
    int32_t step = 0;           // 0-based
    std::vector<Reveal> reveals;
    bool forwardRan = false;    // false when the previous output was reused
    int32_t maskedRemaining = 0;
    double expectedMasked = 0.0;  // what the schedule asked to remain after this step
    double forwardMs = 0.0;
    // A shifted model's block starts with this step: its first token alone,
    // drawn from the previous block's last row as that block is stored.
    bool fromPreviousBlock = false;
};

struct BlockCommitted {
    int32_t block = 0;
    std::vector<int32_t> tokens;  // the whole block, clean prefix included
    // The text each generated token completed, in whole UTF-8 characters (a
    // token holding only part of a character has an empty text and the token
    // completing it carries the character); one entry per token after the
    // clean prefix, empty after an end-of-sequence token.
    std::vector<std::string> tokenTexts;
    std::string text;  // their concatenation
    int32_t nfe = 0;              // denoising forward passes in this block
    double milliseconds = 0.0;    // denoising and cache update
};

enum class StopReason { TokenLimit, EndOfSequence, Cancelled, LowEntropy };
std::string_view stopReasonName(StopReason reason);

struct GenerationFinished {
    StopReason reason = StopReason::TokenLimit;
    int32_t promptTokens = 0;   // BOS included
    int32_t newTokens = 0;
    int32_t blocks = 0;
    int32_t nfe = 0;            // denoising forward passes, cache updates excluded
    // Passes made only to store keys and values (the prompt, a sliding
    // window); a finished block's are stored by the next block's first pass.
    int32_t cacheForwards = 0;
    double seconds = 0.0;
    std::string text;           // all generated text, decoded at once
};

// Called on the generating thread, in order. Keep the work short: a GUI
// forwards each event through a queued signal.
class GenerationObserver {
public:
    virtual ~GenerationObserver() = default;
    virtual void blockStarted(const BlockStarted&) {}
    virtual void stepDone(const StepDone&) {}
    virtual void blockCommitted(const BlockCommitted&) {}
    virtual void finished(const GenerationFinished&) {}
};

} // namespace bd3
