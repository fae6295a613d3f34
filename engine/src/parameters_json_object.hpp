// The sampling-parameters codec over nlohmann::json, for readers and writers
// inside the engine that hold the object within a larger document (a trace).
#pragma once

#include "bd3/sampling.hpp"
#include "json_fields.hpp"

#include <nlohmann/json.hpp>

#include <string>

namespace bd3 {

nlohmann::json samplingParamsObject(const SamplingParams& params);
// object is the value at path; errors go through fields.
SamplingParams samplingParamsFromObject(const nlohmann::json& object, const JsonFields& fields,
                                        const std::string& path);

} // namespace bd3
