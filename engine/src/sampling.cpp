#include "bd3/sampling.hpp"

#include "bd3/error.hpp"
#include "bd3/model_config.hpp"

#include <array>
#include <cmath>
#include <numbers>
#include <string>
#include <utility>

namespace bd3 {

namespace {

constexpr std::array<std::pair<ScheduleKind, std::string_view>, 6> scheduleNames{{
    {ScheduleKind::LogLinear, "loglinear"},
    {ScheduleKind::Cosine, "cosine"},
    {ScheduleKind::Square, "square"},
    {ScheduleKind::SquareRoot, "sqrt"},
    {ScheduleKind::Log, "log"},
    {ScheduleKind::Clipped, "clipped"},
}};
constexpr std::array<std::pair<SamplerKind, std::string_view>, 7> samplerNames{{
    {SamplerKind::Ddpm, "ddpm"},
    {SamplerKind::FirstHitting, "first-hitting"},
    {SamplerKind::TopKConfidence, "top-k"},
    {SamplerKind::Threshold, "threshold"},
    {SamplerKind::LowConfidenceStatic, "low-confidence-static"},
    {SamplerKind::LowConfidenceDynamic, "low-confidence-dynamic"},
    {SamplerKind::Sequential, "sequential"},
}};
constexpr std::array<std::pair<ConfidenceMeasure, std::string_view>, 3> confidenceNames{{
    {ConfidenceMeasure::Probability, "probability"},
    {ConfidenceMeasure::NegativeEntropy, "entropy"},
    {ConfidenceMeasure::Margin, "margin"},
}};

template <typename Enum, size_t N>
std::string_view nameOf(const std::array<std::pair<Enum, std::string_view>, N>& table, Enum value)
{
    for (const auto& [v, name] : table) {
        if (v == value) return name;
    }
    return "?";
}

template <typename Enum, size_t N>
std::optional<Enum> valueOf(const std::array<std::pair<Enum, std::string_view>, N>& table, std::string_view name)
{
    for (const auto& [v, n] : table) {
        if (n == name) return v;
    }
    return std::nullopt;
}

} // namespace

std::string_view scheduleName(ScheduleKind kind) { return nameOf(scheduleNames, kind); }
std::string_view samplerName(SamplerKind kind) { return nameOf(samplerNames, kind); }
std::string_view confidenceName(ConfidenceMeasure measure) { return nameOf(confidenceNames, measure); }
std::optional<ScheduleKind> scheduleFromName(std::string_view name) { return valueOf(scheduleNames, name); }
std::optional<SamplerKind> samplerFromName(std::string_view name) { return valueOf(samplerNames, name); }
std::optional<ConfidenceMeasure> confidenceFromName(std::string_view name) { return valueOf(confidenceNames, name); }

double Schedule::maskedFraction(double t) const
{
    if (t >= 1.0) return 1.0;
    if (t <= 0.0) return 0.0;
    switch (kind) {
    case ScheduleKind::LogLinear: return t;
    case ScheduleKind::Cosine: return 1.0 - std::cos(std::numbers::pi / 2.0 * t);
    case ScheduleKind::Square: return t * t;
    case ScheduleKind::SquareRoot: return std::sqrt(t);
    case ScheduleKind::Log: return std::log1p(t) / std::numbers::ln2;
    case ScheduleKind::Clipped: return beta + (omega - beta) * t;
    }
    return t;
}

void SamplingParams::validate() const
{
    auto fail = [](const std::string& what) { throw Error("invalid sampling parameter: " + what); };
    if (blockSize < 1) fail("block size must be at least 1, not " + std::to_string(blockSize));
    if (steps < 1 || steps > kMaxStepsPerBlock)
        fail("steps per block must lie in [1, " + std::to_string(kMaxStepsPerBlock) + "], not " + std::to_string(steps));
    if (!(temperature >= 0.0) || !std::isfinite(temperature))
        fail("temperature must be 0 (greedy) or a positive number, not " + std::to_string(temperature));
    if (topK < 0) fail("top-k must be 0 (off) or a count of tokens, not " + std::to_string(topK));
    if (subBlockSize < 0) fail("the sub-block size must be 0 (off) or positive, not " + std::to_string(subBlockSize));
    if (!(topP > 0.0 && topP <= 1.0)) fail("top-p must lie in (0, 1], not " + std::to_string(topP));
    if (!(threshold >= 0.0 && threshold <= 1.0))
        fail("threshold must lie in [0, 1], not " + std::to_string(threshold));
    if (schedule.kind == ScheduleKind::Clipped &&
        !(schedule.beta >= 0.0 && schedule.beta <= schedule.omega && schedule.omega <= 1.0))
        fail("the clipped schedule needs 0 <= beta <= omega <= 1, not beta " + std::to_string(schedule.beta) +
             " and omega " + std::to_string(schedule.omega));
    if (topAlternatives < 0 || topAlternatives > 64)
        fail("top alternatives must lie in [0, 64], not " + std::to_string(topAlternatives));
}

void GenerationOptions::validate() const
{
    if (maxNewTokens < 1)
        throw Error("invalid generation option: the token limit must be at least 1, not " +
                    std::to_string(maxNewTokens));
}

SamplingParams samplingDefaults(const ModelConfig& config)
{
    SamplingParams params;
    const DecoderConfig* decoder = config.decoder();
    if (decoder == nullptr) return params;
    params.blockSize = config.blockSize;
    params.steps = config.blockSize;
    params.confidence = ConfidenceMeasure::Probability;
    if (decoder->subBlockSize > 0) {
        params.sampler = SamplerKind::Threshold;
        params.threshold = 0.9;
        params.subBlockSize = decoder->subBlockSize;
        params.temperature = 0.0;
    } else {
        params.sampler = SamplerKind::LowConfidenceDynamic;
        params.threshold = 0.85;
    }
    if (config.defaults.temperature) params.temperature = *config.defaults.temperature;
    if (config.defaults.topK) params.topK = *config.defaults.topK;
    if (config.defaults.topP) params.topP = *config.defaults.topP;
    return params;
}

} // namespace bd3
