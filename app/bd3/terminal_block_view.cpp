#include "terminal_block_view.hpp"

#include "terminal_text.hpp"

#include "bd3/utf8.hpp"

#include <sys/ioctl.h>
#include <unistd.h>

#include <array>

namespace bd3::cli {

namespace {

// Distinct 256-colour foregrounds for successive steps.
constexpr std::array<int, 8> stepColours = {39, 208, 113, 170, 220, 44, 203, 141};
constexpr const char* reset = "\033[0m";

size_t terminalWidth()
{
    winsize size{};
    if (::ioctl(STDERR_FILENO, TIOCGWINSZ, &size) == 0 && size.ws_col > 0) return size.ws_col;
    return 100;
}

// Display width of UTF-8 text, counting each code point as one column.
size_t columns(const std::string& text)
{
    size_t n = 0;
    for (unsigned char c : text) n += (c & 0xC0) != 0x80;
    return n;
}

} // namespace

TerminalBlockView::TerminalBlockView(const Tokenizer& tokenizer, int32_t maskId, std::ostream& out)
    : m_tokenizer(tokenizer), m_maskId(maskId), m_out(out), m_width(terminalWidth())
{
}

std::string TerminalBlockView::cellText(int32_t token) const
{
    if (token < 0 || token >= m_tokenizer.size()) return std::string("<").append(std::to_string(token)).append(">");
    // A token may hold part of a multi-byte character; that part shows as U+FFFD.
    std::string text;
    for (char c : terminalSafe(m_tokenizer.decode(std::span(&token, 1)))) {
        if (c == '\n') text += "\u23ce";
        else if (c == '\t') text += "\u21e5";
        else text += c;
    }
    return text;
}

void TerminalBlockView::blockStarted(const BlockStarted& event)
{
    m_block = event.block;
    m_tokens = event.tokens;
    m_revealStep.assign(m_tokens.size(), -1);
    redraw();
}

void TerminalBlockView::stepDone(const StepDone& event)
{
    for (const Reveal& reveal : event.reveals) {
        m_tokens[static_cast<size_t>(reveal.offset)] = reveal.token;
        m_revealStep[static_cast<size_t>(reveal.offset)] = event.step;
    }
    redraw();
}

void TerminalBlockView::blockCommitted(const BlockCommitted&)
{
    m_out << '\n' << std::flush;
}

void TerminalBlockView::redraw()
{
    std::string line = "block " + std::to_string(m_block) + " \u2502";
    size_t used = columns(line);
    std::string drawn = line;
    for (size_t i = 0; i < m_tokens.size(); ++i) {
        const bool masked = m_tokens[i] == m_maskId;
        const std::string text = masked ? "\u2591\u2591\u2591" : cellText(m_tokens[i]);
        if (used + columns(text) + 1 > m_width) {
            drawn += "\u2026";
            break;
        }
        used += columns(text) + 1;
        if (masked) {
            drawn += "\033[2m";
        } else if (m_revealStep[i] < 0) {
            drawn += "\033[1m";  // known before the block started
        } else {
            const int colour = stepColours[static_cast<size_t>(m_revealStep[i]) % stepColours.size()];
            drawn.append("\033[38;5;").append(std::to_string(colour)).append("m");
        }
        drawn.append(text).append(reset).append("\u2502");
    }
    m_out << "\r\033[K" << drawn << std::flush;
}

} // namespace bd3::cli
