#include "families/family_registry.hpp"

#include "bd3/error.hpp"
#include "families/config_reading.hpp"
#include "formats/quantized_blocks.hpp"

#include <array>

namespace bd3 {

namespace {

std::array<const FamilyEntry*, 3> families() { return {&ditFamily(), &qwen3Family(), &qwen2Family()}; }

std::string supportedTypes()
{
    std::string text;
    for (const FamilyEntry* family : families())
        for (std::string_view type : family->modelTypes) text += (text.empty() ? "\"" : ", \"") + std::string(type) + "\"";
    return text;
}

} // namespace

const FamilyEntry& familyForConfig(const nlohmann::json& json, const std::string& origin)
{
    if (json.contains("model_type")) {
        const auto& type = json["model_type"];
        if (!type.is_string())
            throw Error(origin + ": model_type is " + quoteJson(type) + "; expected one of " + supportedTypes());
        for (const FamilyEntry* family : families())
            for (std::string_view known : family->modelTypes)
                if (type.get<std::string>() == known) return *family;
        throw Error(origin + ": model_type " + quoteJson(type) + " is not a family this engine runs; expected one of " +
                    supportedTypes());
    }
    if (json.contains("architectures") && json["architectures"].is_array()) {
        for (const auto& architecture : json["architectures"])
            for (const FamilyEntry* family : families())
                for (std::string_view known : family->architectures)
                    if (architecture.is_string() && architecture.get<std::string>() == known) return *family;
    }
    // The published BD3-LM configs predate model_type.
    return ditFamily();
}

const FamilyEntry& familyNamed(std::string_view name)
{
    for (const FamilyEntry* family : families())
        if (family->name == name) return *family;
    throw Error("internal: no model family named " + std::string(name));
}

StoredTensor readMatrix(ModelWeights& weights, const std::string& name, WeightPrecision precision)
{
    StoredTensor tensor = weights.read(name);
    // Quantized weights stay quantized: they are already smaller than bf16.
    return precision == WeightPrecision::BFloat16 && !isQuantized(tensor.dtype) ? tensor.toBf16() : tensor;
}

uint64_t heldWeightBytes(const ModelWeights& weights, const std::vector<ExpectedTensor>& matrices,
                         WeightPrecision precision)
{
    uint64_t held = 0, stored = 0, largest = 0;
    for (const ExpectedTensor& m : matrices) {
        const TensorInfo& info = weights.info(m.name);
        held += precision == WeightPrecision::BFloat16 && !isQuantized(info.dtype) ? static_cast<uint64_t>(info.elements()) * 2
                                                                                   : info.bytes;
        stored += info.bytes;
        largest = std::max<uint64_t>(largest, info.bytes);
    }
    // The small tensors as fp32 (at most twice their stored size), and one
    // matrix as read while its converted copy is made.
    return held + 2 * (weights.expectedBytes() - stored) + largest;
}

} // namespace bd3
