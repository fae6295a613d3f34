#include "formats/model_weights.hpp"

#include "bd3/error.hpp"
#include "json_document.hpp"
#include "formats/quantized_blocks.hpp"
#include "memory_budget.hpp"

#include <algorithm>
#include <cctype>
#include <cstring>

#include <cmath>
#include <set>

namespace bd3 {

namespace {

// A shard's name must stay inside the folder: a plain file name.
bool isPlainFileName(const std::string& name)
{
    return !name.empty() && name.find('/') == std::string::npos && name != "." && name != ".." &&
           name.find('\0') == std::string::npos;
}

bool isFinite(const StoredTensor& tensor)
{
    if (isQuantized(tensor.dtype)) {
        // Only the half scales can be NaN or infinite: the first two bytes of each block.
        const size_t block = blockBytes(tensor.dtype);
        for (size_t at = 0; at + block <= tensor.bytes.size(); at += block) {
            uint16_t scale = 0;
            std::memcpy(&scale, tensor.bytes.data() + at, 2);
            if ((scale & 0x7C00U) == 0x7C00U) return false;
        }
        return true;
    }
    const size_t n = static_cast<size_t>(tensor.elements());
    if (tensor.dtype == DType::F32) {
        for (size_t i = 0; i < n; ++i)
            if (!std::isfinite(tensor.at(i))) return false;
        return true;
    }
    // A 16-bit value is NaN or infinite when its exponent bits are all set.
    const uint16_t exponent = tensor.dtype == DType::F16 ? 0x7C00U : 0x7F80U;
    const auto* bits = reinterpret_cast<const uint16_t*>(tensor.bytes.data());
    for (size_t i = 0; i < n; ++i)
        if ((bits[i] & exponent) == exponent) return false;
    return true;
}

} // namespace

ModelWeights::ModelWeights(const std::filesystem::path& folder)
{
    const auto indexPath = folder / "model.safetensors.index.json";
    std::error_code ec;
    if (!std::filesystem::exists(indexPath, ec)) {
        m_origin = (folder / "model.safetensors").string();
        m_files.push_back(std::make_unique<SafetensorsFile>(folder / "model.safetensors"));
        for (const auto& [name, info] : m_files.front()->tensors()) m_tensors[name] = {m_files.front().get(), info};
        return;
    }
    m_origin = indexPath.string();
    const nlohmann::json index = parseJsonDocument(readInputFile(indexPath, kMaxSettingsFileBytes), m_origin, kMaxSettingsFileBytes);
    if (!index.is_object() || !index.contains("weight_map") || !index["weight_map"].is_object())
        throw Error(m_origin + ": no \"weight_map\" object naming the shard of each tensor");
    std::map<std::string, std::string> shardOf;
    std::set<std::string> shards;
    for (const auto& [tensor, shard] : index["weight_map"].items()) {
        if (!shard.is_string() || !isPlainFileName(shard.get<std::string>()))
            throw Error(m_origin + ": tensor '" + tensor + "' maps to " + quoteJson(shard) +
                        ", not a file name in the folder");
        shardOf[tensor] = shard.get<std::string>();
        shards.insert(shard.get<std::string>());
    }
    if (shards.empty()) throw Error(m_origin + ": the weight map names no shards");
    for (const std::string& shard : shards) {
        const auto path = folder / shard;
        if (!std::filesystem::exists(path, ec))
            throw Error(m_origin + ": names the shard " + shard + ", which is not in the folder");
        m_files.push_back(std::make_unique<SafetensorsFile>(path));
        const SafetensorsFile* file = m_files.back().get();
        for (const auto& [name, info] : file->tensors()) {
            const auto listed = shardOf.find(name);
            if (listed == shardOf.end())
                throw Error(path.string() + ": holds tensor '" + name + "', which the index does not list");
            if (listed->second != shard)
                throw Error(path.string() + ": holds tensor '" + name + "', which the index places in " +
                            listed->second);
            if (!m_tensors.emplace(name, Located{file, info}).second)
                throw Error(m_origin + ": tensor '" + name + "' is in two shards");
        }
    }
    for (const auto& [tensor, shard] : shardOf)
        if (m_tensors.count(tensor) == 0)
            throw Error(m_origin + ": lists tensor '" + tensor + "' in " + shard + ", which does not hold it");
}

ModelWeights::~ModelWeights() = default;

void ModelWeights::expect(const std::vector<ExpectedTensor>& expected,
                          const std::function<bool(const std::string&, const TensorInfo&)>& optional,
                          const std::string& family)
{
    std::set<std::string> used;
    m_expectedBytes = 0;
    for (const ExpectedTensor& want : expected) {
        const auto found = m_tensors.find(want.name);
        if (found == m_tensors.end())
            throw Error(m_origin + ": missing tensor '" + want.name + "' of shape " + shapeText(want.shape) +
                        " (is this a " + family + " checkpoint of the shape config.json gives?)");
        const TensorInfo& info = found->second.info;
        if (info.shape != want.shape)
            throw Error(m_origin + ": tensor '" + want.name + "' has shape " + shapeText(info.shape) +
                        "; config.json implies " + shapeText(want.shape));
        used.insert(want.name);
        m_expectedBytes += info.bytes;
        m_expectedTypes.insert(info.dtype);
    }
    for (const auto& [name, located] : m_tensors) {
        if (used.count(name) == 0 && !(optional && optional(name, located.info)))
            throw Error(m_origin + ": unexpected tensor '" + name + "' of shape " + shapeText(located.info.shape) +
                        " (the network does not use it; was the checkpoint saved from another model?)");
    }
}

void ModelWeights::requireMemory(uint64_t bytesNeeded) const
{
    requireAvailableMemory(bytesNeeded, m_origin + ": this model (" + memorySizeText(m_expectedBytes) + " of weights)");
}

const TensorInfo& ModelWeights::info(const std::string& name) const
{
    const auto found = m_tensors.find(name);
    if (found == m_tensors.end()) throw Error("internal: tensor '" + name + "' was not expected");
    return found->second.info;
}

std::vector<std::string> ModelWeights::tensorNames() const
{
    std::vector<std::string> names;
    names.reserve(m_tensors.size());
    for (const auto& [name, located] : m_tensors) names.push_back(name);
    return names;
}

StoredTensor ModelWeights::read(const std::string& name)
{
    const auto found = m_tensors.find(name);
    if (found == m_tensors.end()) throw Error("internal: tensor '" + name + "' was not expected");
    StoredTensor tensor = found->second.file->read(found->second.info);
    if (!isFinite(tensor))
        throw Error(found->second.file->path().string() + ": tensor '" + name + "' holds NaN or infinity");
    m_readBytes += found->second.info.bytes;
    m_parameters += tensor.elements();
    if (m_progress && m_expectedBytes > 0 &&
        !m_progress(static_cast<double>(m_readBytes) / static_cast<double>(m_expectedBytes)))
        throw Error("loading cancelled");
    return tensor;
}

bool ModelWeights::quantized() const { return std::any_of(m_expectedTypes.begin(), m_expectedTypes.end(), isQuantized); }

std::string ModelWeights::storedTypeName() const
{
    // A quantized model keeps its small vectors (norms, biases) in a float
    // type; its matrices' type is the one that tells it apart.
    std::set<DType> types = m_expectedTypes;
    if (quantized()) std::erase_if(types, [](DType t) { return !isQuantized(t); });
    if (types.size() != 1) return "mixed";
    std::string name(dtypeName(*types.begin()));
    std::transform(name.begin(), name.end(), name.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return name;
}

std::vector<float> ModelWeights::readFloats(const std::string& name) { return read(name).toFloat(); }

} // namespace bd3
