#include "commands.hpp"
#include "generation_settings.hpp"
#include "terminal_block_view.hpp"

#include "bd3/error.hpp"
#include "bd3/generator.hpp"
#include "bd3/trace.hpp"

#include <fstream>
#include <iostream>
#include <sstream>

namespace bd3::cli {

namespace {

struct GenerateSettings : GenerationSettings {
    std::string prompt;
    std::filesystem::path promptFile;
    std::filesystem::path trace;
    bool chat = false;
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
    const auto model = prepareGeneration(s);
    // With --chat the prompt is the user's one turn, in the model's template;
    // only the reply is printed.
    std::string prompt = s.prompt;
    if (s.chat) {
        if (s.prompt.empty()) throw Error("the prompt is empty: give the model something to answer");
        prompt = renderChatTurn(requireChatTemplate(*model), s, {{"user", s.prompt}});
        s.options.promptHasSpecialTokens = true;
    }
    LiveParameters live(s.params);
    Generator generator(*model);

    ObserverFan observers;
    // Plain continuation echoes the prompt before the text it continues with.
    TextPrinter printer(s.chat ? std::string() : s.prompt);
    TerminalBlockView view(model->tokenizer(), model->config().maskId, std::cerr);
    TraceRecorder trace(*model, prompt, s.options);
    // The visual view redraws blocks on stderr, so the text waits for the end.
    observers.add(s.visual ? static_cast<GenerationObserver&>(view) : printer);
    if (!s.trace.empty()) observers.add(trace);

    const GenerationFinished result = generator.run(prompt, live, s.options, observers);
    if (s.visual) {
        printer.writeLead();
        printer.write(result.text);
    }
    printer.write("\n");
    if (!s.trace.empty()) trace.writeFile(s.trace);
    printSamplingLine(std::cerr, s.params);
    printStopLine(std::cerr, result, s.options.seed);
    return 0;
}

} // namespace

Command addGenerateCommand(CLI::App& app)
{
    auto s = std::make_shared<GenerateSettings>();
    auto* prompt = app.add_option("-p,--prompt", s->prompt, "Text to continue (with --chat: the message to answer)");
    auto* file = app.add_option("--prompt-file", s->promptFile, "Read the prompt from a file");
    prompt->excludes(file);
    addGenerationOptions(app, *s);
    app.add_option("--trace", s->trace, "Write the step-level event stream as JSON");
    auto* chat = app.add_flag("--chat", s->chat, "Answer the prompt as one chat turn, in the model's chat template");
    addChatOptions(app, *s);
    for (const char* name : {"--system", "--thinking"}) app.get_option(name)->needs(chat);
    app.callback([prompt, file] {
        if (prompt->count() == 0 && file->count() == 0) throw CLI::RequiredError("--prompt or --prompt-file");
    });
    return [s] { return runGenerate(*s); };
}

} // namespace bd3::cli
