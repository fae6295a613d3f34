// Reading config.json values with errors that name the file, key and value;
// a bad value is quoted only briefly, however large or deep it is.
#pragma once

#include "json_document.hpp"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <string>

namespace bd3 {

int32_t readInt(const nlohmann::json& json, const std::string& key, const std::string& origin, int64_t minimum,
                int64_t maximum);
int32_t readOptionalInt(const nlohmann::json& json, const std::string& key, const std::string& origin,
                        int32_t fallback, int64_t minimum, int64_t maximum);
double readOptionalDouble(const nlohmann::json& json, const std::string& key, const std::string& origin,
                          double fallback, double minimum, double maximum);
bool readOptionalBool(const nlohmann::json& json, const std::string& key, const std::string& origin, bool fallback);
// The first entry when the value is a list of ids (eos_token_id may be one).
int32_t readOptionalId(const nlohmann::json& json, const std::string& key, const std::string& origin,
                       int32_t fallback, int32_t vocabSize);

} // namespace bd3
