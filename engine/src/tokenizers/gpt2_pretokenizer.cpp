#include "tokenizers/gpt2_pretokenizer.hpp"

#include "tokenizers/split_pattern.hpp"

namespace bd3 {

std::vector<std::string_view> splitGpt2Words(std::string_view text)
{
    static const SplitPattern pattern(kGpt2WordPattern, WhiteSpace::JavaScript);
    std::vector<std::string_view> words;
    pattern.split(text, words);  // some alternative matches anywhere, so every piece is a match
    return words;
}

} // namespace bd3
