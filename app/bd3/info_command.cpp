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
    const int64_t cacheBytes = int64_t{2} * c.layers * c.contextLength * c.hiddenDim * 4;
    std::string trained;
    for (int32_t size : c.trainedBlockSizes) trained += (trained.empty() ? "" : ", ") + std::to_string(size);

    std::cout << "model        " << model->folder().string() << '\n'
              << "network      " << c.layers << " layers x " << c.hiddenDim << " hidden, " << c.heads << " heads of "
              << c.headDim() << ", conditioning " << c.condDim << '\n'
              << "context      " << c.contextLength << " tokens\n"
              << "block sizes  trained on " << trained << " (config block_size " << c.blockSize << ")\n"
              << "vocabulary   " << c.vocabSize << " ids; tokenizer " << model->tokenizer().kind() << " with "
              << model->tokenizer().size() << " entries\n"
              << "special ids  BOS " << c.bosId << ", EOS " << c.eosId << ", PAD " << c.padId << ", MASK " << c.maskId
              << '\n'
              << "parameters   " << model->parameterCount() << '\n'
              << "memory       weights " << mebibytes(model->weightBytes()) << ", full-context cache "
              << mebibytes(cacheBytes) << '\n';
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
