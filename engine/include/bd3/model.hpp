// A loaded BD3-LM: configuration, tokenizer and weights on a compute backend.
#pragma once

#include "bd3/chat.hpp"
#include "bd3/model_config.hpp"
#include "bd3/tokenizer.hpp"

#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace bd3 {

class Backend;

enum class Device { Cpu, Cuda };
std::string_view deviceName(Device device);

// How the large weight matrices are held for compute. Float32 keeps every
// tensor in the type the checkpoint stores (f32, f16 or bf16); BFloat16
// rounds the f32 and f16 ones to bf16 at load, halving the bytes an f32
// checkpoint's passes read (products still accumulate in fp32), so results
// match a bf16 checkpoint.
enum class WeightPrecision { Float32, BFloat16 };

struct LoadOptions {
    Device device = Device::Cpu;
    WeightPrecision precision = WeightPrecision::Float32;
    // Threads of the CPU backend (the caller's included); 0: one per core.
    unsigned threads = 0;
    // Called with the fraction of weight bytes read so far; return false to abort
    // the load (it then throws bd3::Error "loading cancelled").
    std::function<bool(double fraction)> progress;
};

class Model {
public:
    // Reads config.json, model.safetensors and the tokenizer files of a
    // Hugging Face style folder. Every problem is a bd3::Error naming the file,
    // tensor or key at fault.
    static std::unique_ptr<Model> load(const std::filesystem::path& folder,
                                       const LoadOptions& options = {});
    ~Model();
    Model(const Model&) = delete;
    Model& operator=(const Model&) = delete;

    const std::filesystem::path& folder() const { return m_folder; }
    const ModelConfig& config() const { return m_config; }
    const Tokenizer& tokenizer() const { return *m_tokenizer; }
    Backend& backend() const { return *m_backend; }
    // The device the model runs on; the CPU when CUDA was asked for but no
    // GPU could run it, and then deviceNote() says why.
    Device device() const { return m_device; }
    const std::string& deviceNote() const { return m_deviceNote; }
    int64_t parameterCount() const { return m_parameterCount; }
    // The folder's chat template; null when it has none or it cannot be used,
    // and then chatTemplateProblem() says why (the model still continues text).
    const ChatTemplate* chatTemplate() const { return m_chatTemplate ? &*m_chatTemplate : nullptr; }
    const std::string& chatTemplateProblem() const { return m_chatTemplateProblem; }
    // What loading noticed and settled without failing (a mask token the
    // tokenizer files name differently from config.json, ...).
    const std::vector<std::string>& notes() const { return m_notes; }
    // Bytes of the weights as held for compute.
    int64_t weightBytes() const;
    // CPU threads its passes run on (LoadOptions::threads, or one per core).
    unsigned threads() const;
    // Their type as held: "f32", "f16", "bf16" or "mixed".
    const std::string& weightType() const { return m_weightType; }

    // Log-probabilities (SUBS parameterisation) of every position of a whole
    // sequence under the block-causal mask: row-major [tokens.size(), vocab].
    // Positions holding [MASK] get the model's distribution; the others are
    // forced to their own token.
    std::vector<float> logProbs(std::span<const int32_t> tokens, int32_t blockSize) const;

private:
    Model() = default;
    std::filesystem::path m_folder;
    ModelConfig m_config;
    std::unique_ptr<Tokenizer> m_tokenizer;
    std::unique_ptr<Backend> m_backend;
    Device m_device = Device::Cpu;
    std::string m_deviceNote;
    int64_t m_parameterCount = 0;
    std::string m_weightType;
    std::optional<ChatTemplate> m_chatTemplate;
    std::string m_chatTemplateProblem;
    std::vector<std::string> m_notes;
};

} // namespace bd3
