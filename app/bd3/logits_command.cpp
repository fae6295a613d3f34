#include "commands.hpp"
#include "npy_writer.hpp"
#include "token_list.hpp"

#include "bd3/error.hpp"
#include "bd3/model.hpp"

#include <iostream>

namespace bd3::cli {

namespace {

struct LogitsSettings {
    std::filesystem::path model;
    std::string tokens;
    int32_t blockSize = 0;
    std::filesystem::path output;
};

int runLogits(const LogitsSettings& s)
{
    const auto model = Model::load(s.model);
    const ModelConfig& config = model->config();
    const std::vector<int32_t> ids = parseTokenList(s.tokens, config.maskId);
    const int32_t blockSize = s.blockSize > 0 ? s.blockSize : config.blockSize;
    const std::vector<float> logProbs = model->logProbs(ids, blockSize);
    writeNpy(s.output, logProbs, {static_cast<int64_t>(ids.size()), config.vocabSize});
    std::cerr << "wrote " << s.output.string() << ": log-probabilities [" << ids.size() << ", " << config.vocabSize
              << "] at block size " << blockSize << '\n';
    return 0;
}

} // namespace

Command addLogitsCommand(CLI::App& app)
{
    auto s = std::make_shared<LogitsSettings>();
    addModelOption(app, s->model);
    app.add_option("--tokens", s->tokens, "Token ids, BOS first; \"mask\" for [MASK]")->required();
    app.add_option("-b,--block-size", s->blockSize, "Block size of the block-causal mask (default: the model's)")
        ->check(CLI::PositiveNumber);
    app.add_option("-o,--output", s->output, "The .npy file to write")->required();
    return [s] { return runLogits(*s); };
}

} // namespace bd3::cli
