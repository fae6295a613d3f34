// The weights of a Hugging Face model folder: model.safetensors, or
// model.safetensors.index.json naming the shards that hold each tensor. A
// family states the tensors it expects; every one is checked by name and
// shape, unknown ones are refused, and the memory they will take is checked
// before any data is read. Tensors are then read one at a time, in their
// stored type.
#pragma once

#include "formats/safetensors.hpp"

#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

namespace bd3 {

struct ExpectedTensor {
    std::string name;
    std::vector<int64_t> shape;
};

class ModelWeights {
public:
    // Opens model.safetensors.index.json and its shards when the index is
    // there, else model.safetensors; every header is validated.
    explicit ModelWeights(const std::filesystem::path& folder);
    ~ModelWeights();
    ModelWeights(const ModelWeights&) = delete;
    ModelWeights& operator=(const ModelWeights&) = delete;

    // Checks the files hold exactly the expected tensors (optional ones
    // aside) with their shapes; `family` names the network in the messages.
    // Then that bytesNeeded fit in the memory available.
    void expect(const std::vector<ExpectedTensor>& expected,
                const std::function<bool(const std::string& name, const TensorInfo&)>& optional,
                const std::string& family);
    void requireMemory(uint64_t bytesNeeded) const;

    const TensorInfo& info(const std::string& name) const;
    // Every tensor the files hold, by name.
    std::vector<std::string> tensorNames() const;
    // Reads one expected tensor; a NaN or infinity in it is an error.
    StoredTensor read(const std::string& name);
    std::vector<float> readFloats(const std::string& name);

    // The stored type of the expected tensors: "f32", "f16", "bf16", or
    // "mixed"; or for a quantized model its matrices' "q8_0" or "q4_0".
    std::string storedTypeName() const;
    // Whether any expected tensor is block-quantized.
    bool quantized() const;
    // The bytes of the expected tensors as stored.
    uint64_t expectedBytes() const { return m_expectedBytes; }
    int64_t parameterCount() const { return m_parameters; }
    // Called after each tensor is read with the fraction of bytes read; a
    // false return cancels the load.
    void setProgress(std::function<bool(double)> progress) { m_progress = std::move(progress); }
    // "DIR/model.safetensors" or "DIR/model.safetensors.index.json".
    const std::string& origin() const { return m_origin; }

private:
    struct Located {
        const SafetensorsFile* file = nullptr;
        TensorInfo info;
    };
    std::string m_origin;
    std::vector<std::unique_ptr<SafetensorsFile>> m_files;
    std::map<std::string, Located> m_tensors;
    uint64_t m_expectedBytes = 0;
    std::set<DType> m_expectedTypes;
    uint64_t m_readBytes = 0;
    int64_t m_parameters = 0;
    std::function<bool(double)> m_progress;
};

} // namespace bd3
