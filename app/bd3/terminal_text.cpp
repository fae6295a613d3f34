#include "terminal_text.hpp"

#include "bd3/utf8.hpp"

#include <unistd.h>

namespace bd3::cli {

std::string terminalSafe(std::string_view text)
{
    const std::string valid = validUtf8(text);
    std::string shown;
    shown.reserve(valid.size());
    for (size_t i = 0; i < valid.size(); ++i) {
        const auto c = static_cast<unsigned char>(valid[i]);
        if (c == '\n' || c == '\t' || (c >= 0x20 && c < 0x7F)) {
            shown += static_cast<char>(c);
        } else if (c < 0x20) {
            // U+2400 + c: E2 90 (80 + c).
            shown += "\xE2\x90";
            shown += static_cast<char>(0x80 + c);
        } else if (c == 0x7F) {
            shown += "\u2421";
        } else if (c == 0xC2 && i + 1 < valid.size() && static_cast<unsigned char>(valid[i + 1]) < 0xA0) {
            shown += "\uFFFD";  // U+0080..U+009F, the C1 controls
            ++i;
        } else {
            shown += static_cast<char>(c);
        }
    }
    return shown;
}

bool stdoutIsTerminal() { return ::isatty(STDOUT_FILENO) != 0; }

} // namespace bd3::cli
