// The knobs of block diffusion sampling: reveal schedules, samplers and the
// parameters a person may change between blocks.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace bd3 {

// Names are written into traces and settings: never rename or reorder.
enum class ScheduleKind { LogLinear, Cosine, Square, SquareRoot, Log, Clipped };
// LowConfidenceStatic, LowConfidenceDynamic and Sequential are SDAR's
// remasking strategies; Threshold is Fast-dLLM v2's (over sub-blocks when
// subBlockSize is set).
enum class SamplerKind { Ddpm, FirstHitting, TopKConfidence, Threshold, LowConfidenceStatic, LowConfidenceDynamic,
                         Sequential };
enum class ConfidenceMeasure { Probability, NegativeEntropy, Margin };

std::string_view scheduleName(ScheduleKind kind);
std::string_view samplerName(SamplerKind kind);
std::string_view confidenceName(ConfidenceMeasure measure);
std::optional<ScheduleKind> scheduleFromName(std::string_view name);
std::optional<SamplerKind> samplerFromName(std::string_view name);
std::optional<ConfidenceMeasure> confidenceFromName(std::string_view name);

// m(t): the expected fraction of a block still masked at diffusion time t,
// with m(1) = 1 (all masked) and m(0) = 0 (all revealed).
struct Schedule {
    ScheduleKind kind = ScheduleKind::LogLinear;
    // Clipped only: between its first and last step the masked fraction falls
    // linearly from omega to beta, the noise levels the model trained on.
    double beta = 0.3;
    double omega = 0.8;

    double maskedFraction(double t) const;
};

// More denoising steps than this per block do no good (a block of 4096
// tokens is revealed one at a time in 4096) and would let a typo spin for
// minutes without a forward pass.
inline constexpr int32_t kMaxStepsPerBlock = 4096;

// Everything that may change while a generation runs; read at each block start.
struct SamplingParams {
    int32_t blockSize = 4;        // tokens per block: 1 is autoregressive
    int32_t steps = 4;            // denoising steps per block (first-hitting takes one per token)
    Schedule schedule;
    SamplerKind sampler = SamplerKind::Ddpm;
    ConfidenceMeasure confidence = ConfidenceMeasure::Probability;  // top-k and threshold
    double threshold = 0.9;       // threshold and low-confidence-dynamic: reveal when confidence passes this
    int32_t subBlockSize = 0;     // threshold: decode the block in sub-blocks of this size, in turn; 0: whole block
    double temperature = 1.0;     // >= 0; 0 is greedy (the most probable token, always)
    int32_t topK = 0;             // keep the k most probable tokens before the nucleus; 0: all
    double topP = 1.0;            // nucleus mass in (0, 1]
    int32_t topAlternatives = 0;  // alternatives reported per revealed token

    // Throws bd3::Error naming the first nonsensical value.
    void validate() const;
};

struct ModelConfig;

// The sampling a model's own code uses by default, with what its
// generation_config.json sets: SDAR's low-confidence-dynamic decoding at
// threshold 0.85 and one step per token of its block; Fast-dLLM v2's
// threshold 0.9 over sub-blocks, greedy unless the file says otherwise; the
// BD3-LM DiT keeps the project's defaults.
SamplingParams samplingDefaults(const ModelConfig& config);

// Settings fixed for one generation.
struct GenerationOptions {
    uint64_t seed = 0;
    int32_t maxNewTokens = 256;
    bool stopAtEos = true;
    bool entropyStop = false;  // stop when the last 256 tokens' unigram entropy < 4 nats
    // A prompt longer than the context is an error unless this is set; then
    // only its latest tokens are kept, leaving room for the first block.
    bool keepPromptTail = false;
    // The prompt is text the program composed, such as a rendered chat
    // template: the special tokens written in it (<|im_start|>) become their
    // ids. Never set for what a person typed.
    bool promptHasSpecialTokens = false;

    void validate() const;
};

} // namespace bd3
