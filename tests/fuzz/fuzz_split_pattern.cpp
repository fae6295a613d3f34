// Pre-tokenizer patterns (the Split regex of a tokenizer.json): the input is
// the pattern, a NUL byte, then a text. Any pattern compiles or gives a
// bd3::Error; a compiled one cuts valid UTF-8 text into non-empty pieces that
// cover it in order, under either meaning of \s, in bounded time.
#include "tokenizers/split_pattern.hpp"

#include "bd3/error.hpp"
#include "bd3/utf8.hpp"

#include <string_view>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    const std::string_view input(reinterpret_cast<const char*>(data), size);
    const size_t split = input.find('\0');
    if (split == std::string_view::npos) return 0;
    const std::string_view text = input.substr(split + 1);
    if (bd3::firstInvalidUtf8(text)) return 0;
    for (const auto whiteSpace : {bd3::WhiteSpace::Unicode, bd3::WhiteSpace::JavaScript}) {
        try {
            const bd3::SplitPattern pattern(input.substr(0, split), whiteSpace);
            std::vector<std::string_view> pieces;
            pattern.split(text, pieces);
            const char* at = text.data();
            for (const std::string_view piece : pieces) {
                if (piece.empty() || piece.data() != at) __builtin_trap();
                at += piece.size();
            }
            if (at != text.data() + text.size()) __builtin_trap();
        } catch (const bd3::Error&) {
        }
    }
    return 0;
}
