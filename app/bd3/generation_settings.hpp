// What `bd3 generate` and `bd3 chat` share: the sampling and generation
// options, the model's defaults for those not given, the observers that print
// a run, and the summary after it.
#pragma once

#include "bd3/chat.hpp"
#include "bd3/events.hpp"
#include "bd3/model.hpp"
#include "bd3/sampling.hpp"

#include <CLI/CLI.hpp>

#include <filesystem>
#include <optional>
#include <string_view>
#include <ostream>
#include <utility>
#include <vector>

namespace bd3::cli {

struct GenerationSettings {
    std::filesystem::path model;
    SamplingParams params;
    GenerationOptions options;
    std::optional<uint64_t> seed;
    bool noStopAtEos = false;
    bool visual = false;
    LoadOptions load;
    // Chat turns: the system prompt and Qwen3's thinking switch.
    std::string system;
    std::optional<bool> thinking;
    // The sampling options the user did not give take the model's defaults.
    std::vector<std::pair<const CLI::Option*, void (*)(SamplingParams&, const SamplingParams&)>> modelDefaults;
};

// -m, the sampling options, --seed, -n, --no-stop-at-eos, --entropy-stop,
// --visual and the compute options.
void addGenerationOptions(CLI::App& app, GenerationSettings& settings);
// --system and --thinking.
void addChatOptions(CLI::App& app, GenerationSettings& settings);
// Validates the options, loads the model and fills in its sampling defaults.
std::unique_ptr<Model> prepareGeneration(GenerationSettings& settings);
// The model's chat template, or an error saying why it has none.
const ChatTemplate& requireChatTemplate(const Model& model);
// The conversation so far as the template renders it, opening the assistant's
// turn, with --system first.
std::string renderChatTurn(const ChatTemplate& chat, const GenerationSettings& settings,
                           const std::vector<ChatMessage>& turns);
// "sampling: block 4, ..." : what the run samples with.
void printSamplingLine(std::ostream& out, const SamplingParams& params);
// "stop: end-of-sequence | 12 tokens in 3 blocks | ..." : how a run ended.
void printStopLine(std::ostream& out, const GenerationFinished& result, uint64_t seed);

// Writes text to standard output: exactly to a pipe or a file, terminal-safe
// (terminal_text.hpp) to a terminal. As an observer it streams committed text
// as blocks finish, after `lead` (the prompt being continued), which waits for
// the first block so that a prompt the engine refuses is never echoed.
class TextPrinter final : public GenerationObserver {
public:
    explicit TextPrinter(std::string lead = {});
    void write(std::string_view text);
    // The lead, once; the first block does it.
    void writeLead();
    void blockStarted(const BlockStarted&) override { writeLead(); }
    void blockCommitted(const BlockCommitted& event) override { write(event.text); }

private:
    std::string m_lead;
    bool m_leadWritten = false;
    bool m_terminal;
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

} // namespace bd3::cli
