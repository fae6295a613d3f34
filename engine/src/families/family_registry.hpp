// The model families the engine runs, chosen from config.json by
// model_type (or, without one, by architectures).
#pragma once

#include "families/network.hpp"

#include <nlohmann/json.hpp>

#include <string>
#include <string_view>
#include <vector>

namespace bd3 {

struct FamilyEntry {
    std::string_view name;  // ModelConfig::familyName
    std::vector<std::string_view> modelTypes;
    std::vector<std::string_view> architectures;
    // Fills every field of config from config.json's object.
    void (*readConfig)(const nlohmann::json& json, const std::string& origin, ModelConfig& config);
    NetworkFactory makeNetwork;
};

// Throws bd3::Error naming the model_type and the supported ones.
const FamilyEntry& familyForConfig(const nlohmann::json& json, const std::string& origin);
const FamilyEntry& familyNamed(std::string_view name);

// The families, each defined in its own file.
const FamilyEntry& ditFamily();
const FamilyEntry& qwen3Family();
const FamilyEntry& qwen2Family();

} // namespace bd3
