#include "bd3/model.hpp"

#include "backend.hpp"
#include "bd3/error.hpp"
#include "cpu/cpu_backend.hpp"
#include "network_weights.hpp"
#include "subs_output.hpp"

#ifdef BD3_HAVE_CUDA
#include "cuda/cuda_backend.hpp"
#endif

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
    model->m_config = ModelConfig::fromJsonFile(folder / "config.json");
    model->m_tokenizer = loadTokenizer(folder);
    const ModelConfig& config = model->m_config;
    if (model->m_tokenizer->size() > config.vocabSize)
        throw Error(folder.string() + ": the tokenizer has " + std::to_string(model->m_tokenizer->size()) +
                    " entries but config.json's vocab_size is only " + std::to_string(config.vocabSize));

    NetworkWeights weights = loadNetworkWeights(folder / "model.safetensors", config, options.precision, options.progress);
    model->m_parameterCount = weights.parameterCount;
    if (options.device == Device::Cuda) {
        // A machine without a usable GPU runs the model on the CPU and says
        // why; too little GPU memory is an error, since the CPU may then be
        // the wrong choice for a model this size.
#ifdef BD3_HAVE_CUDA
        const std::string unavailable = cudaUnavailableReason();
        if (unavailable.empty()) {
            model->m_backend = makeCudaBackend(config, std::move(weights), options.precision);
            model->m_device = Device::Cuda;
            return model;
        }
#else
        const std::string unavailable = "no usable CUDA device: this build has no CUDA backend";
#endif
        model->m_deviceNote = unavailable + "; running on the CPU instead";
    }
    model->m_backend = makeCpuBackend(config, std::move(weights), options.precision);
    model->m_device = Device::Cpu;
    return model;
}

Model::~Model() = default;

int64_t Model::weightBytes() const { return m_backend->weightBytes(); }

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
    for (size_t i = 0; i < tokens.size(); ++i)
        subsLogProbabilities(std::span(out).subspan(i * V, V), tokens[i], m_config.maskId);
    return out;
}

} // namespace bd3
