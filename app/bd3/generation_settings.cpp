#include "generation_settings.hpp"

#include "commands.hpp"
#include "terminal_text.hpp"

#include "bd3/error.hpp"

#include <charconv>
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

} // namespace

void addGenerationOptions(CLI::App& app, GenerationSettings& s)
{
    addModelOption(app, s.model);
    SamplingParams& p = s.params;
    auto& d = s.modelDefaults;
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
    // CLI11 would read "-1" or 2^64 as 2^64 - 1; a seed is a whole number
    // that fits in 64 bits, or an error saying so.
    const CLI::Validator seed(
        [](std::string& text) {
            uint64_t value = 0;
            const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
            if (error == std::errc() && end == text.data() + text.size()) return std::string();
            return "the seed must be a whole number from 0 to 18446744073709551615, not " + text;
        },
        "UINT64");
    app.add_option("--seed", s.seed, "Random seed (default: a fresh one, printed at the end)")->check(seed);
    app.add_option("-n,--max-tokens", s.options.maxNewTokens, "Most new tokens")->capture_default_str();
    app.add_flag("--no-stop-at-eos", s.noStopAtEos, "Keep going past end-of-sequence tokens");
    app.add_flag("--entropy-stop", s.options.entropyStop, "Stop when the text degenerates into repetition");
    app.add_flag("--visual", s.visual, "Redraw each block's unmasking in the terminal");
    addComputeOptions(app, s.load);
}

void addChatOptions(CLI::App& app, GenerationSettings& s)
{
    app.add_option("--system", s.system, "System prompt: what the model is told before the conversation");
    app.add_option("--thinking", s.thinking,
                   "Thinking models (Qwen3 templates): true lets the model think first, false asks it to answer "
                   "directly (default: the template's)");
}

std::unique_ptr<Model> prepareGeneration(GenerationSettings& s)
{
    s.options.stopAtEos = !s.noStopAtEos;
    s.options.seed = s.seed ? *s.seed : std::random_device{}();
    s.options.validate();
    auto model = loadForCompute(s.model, s.load);
    const SamplingParams defaults = samplingDefaults(model->config());
    for (const auto& [option, apply] : s.modelDefaults)
        if (option->count() == 0) apply(s.params, defaults);
    s.params.validate();
    if (s.params.blockSize > model->config().contextLength)
        throw Error("block size " + std::to_string(s.params.blockSize) + " exceeds the model's context of " +
                    std::to_string(model->config().contextLength));
    return model;
}

const ChatTemplate& requireChatTemplate(const Model& model)
{
    if (const ChatTemplate* chat = model.chatTemplate()) return *chat;
    if (!model.chatTemplateProblem().empty())
        throw Error("the model's chat template cannot be used: " + model.chatTemplateProblem() +
                    "; bd3 generate without --chat still continues text");
    throw Error(model.folder().string() +
                " has no chat template (chat_template.jinja, or \"chat_template\" in tokenizer_config.json): it "
                "continues text; use bd3 generate without --chat");
}

std::string renderChatTurn(const ChatTemplate& chat, const GenerationSettings& settings,
                           const std::vector<ChatMessage>& turns)
{
    ChatRequest request;
    if (!settings.system.empty()) request.messages.push_back({"system", settings.system});
    request.messages.insert(request.messages.end(), turns.begin(), turns.end());
    request.enableThinking = settings.thinking;
    return chat.render(request);
}

TextPrinter::TextPrinter(std::string lead) : m_lead(std::move(lead)), m_terminal(stdoutIsTerminal()) {}

void TextPrinter::write(std::string_view text)
{
    if (m_terminal) std::cout << terminalSafe(text);
    else std::cout << text;
    std::cout << std::flush;
}

void TextPrinter::writeLead()
{
    if (std::exchange(m_leadWritten, true)) return;
    write(m_lead);
}

void printSamplingLine(std::ostream& out, const SamplingParams& p)
{
    out << "sampling: block " << p.blockSize << ", " << samplerName(p.sampler);
    if (p.sampler == SamplerKind::Threshold || p.sampler == SamplerKind::LowConfidenceDynamic)
        out << " (threshold " << p.threshold << ")";
    if (p.subBlockSize > 0) out << ", sub-blocks of " << p.subBlockSize;
    out << ", " << p.steps << " steps, temperature " << p.temperature << (p.temperature == 0.0 ? " (greedy)" : "")
        << ", top-k " << p.topK << ", top-p " << p.topP << '\n';
}

void printStopLine(std::ostream& out, const GenerationFinished& result, uint64_t seed)
{
    const double perToken = result.newTokens > 0 ? static_cast<double>(result.nfe) / result.newTokens : 0.0;
    std::ostringstream line;
    line << std::fixed << std::setprecision(2) << "stop: " << stopReasonName(result.reason) << " | "
         << result.newTokens << " tokens in " << result.blocks << " blocks | NFEs " << result.nfe << " (" << perToken
         << " per token) | " << result.seconds << " s | "
         << (result.seconds > 0 ? result.newTokens / result.seconds : 0.0) << " tokens/s | seed " << seed << '\n';
    out << line.str();
}

} // namespace bd3::cli
