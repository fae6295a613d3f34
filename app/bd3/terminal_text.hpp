// Text shown on a terminal, which would obey any control characters in it:
// an escape sequence in a prompt or in a model's output could recolour the
// screen, move the cursor or retitle the window. Written to a terminal, such
// characters are shown as visible symbols instead; written to a pipe or a
// file, text is passed through exactly, since there it is data.
#pragma once

#include <string>
#include <string_view>

namespace bd3::cli {

// C0 controls other than newline and tab become their Control Pictures
// (ESC is U+241B), DEL becomes U+2421 and the C1 controls U+FFFD; ill-formed
// UTF-8 becomes U+FFFD.
std::string terminalSafe(std::string_view text);

// Whether standard output is a terminal.
bool stdoutIsTerminal();

} // namespace bd3::cli
