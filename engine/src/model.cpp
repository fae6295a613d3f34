#include "bd3/model.hpp"

#include "backend.hpp"
#include "backend_registry.hpp"
#include "bd3/error.hpp"
#include "formats/model_weights.hpp"
#include "samplers/subs_output.hpp"
#include "tokenizers/special_tokens.hpp"

#include <numeric>

namespace bd3 {

std::string_view deviceName(Device device)
{
    return device == Device::Cuda ? "cuda" : "cpu";
}

std::unique_ptr<Model> Model::load(const std::filesystem::path& folder, const LoadOptions& options)
{
    std::error_code ec;
    if (!std::filesystem::is_directory(folder, ec))
        throw Error(folder.string() + ": not a model folder (it should hold config.json, model.safetensors and "
                                      "the tokenizer files)");
    std::unique_ptr<Model> model(new Model);
    model->m_folder = folder;
    model->m_config = ModelConfig::fromFolder(folder);
    model->m_tokenizer = loadTokenizer(folder);
    const ModelConfig& config = model->m_config;
    if (model->m_tokenizer->size() > config.vocabSize)
        throw Error(folder.string() + ": the tokenizer has " + std::to_string(model->m_tokenizer->size()) +
                    " entries but config.json's vocab_size is only " + std::to_string(config.vocabSize));
    model->m_notes = reconcileSpecialTokens(readNamedSpecialTokens(folder), *model->m_tokenizer, model->m_config);
    try {
        model->m_chatTemplate = ChatTemplate::fromFolder(folder);
    } catch (const Error& error) {
        model->m_chatTemplateProblem = error.what();
    }

    ModelWeights weights(folder);
    weights.setProgress(options.progress);
    const BackendEntry* entry = backendFor(options.device);
    // A machine without a usable GPU runs the model on the CPU and says why;
    // too little GPU memory is an error, since the CPU may then be the wrong
    // choice for a model this size.
    const std::string unavailable = entry == nullptr ? "no usable CUDA device: this build has no CUDA backend"
                                                     : entry->unavailableReason();
    if (!unavailable.empty()) {
        model->m_deviceNote = unavailable + "; running on the CPU instead";
        entry = backendFor(Device::Cpu);
    }
    model->m_backend = entry->make(config, weights, options);
    model->m_device = entry->device;
    model->m_parameterCount = weights.parameterCount();
    model->m_weightType =
        options.precision == WeightPrecision::BFloat16 && !weights.quantized() ? "bf16" : weights.storedTypeName();
    return model;
}

Model::~Model() = default;

int64_t Model::weightBytes() const { return m_backend->weightBytes(); }

unsigned Model::threads() const { return m_backend->hostThreads(); }

std::vector<float> Model::logProbs(std::span<const int32_t> tokens, int32_t blockSize) const
{
    const int32_t V = m_config.vocabSize;
    if (tokens.empty()) throw Error("no tokens to score");
    if (blockSize < 1) throw Error("block size must be at least 1, not " + std::to_string(blockSize));
    if (static_cast<int64_t>(tokens.size()) > m_config.contextLength)
        throw Error(std::to_string(tokens.size()) + " tokens exceed the model's context of " +
                    std::to_string(m_config.contextLength));
    const auto cache = m_backend->newCache(static_cast<int32_t>(tokens.size()));
    std::vector<int32_t> rows(tokens.size());
    std::iota(rows.begin(), rows.end(), 0);
    std::vector<float> out(tokens.size() * static_cast<size_t>(V));
    m_backend->forward({tokens, blockSize, 0, rows}, *cache, out);
    // A shifted model predicts position i from row i - 1; position 0, which
    // nothing precedes, keeps its own row, as Fast-dLLM v2 does.
    if (m_config.logits == LogitAlignment::NextPosition)
        std::copy_backward(out.begin(), out.end() - V, out.end());
    for (size_t i = 0; i < tokens.size(); ++i)
        subsLogProbabilities(std::span(out).subspan(i * V, V), tokens[i], m_config.maskId);
    return out;
}

} // namespace bd3
