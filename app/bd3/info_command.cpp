#include "commands.hpp"

#include "bd3/devices.hpp"
#include "bd3/model.hpp"

#include <iomanip>
#include <iostream>

namespace bd3::cli {

namespace {

std::string mebibytes(int64_t bytes)
{
    std::ostringstream text;
    text << std::fixed << std::setprecision(1) << static_cast<double>(bytes) / (1024.0 * 1024.0) << " MiB";
    return text.str();
}

int runInfo(const std::filesystem::path& folder)
{
    const auto model = Model::load(folder);
    const ModelConfig& c = model->config();
    // Keys and values of every layer for a full context, fp32.
    const int64_t cacheBytes = int64_t{2} * c.layers * c.contextLength * c.kvHeads * c.headDim * 4;
    std::string trained, stops;
    for (int32_t size : c.trainedBlockSizes) trained += (trained.empty() ? "" : ", ") + std::to_string(size);
    for (int32_t id : c.stopIds) stops += (stops.empty() ? "" : ", ") + std::to_string(id);
    std::ostringstream layer;
    if (const DitConfig* dit = c.dit()) {
        layer << "adaLN conditioning " << dit->condDim << ", GELU MLP " << 4 * c.hiddenDim;
    } else if (const DecoderConfig* d = c.decoder()) {
        layer << "SwiGLU " << d->intermediateDim << ", rotary theta " << d->ropeTheta
              << (d->qkNorm ? ", q/k norm" : "") << (d->qkvBias ? ", q/k/v bias" : "")
              << (d->tiedEmbeddings ? ", tied embeddings" : "");
        if (d->subBlockSize > 0) layer << ", sub-blocks of " << d->subBlockSize;
    }
    std::ostringstream defaults;
    if (c.defaults.temperature) defaults << "temperature " << *c.defaults.temperature << ' ';
    if (c.defaults.topK) defaults << "top-k " << *c.defaults.topK << ' ';
    if (c.defaults.topP) defaults << "top-p " << *c.defaults.topP << ' ';

    std::cout << "model        " << model->folder().string() << '\n'
              << "family       " << c.familyName << " (model_type " << c.modelType << "), logits "
              << (c.logits == LogitAlignment::NextPosition ? "shifted: row i - 1 predicts token i"
                                                          : "row i predicts token i")
              << '\n'
              << "network      " << c.layers << " layers x " << c.hiddenDim << " hidden, " << c.heads << " query / "
              << c.kvHeads << " key-value heads of " << c.headDim << "; " << layer.str() << '\n'
              << "context      " << c.contextLength << " tokens\n"
              << "block sizes  trained on " << trained << " (config block_size " << c.blockSize << ")\n"
              << "vocabulary   " << c.vocabSize << " ids; tokenizer " << model->tokenizer().kind() << " with "
              << model->tokenizer().size() << " entries\n"
              << "special ids  BOS " << c.bosId << (c.prependBos ? " (prepended)" : " (not prepended)") << ", EOS "
              << c.eosId << ", PAD " << c.padId << ", MASK " << c.maskId << "; stops at " << stops << '\n'
              << "defaults     " << (defaults.str().empty() ? "none in generation_config.json" : defaults.str()) << '\n'
              << "parameters   " << model->parameterCount() << '\n'
              << "memory       weights " << mebibytes(model->weightBytes()) << " (" << model->weightType()
              << "), full-context cache "
              << mebibytes(cacheBytes) << '\n';
    if (const ChatTemplate* chat = model->chatTemplate())
        std::cout << "chat         template from " << chat->origin()
                  << (chat->hasThinkingSwitch() ? " (with a thinking switch)" : "") << '\n';
    else
        std::cout << "chat         "
                  << (model->chatTemplateProblem().empty() ? "no chat template: continues text"
                                                           : "template unusable: " + model->chatTemplateProblem())
                  << '\n';
    for (const std::string& note : model->notes()) std::cout << "note         " << note << '\n';
    const DeviceReport devices = availableDevices();
    for (const DeviceInfo& d : devices.devices)
        std::cout << "device       " << deviceName(d.device) << ": " << d.name << '\n';
    std::cout << "cuda         " << devices.cudaStatus << '\n';
    return 0;
}

} // namespace

Command addInfoCommand(CLI::App& app)
{
    auto folder = std::make_shared<std::filesystem::path>();
    addModelOption(app, *folder);
    return [folder] { return runInfo(*folder); };
}

} // namespace bd3::cli
