#include "commands.hpp"
#include "token_list.hpp"

#include "bd3/error.hpp"
#include "bd3/generator.hpp"
#include "bd3/model.hpp"
#include "bd3/roofline.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <map>
#include <string>
#include <thread>

namespace bd3::cli {

namespace {

struct BenchSettings {
    std::filesystem::path model;
    std::string blockSizes = "4,16";
    int32_t steps = 0;  // 0: as many as the block has tokens
    int32_t tokens = 64;
    std::string prompt = "The history of the valley begins with";
    uint64_t seed = 1;
    std::string contexts;
    bool json = false;
    LoadOptions load;
};

// Per-NFE figures collected from the event stream.
class NfeMeter final : public GenerationObserver {
public:
    NfeMeter(const ModelConfig& config, double bytesPerWeight) : m_config(config), m_bytesPerWeight(bytesPerWeight) {}

    void blockStarted(const BlockStarted& e) override
    {
        m_cached = static_cast<int32_t>(e.startPosition);
        m_length = e.length;
        m_masked = e.length - e.cleanPrefix;
    }
    void stepDone(const StepDone& e) override
    {
        if (e.forwardRan) {
            ++nfe;
            forwardMs += e.forwardMs;
            const ForwardCost cost = forwardCost(m_config, m_length, m_cached, m_masked, m_bytesPerWeight);
            flops += cost.flops;
            bytes += cost.weightBytes + cost.cacheBytes;
        }
        m_masked = e.maskedRemaining;
    }

    int nfe = 0;
    double forwardMs = 0.0, flops = 0.0, bytes = 0.0;

private:
    const ModelConfig& m_config;
    double m_bytesPerWeight;
    int32_t m_cached = 0, m_length = 0, m_masked = 0;
};

// The process's peak resident memory (VmHWM). Not getrusage's ru_maxrss:
// Linux carries that across exec, so under a large parent (a Python
// benchmark with torch loaded) it would report the parent's peak.
double peakResidentMiB()
{
    std::ifstream status("/proc/self/status");
    for (std::string line; std::getline(status, line);) {
        if (line.rfind("VmHWM:", 0) == 0) return std::stod(line.substr(6)) / 1024.0;  // the figure is in kB
    }
    return 0.0;
}

int runBench(const BenchSettings& s)
{
    const auto model = loadForCompute(s.model, s.load);
    const ModelConfig& c = model->config();
    nlohmann::json report = {{"model", model->folder().filename().string()},
                             {"device", std::string(deviceName(model->device()))},
                             {"weights", model->weightType()},
                             {"parameters", model->parameterCount()},
                             {"layers", c.layers},
                             {"hidden", c.hiddenDim},
                             {"threads", model->threads()},
                             {"runs", nlohmann::json::array()},
                             {"contexts", nlohmann::json::array()}};

    // The generations run first, so peak memory is the model's, not the
    // buffers of the bandwidth probe.
    struct Run {
        SamplingParams params;
        GenerationFinished result;
        NfeMeter meter;
        double peakMiB;
        double gemm;
    };
    std::vector<Run> runs;
    for (int32_t blockSize : parseTokenList(s.blockSizes)) {
        SamplingParams params;
        params.blockSize = blockSize;
        params.steps = s.steps > 0 ? s.steps : blockSize;
        // Top-k reveals a fixed count per step, so both implementations compared
        // by tools/benchmark.py do the same passes whatever they draw.
        params.sampler = SamplerKind::TopKConfidence;
        params.validate();
        GenerationOptions options;
        options.seed = s.seed;
        options.maxNewTokens = s.tokens;
        options.stopAtEos = false;
        LiveParameters live(params);
        NfeMeter meter(c, static_cast<double>(model->weightBytes()) / static_cast<double>(model->parameterCount()));
        // A warm-up of two blocks first, as tools/benchmark.py gives the
        // reference: what is paid once per process (cuBLAS's kernel choice,
        // capturing a pass shape's CUDA graph, first touches of memory) is
        // left out of the figures.
        GenerationOptions warmUp = options;
        warmUp.maxNewTokens = std::min(options.maxNewTokens, 2 * blockSize);
        GenerationObserver ignored;
        Generator(*model).run(s.prompt, live, warmUp, ignored);
        const GenerationFinished result = Generator(*model).run(s.prompt, live, options, meter);
        runs.push_back({params, result, meter, peakResidentMiB(), measureProductGflops(*model, blockSize)});
    }
    // Of the memory the weights live in: the host's or the GPU's.
    const double bandwidth = measureStreamBandwidth(*model);
    report["stream_bandwidth_gbs"] = bandwidth;
    for (const Run& run : runs) {
        const NfeMeter& m = run.meter;
        const double msPerNfe = m.forwardMs / std::max(m.nfe, 1);
        const double computeFloorMs = m.flops / std::max(m.nfe, 1) / (run.gemm * 1e9) * 1e3;
        const double memoryFloorMs = m.bytes / std::max(m.nfe, 1) / (bandwidth * 1e9) * 1e3;
        const GenerationFinished& r = run.result;
        report["runs"].push_back({{"block_size", run.params.blockSize},
                                  {"steps", run.params.steps},
                                  {"nfe", r.nfe},
                                  {"tokens", r.newTokens},
                                  {"seconds", r.seconds},
                                  {"ms_per_nfe", msPerNfe},
                                  {"tokens_per_second", r.newTokens / r.seconds},
                                  {"nfe_per_token", static_cast<double>(r.nfe) / r.newTokens},
                                  {"peak_rss_mib", run.peakMiB},
                                  {"gemm_gflops", run.gemm},
                                  {"compute_floor_ms", computeFloorMs},
                                  {"memory_floor_ms", memoryFloorMs},
                                  {"weights_gbs", m.bytes / std::max(m.nfe, 1) / (msPerNfe * 1e6)},
                                  {"roofline_fraction", std::max(computeFloorMs, memoryFloorMs) / msPerNfe}});
    }
    for (int32_t context : parseTokenList(s.contexts)) {
        const int32_t blockSize = parseTokenList(s.blockSizes).front();
        if (context + blockSize > c.contextLength) {
            std::cerr << "bd3 bench: skipping context " << context << " (the model holds " << c.contextLength << ")\n";
            continue;
        }
        const ContextTiming t = timeBlockAtContext(*model, context, blockSize);
        report["contexts"].push_back({{"context", context},
                                      {"block_size", blockSize},
                                      {"cached_ms", t.cachedMs},
                                      {"recompute_ms", t.recomputeMs}});
    }

    if (s.json) {
        std::cout << report.dump(1) << '\n';
        return 0;
    }
    std::printf("model %s: %lld parameters, %d x %d, %s weights on %s (%u CPU threads); memory streams %.1f GB/s\n",
                report["model"].get<std::string>().c_str(), static_cast<long long>(model->parameterCount()), c.layers,
                c.hiddenDim, report["weights"].get<std::string>().c_str(), report["device"].get<std::string>().c_str(),
                model->threads(), bandwidth);
    std::printf("%6s %6s %6s %7s %9s %9s %10s %9s %8s %8s %15s %9s\n", "block", "steps", "NFEs", "tokens", "NFE/tok",
                "ms/NFE", "tokens/s", "RSS MiB", "GFLOP/s", "W GB/s", "floor ms c|m", "roofline");
    for (const auto& r : report["runs"])
        std::printf("%6d %6d %6d %7d %9.2f %9.2f %10.1f %9.0f %8.1f %8.1f %7.2f|%-7.2f %8.0f%%\n", r["block_size"].get<int>(),
                    r["steps"].get<int>(), r["nfe"].get<int>(), r["tokens"].get<int>(), r["nfe_per_token"].get<double>(),
                    r["ms_per_nfe"].get<double>(), r["tokens_per_second"].get<double>(), r["peak_rss_mib"].get<double>(),
                    r["gemm_gflops"].get<double>(), r["weights_gbs"].get<double>(), r["compute_floor_ms"].get<double>(),
                    r["memory_floor_ms"].get<double>(), 100 * r["roofline_fraction"].get<double>());
    if (!report["contexts"].empty()) {
        std::printf("\n%8s %6s %14s %16s %8s\n", "context", "block", "cached ms", "recompute ms", "ratio");
        for (const auto& r : report["contexts"])
            std::printf("%8d %6d %14.2f %16.2f %7.1fx\n", r["context"].get<int>(), r["block_size"].get<int>(),
                        r["cached_ms"].get<double>(), r["recompute_ms"].get<double>(),
                        r["recompute_ms"].get<double>() / r["cached_ms"].get<double>());
    }
    return 0;
}

} // namespace

Command addBenchCommand(CLI::App& app)
{
    auto s = std::make_shared<BenchSettings>();
    addModelOption(app, s->model);
    app.add_option("-b,--block-sizes", s->blockSizes, "Block sizes to run, comma separated")->capture_default_str();
    app.add_option("-s,--steps", s->steps, "Steps per block (default: the block size)");
    app.add_option("-n,--tokens", s->tokens, "New tokens per run")->capture_default_str();
    app.add_option("-p,--prompt", s->prompt, "Prompt")->capture_default_str();
    app.add_option("--seed", s->seed, "Seed")->capture_default_str();
    app.add_option("--contexts", s->contexts, "Contexts for the cache-versus-recompute table, comma separated");
    app.add_flag("--json", s->json, "Print the figures as JSON");
    addComputeOptions(app, s->load);
    return [s] { return runBench(*s); };
}

} // namespace bd3::cli
