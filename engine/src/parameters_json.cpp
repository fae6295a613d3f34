#include "bd3/parameters_json.hpp"

#include "bd3/error.hpp"
#include "json_document.hpp"
#include "parameters_json_object.hpp"

#include <optional>

namespace bd3 {

namespace {

// A key that files written before it lack.
int32_t optionalInt32(const nlohmann::json& object, const JsonFields& fields, const std::string& path, const char* key,
                      int32_t fallback)
{
    return object.contains(key) ? fields.int32(object, path, key) : fallback;
}

} // namespace

nlohmann::json samplingParamsObject(const SamplingParams& p)
{
    return {
        {"block_size", p.blockSize},
        {"steps", p.steps},
        {"schedule", scheduleName(p.schedule.kind)},
        {"beta", p.schedule.beta},
        {"omega", p.schedule.omega},
        {"sampler", samplerName(p.sampler)},
        {"confidence", confidenceName(p.confidence)},
        {"threshold", p.threshold},
        {"sub_block_size", p.subBlockSize},
        {"temperature", p.temperature},
        {"top_k", p.topK},
        {"top_p", p.topP},
        {"top_alternatives", p.topAlternatives},
    };
}

SamplingParams samplingParamsFromObject(const nlohmann::json& p, const JsonFields& fields, const std::string& path)
{
    if (!p.is_object()) fields.fail(path, "expected an object, found " + JsonFields::kindOf(p));
    const SamplingParams defaults;
    SamplingParams params;
    params.blockSize = fields.int32(p, path, "block_size", 1);
    params.steps = fields.int32(p, path, "steps", 1);
    params.schedule.kind = fields.named(p, path, "schedule", scheduleFromName);
    params.schedule.beta = fields.number(p, path, "beta");
    params.schedule.omega = fields.number(p, path, "omega");
    params.sampler = fields.named(p, path, "sampler", samplerFromName);
    params.confidence = fields.named(p, path, "confidence", confidenceFromName);
    params.threshold = fields.number(p, path, "threshold");
    params.subBlockSize = optionalInt32(p, fields, path, "sub_block_size", defaults.subBlockSize);
    params.temperature = fields.number(p, path, "temperature");
    params.topK = optionalInt32(p, fields, path, "top_k", defaults.topK);
    params.topP = fields.number(p, path, "top_p");
    params.topAlternatives = optionalInt32(p, fields, path, "top_alternatives", defaults.topAlternatives);
    try {
        params.validate();
    } catch (const Error& error) {
        fields.fail(path, error.what());
    }
    return params;
}

std::string samplingParamsJson(const SamplingParams& params) { return samplingParamsObject(params).dump(); }

SamplingParams parseSamplingParams(std::string_view text, const std::string& origin)
{
    return samplingParamsFromObject(parseJsonDocument(text, origin, kMaxSettingsFileBytes), JsonFields(origin),
                                    "parameters");
}

} // namespace bd3
