#include "commands.hpp"
#include "terminal_block_view.hpp"

#include "bd3/error.hpp"
#include "bd3/generator.hpp"
#include "bd3/model.hpp"
#include "bd3/trace.hpp"

#include <fstream>
#include <iomanip>
#include <iostream>
#include <map>
#include <random>
#include <sstream>

namespace bd3::cli {

namespace {

template <typename Enum>
std::map<std::string, Enum> choices(std::initializer_list<Enum> values, std::string_view (*name)(Enum))
{
    std::map<std::string, Enum> map;
    for (Enum v : values) map.emplace(std::string(name(v)), v);
    return map;
}

// Streams committed text to stdout as blocks finish.
class TextPrinter final : public GenerationObserver {
public:
    void blockCommitted(const BlockCommitted& event) override { std::cout << event.text << std::flush; }
};

// Forwards every event to several observers, in order.
class ObserverFan final : public GenerationObserver {
public:
    void add(GenerationObserver& observer) { m_observers.push_back(&observer); }
    void blockStarted(const BlockStarted& e) override { for (auto* o : m_observers) o->blockStarted(e); }
    void stepDone(const StepDone& e) override { for (auto* o : m_observers) o->stepDone(e); }
    void blockCommitted(const BlockCommitted& e) override { for (auto* o : m_observers) o->blockCommitted(e); }
    void finished(const GenerationFinished& e) override { for (auto* o : m_observers) o->finished(e); }

private:
    std::vector<GenerationObserver*> m_observers;
};

struct GenerateSettings {
    std::filesystem::path model;
    std::string prompt;
    std::filesystem::path promptFile;
    SamplingParams params;
    GenerationOptions options;
    std::optional<uint64_t> seed;
    bool noStopAtEos = false;
    std::filesystem::path trace;
    bool visual = false;
    LoadOptions load;
    // The sampling options the user did not give take the model's defaults.
    std::vector<std::pair<const CLI::Option*, void (*)(SamplingParams&, const SamplingParams&)>> modelDefaults;
};

std::string readPromptFile(const std::filesystem::path& path)
{
    std::ifstream in(path, std::ios::binary);
    if (!in) throw Error(path.string() + ": cannot read the prompt file");
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

int runGenerate(GenerateSettings& s)
{
    if (!s.promptFile.empty()) s.prompt = readPromptFile(s.promptFile);
    s.options.stopAtEos = !s.noStopAtEos;
    s.options.seed = s.seed ? *s.seed : std::random_device{}();
    s.options.validate();

    const auto model = loadForCompute(s.model, s.load);
    const SamplingParams defaults = samplingDefaults(model->config());
    for (const auto& [option, apply] : s.modelDefaults)
        if (option->count() == 0) apply(s.params, defaults);
    s.params.validate();
    if (s.params.blockSize > model->config().contextLength)
        throw Error("block size " + std::to_string(s.params.blockSize) + " exceeds the model's context of " +
                    std::to_string(model->config().contextLength));
    LiveParameters live(s.params);
    Generator generator(*model);

    ObserverFan observers;
    TextPrinter printer;
    TerminalBlockView view(model->tokenizer(), model->config().maskId, std::cerr);
    TraceRecorder trace(*model, s.prompt, s.options);
    // The visual view redraws blocks on stderr, so the text waits for the end.
    if (s.visual) {
        observers.add(view);
    } else {
        std::cout << s.prompt << std::flush;
        observers.add(printer);
    }
    if (!s.trace.empty()) observers.add(trace);

    const GenerationFinished result = generator.run(s.prompt, live, s.options, observers);
    if (s.visual) std::cout << s.prompt << result.text;
    std::cout << '\n';
    if (!s.trace.empty()) trace.writeFile(s.trace);

    std::cerr << "sampling: block " << s.params.blockSize << ", " << samplerName(s.params.sampler);
    if (s.params.sampler == SamplerKind::Threshold || s.params.sampler == SamplerKind::LowConfidenceDynamic)
        std::cerr << " (threshold " << s.params.threshold << ")";
    if (s.params.subBlockSize > 0) std::cerr << ", sub-blocks of " << s.params.subBlockSize;
    std::cerr << ", " << s.params.steps << " steps, temperature " << s.params.temperature
              << (s.params.temperature == 0.0 ? " (greedy)" : "") << ", top-k " << s.params.topK << ", top-p "
              << s.params.topP << '\n';
    const double perToken = result.newTokens > 0 ? static_cast<double>(result.nfe) / result.newTokens : 0.0;
    std::cerr << std::fixed << std::setprecision(2) << "stop: " << stopReasonName(result.reason) << " | "
              << result.newTokens << " tokens in " << result.blocks << " blocks | NFEs " << result.nfe << " ("
              << perToken << " per token) | " << result.seconds << " s | "
              << (result.seconds > 0 ? result.newTokens / result.seconds : 0.0) << " tokens/s | seed "
              << s.options.seed << '\n';
    return 0;
}

} // namespace

Command addGenerateCommand(CLI::App& app)
{
    auto s = std::make_shared<GenerateSettings>();
    addModelOption(app, s->model);
    auto* prompt = app.add_option("-p,--prompt", s->prompt, "Text to continue");
    auto* file = app.add_option("--prompt-file", s->promptFile, "Read the text to continue from a file");
    prompt->excludes(file);
    SamplingParams& p = s->params;
    auto& d = s->modelDefaults;
    d.emplace_back(app.add_option("-b,--block-size", p.blockSize, "Tokens per block (1 = autoregressive; default: the model's)"),
                   [](SamplingParams& to, const SamplingParams& from) { to.blockSize = from.blockSize; });
    d.emplace_back(app.add_option("-s,--steps", p.steps, "Denoising steps per block (default: the model's)"),
                   [](SamplingParams& to, const SamplingParams& from) { to.steps = from.steps; });
    app.add_option("--schedule", p.schedule.kind, "Reveal schedule")
        ->transform(CLI::CheckedTransformer(choices({ScheduleKind::LogLinear, ScheduleKind::Cosine, ScheduleKind::Square,
                                                     ScheduleKind::SquareRoot, ScheduleKind::Log, ScheduleKind::Clipped},
                                                    scheduleName)))
        ->default_str("loglinear");
    app.add_option("--beta", p.schedule.beta, "Clipped schedule: masked fraction at the end")->capture_default_str();
    app.add_option("--omega", p.schedule.omega, "Clipped schedule: masked fraction at the start")->capture_default_str();
    d.emplace_back(app.add_option("--sampler", p.sampler, "Sampler (default: the model's; ddpm for BD3-LMs)")
                       ->transform(CLI::CheckedTransformer(
                           choices({SamplerKind::Ddpm, SamplerKind::FirstHitting, SamplerKind::TopKConfidence,
                                    SamplerKind::Threshold, SamplerKind::LowConfidenceStatic,
                                    SamplerKind::LowConfidenceDynamic, SamplerKind::Sequential},
                                   samplerName))),
                   [](SamplingParams& to, const SamplingParams& from) { to.sampler = from.sampler; });
    app.add_option("--confidence", p.confidence, "Confidence for top-k and threshold samplers")
        ->transform(CLI::CheckedTransformer(choices({ConfidenceMeasure::Probability, ConfidenceMeasure::NegativeEntropy,
                                                     ConfidenceMeasure::Margin},
                                                    confidenceName)))
        ->default_str("probability");
    d.emplace_back(app.add_option("--threshold", p.threshold,
                                  "Threshold and low-confidence-dynamic: reveal at confidence above this"),
                   [](SamplingParams& to, const SamplingParams& from) { to.threshold = from.threshold; });
    d.emplace_back(app.add_option("--sub-block", p.subBlockSize,
                                  "Threshold sampler: decode each block in sub-blocks of this size (0: off)"),
                   [](SamplingParams& to, const SamplingParams& from) { to.subBlockSize = from.subBlockSize; });
    d.emplace_back(app.add_option("-t,--temperature", p.temperature,
                                  "Sampling temperature; 0 is greedy (default: generation_config.json's, else 1)"),
                   [](SamplingParams& to, const SamplingParams& from) { to.temperature = from.temperature; });
    d.emplace_back(app.add_option("--top-k", p.topK, "Keep the k most probable tokens (0: all; default: the model's)"),
                   [](SamplingParams& to, const SamplingParams& from) { to.topK = from.topK; });
    d.emplace_back(app.add_option("--top-p", p.topP, "Nucleus mass (default: the model's, else 1)"),
                   [](SamplingParams& to, const SamplingParams& from) { to.topP = from.topP; });
    app.add_option("--top-alternatives", p.topAlternatives, "Alternatives recorded per revealed token")
        ->capture_default_str();
    app.add_option("--seed", s->seed, "Random seed (default: a fresh one, printed at the end)");
    app.add_option("-n,--max-tokens", s->options.maxNewTokens, "Most new tokens")->capture_default_str();
    app.add_flag("--no-stop-at-eos", s->noStopAtEos, "Keep going past end-of-sequence tokens");
    app.add_flag("--entropy-stop", s->options.entropyStop, "Stop when the text degenerates into repetition");
    app.add_option("--trace", s->trace, "Write the step-level event stream as JSON");
    app.add_flag("--visual", s->visual, "Redraw each block's unmasking in the terminal");
    addComputeOptions(app, s->load);
    app.callback([prompt, file] {
        if (prompt->count() == 0 && file->count() == 0) throw CLI::RequiredError("--prompt or --prompt-file");
    });
    return [s] { return runGenerate(*s); };
}

} // namespace bd3::cli
