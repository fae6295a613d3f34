// bd3 chat: a conversation in the terminal. Each line read is a user turn;
// the model's reply is written block by block (or, with --visual, each
// block's unmasking is redrawn on stderr) and joins the conversation.
#include "commands.hpp"
#include "generation_settings.hpp"
#include "terminal_block_view.hpp"

#include "bd3/error.hpp"
#include "bd3/generator.hpp"

#include <unistd.h>

#include <iostream>

namespace bd3::cli {

namespace {

constexpr const char* kHelp =
    "Type a message and press Enter; end a line with \\ to go on writing on the next one.\n"
    "/reset starts the conversation over, /system TEXT sets the system prompt (and starts over),\n"
    "/quit or Ctrl-D ends.\n";

// One message, which may span lines ending in a backslash; nothing at the end
// of the input.
std::optional<std::string> readMessage(bool interactive)
{
    std::string message;
    std::string line;
    while (true) {
        if (interactive) std::cerr << (message.empty() ? "you> " : "...> ") << std::flush;
        if (!std::getline(std::cin, line)) {
            if (message.empty()) return std::nullopt;
            return message;
        }
        if (!line.empty() && line.back() == '\\') {
            line.pop_back();
            message += line + '\n';
            continue;
        }
        return message + line;
    }
}

class ChatSession {
public:
    ChatSession(GenerationSettings& settings, const Model& model)
        : m_settings(settings), m_model(model), m_template(requireChatTemplate(model))
    {
    }

    // Answers one user turn; the reply joins the conversation.
    void answer(const std::string& message)
    {
        m_turns.push_back({"user", message});
        const std::string prompt = fittingPrompt();
        GenerationOptions options = m_settings.options;
        options.seed = m_settings.options.seed + m_answered;
        options.promptHasSpecialTokens = true;
        LiveParameters live(m_settings.params);
        ObserverFan observers;
        TextPrinter printer;
        TerminalBlockView view(m_model.tokenizer(), m_model.config().maskId, std::cerr);
        observers.add(m_settings.visual ? static_cast<GenerationObserver&>(view) : printer);
        const GenerationFinished result = Generator(m_model).run(prompt, live, options, observers);
        if (m_settings.visual) printer.write(result.text);
        printer.write("\n");
        printStopLine(std::cerr, result, options.seed);
        m_turns.push_back({"assistant", result.text});
        ++m_answered;
    }

    void reset() { m_turns.clear(); }
    // A user turn that could not be answered leaves the conversation.
    void dropUnanswered()
    {
        if (!m_turns.empty() && m_turns.back().role == "user") m_turns.pop_back();
    }

private:
    // The conversation rendered; the oldest exchanges are left out, saying
    // so, while it does not fit the context with room for a block.
    std::string fittingPrompt()
    {
        const int32_t room = m_model.config().contextLength - m_settings.params.blockSize;
        while (true) {
            std::string prompt = renderChatTurn(m_template, m_settings, m_turns);
            const auto tokens = static_cast<int64_t>(m_model.tokenizer().encodeWithSpecialTokens(prompt).size());
            if (tokens <= room || m_turns.size() <= 1) return prompt;
            m_turns.erase(m_turns.begin(), m_turns.begin() + std::min<std::ptrdiff_t>(2, std::ssize(m_turns) - 1));
            std::cerr << "(the oldest exchange no longer fits the model's context of "
                      << m_model.config().contextLength << " tokens and is left out)\n";
        }
    }

    GenerationSettings& m_settings;
    const Model& m_model;
    const ChatTemplate& m_template;
    std::vector<ChatMessage> m_turns;
    uint64_t m_answered = 0;
};

int runChat(GenerationSettings& s)
{
    const auto model = prepareGeneration(s);
    ChatSession session(s, *model);
    const bool interactive = isatty(STDIN_FILENO) != 0;
    std::cerr << "chat with " << model->folder().filename().string() << " (template: "
              << model->chatTemplate()->origin() << ")\n";
    printSamplingLine(std::cerr, s.params);
    if (interactive) std::cerr << kHelp;
    while (const std::optional<std::string> message = readMessage(interactive)) {
        if (*message == "/quit") break;
        if (*message == "/help") {
            std::cerr << kHelp;
            continue;
        }
        if (*message == "/reset" || message->starts_with("/system ") || *message == "/system") {
            if (message->starts_with("/system")) s.system = message->size() > 8 ? message->substr(8) : std::string();
            session.reset();
            std::cerr << "(a new conversation)\n";
            continue;
        }
        if (message->empty()) continue;
        try {
            session.answer(*message);
        } catch (const Error& error) {
            // The conversation goes on; what was typed is still on the screen.
            session.dropUnanswered();
            std::cerr << "bd3: error: " << error.what() << '\n';
        }
    }
    return 0;
}

} // namespace

Command addChatCommand(CLI::App& app)
{
    auto s = std::make_shared<GenerationSettings>();
    addGenerationOptions(app, *s);
    addChatOptions(app, *s);
    return [s] { return runChat(*s); };
}

} // namespace bd3::cli
