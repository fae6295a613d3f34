#include "commands.hpp"

#include "bd3/error.hpp"
#include "bd3/evaluation.hpp"
#include "bd3/model.hpp"

#include <nlohmann/json.hpp>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <iterator>
#include <sstream>

namespace bd3::cli {

namespace {

struct EvalSettings {
    std::filesystem::path model;
    std::filesystem::path text;
    std::vector<std::string> blockSizes;
    uint64_t seed = 0;
    int32_t passes = 1;
    int64_t maxTokens = 0;
    std::filesystem::path json;
    std::filesystem::path reference;
    LoadOptions load;
    bool quiet = false;
};

int32_t parseBlockSize(const std::string& text, const ModelConfig& config)
{
    if (text == "context") return config.contextLength;
    try {
        size_t used = 0;
        const int value = std::stoi(text, &used);
        if (used == text.size() && value >= 1) return value;
    } catch (const std::exception&) {
    }
    throw Error("block size \"" + text + "\" is neither a positive number nor \"context\"");
}

int runEval(const EvalSettings& s)
{
    const auto model = loadForCompute(s.model, s.load);
    const auto reference = s.reference.empty() ? nullptr : loadForCompute(s.reference, s.load);
    const ModelConfig& config = model->config();
    if (reference && (reference->config().vocabSize != config.vocabSize ||
                      reference->config().contextLength != config.contextLength ||
                      reference->tokenizer().size() != model->tokenizer().size()))
        throw Error(s.reference.string() + ": not the same model's other weights (its vocabulary, context or "
                    "tokenizer differ), so the scores cannot be compared");
    std::ifstream in(s.text, std::ios::binary);
    if (!in) throw Error(s.text.string() + ": cannot read the file");
    const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    std::vector<int32_t> ids = model->tokenizer().encode(text);
    if (s.maxTokens > 0 && static_cast<int64_t>(ids.size()) > s.maxTokens) ids.resize(static_cast<size_t>(s.maxTokens));

    std::vector<int32_t> sizes;
    for (const std::string& b : s.blockSizes) sizes.push_back(parseBlockSize(b, config));
    if (sizes.empty()) sizes.push_back(config.blockSize);

    std::cout << "model " << s.model.string() << ", text " << s.text.string() << ": " << ids.size()
              << " tokens, windows of " << config.contextLength << " (BOS first), seed " << s.seed << ", "
              << s.passes << (s.passes == 1 ? " pass" : " passes") << '\n';
    std::cout << "block size   tokens   NELBO (nats/token)   perplexity bound   time (s)\n";
    nlohmann::json out = nlohmann::json::array();
    for (int32_t blockSize : sizes) {
        EvaluationOptions options;
        options.blockSize = blockSize;
        options.seed = s.seed;
        options.passes = s.passes;
        options.keepTokenLogProbs = reference != nullptr;
        if (!s.quiet)
            options.progress = [blockSize](int64_t done, int64_t total) {
                std::cerr << "\r  L'=" << blockSize << ": window " << done << "/" << total << std::flush;
                if (done == total) std::cerr << "\r\033[K" << std::flush;
                return true;
            };
        const auto start = std::chrono::steady_clock::now();
        const EvaluationResult r = evaluateNelbo(*model, ids, options);
        const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        char line[256];
        std::snprintf(line, sizeof line, "%10d %8lld %20.4f %18.2f %10.1f", blockSize,
                      static_cast<long long>(r.tokens), r.nelbo, r.perplexityBound, seconds);
        std::cout << line << (blockSize == 1 ? "   (exact AR likelihood)" : "")
                  << (blockSize == config.contextLength ? "   (whole context: MDLM)" : "") << '\n'
                  << std::flush;
        nlohmann::json row = {{"block_size", blockSize}, {"tokens", r.tokens}, {"windows", r.windows},
                              {"passes", r.passes}, {"seed", s.seed}, {"nelbo", r.nelbo},
                              {"total_nll", r.totalNll}, {"perplexity_bound", r.perplexityBound},
                              {"pass_nelbo", r.passNelbo}, {"forward_passes", r.forwardPasses},
                              {"seconds", seconds}};
        if (reference) {
            EvaluationOptions quiet = options;
            quiet.progress = nullptr;
            const LogProbDrift drift = logProbDrift(r, evaluateNelbo(*reference, ids, quiet));
            std::snprintf(line, sizeof line,
                          "%10s drift from the reference: NELBO %+.4f nats/token (perplexity x%.4f), "
                          "log-prob mean |d| %.4f, max %.4f",
                          "", drift.nelboDelta, std::exp(drift.nelboDelta), drift.meanAbsolute, drift.maxAbsolute);
            std::cout << line << '\n' << std::flush;
            row["drift"] = {{"reference", s.reference.string()}, {"nelbo_delta", drift.nelboDelta},
                            {"log_prob_mean_abs", drift.meanAbsolute}, {"log_prob_max_abs", drift.maxAbsolute}};
        }
        out.push_back(row);
    }
    if (!s.json.empty()) {
        std::ofstream f(s.json);
        if (!f) throw Error(s.json.string() + ": cannot write the file");
        f << out.dump(2) << '\n';
    }
    return 0;
}

} // namespace

Command addEvalCommand(CLI::App& app)
{
    auto s = std::make_shared<EvalSettings>();
    addModelOption(app, s->model);
    app.add_option("-f,--file", s->text, "UTF-8 text file to score")->required()->check(CLI::ExistingFile);
    app.add_option("-b,--block-size", s->blockSizes,
                   "Block sizes, comma-separated or repeated; \"context\" = the whole context (MDLM) "
                   "(default: the model's)")
        ->delimiter(',');
    app.add_option("--seed", s->seed, "Seed of the noise (t per block, masks)")->capture_default_str();
    app.add_option("--passes", s->passes, "Noise draws averaged per block size")
        ->check(CLI::PositiveNumber)
        ->capture_default_str();
    app.add_option("--max-tokens", s->maxTokens, "Score only the first N tokens of the file")
        ->check(CLI::PositiveNumber);
    app.add_option("--json", s->json, "Also write the results as JSON");
    app.add_option("--reference", s->reference,
                   "Another copy of the model (the f32 or bf16 one a quantized model was made from): print how far "
                   "the scores drift from it on the same masked positions")
        ->check(CLI::ExistingDirectory);
    addComputeOptions(app, s->load);
    app.add_flag("-q,--quiet", s->quiet, "No progress on stderr");
    return [s] { return runEval(*s); };
}

} // namespace bd3::cli
