// GPT-2's pre-tokenization: the text is cut into words before byte-level BPE
// runs on each word separately, so that merges never cross these boundaries.
#pragma once

#include <string_view>
#include <vector>

namespace bd3 {

// The regex of OpenAI's encoder.py, which Hugging Face's ByteLevel
// pre-tokenizer also uses when its use_regex is on.
inline constexpr std::string_view kGpt2WordPattern =
    R"('s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+)";

// Cuts valid UTF-8 text exactly as the JavaScript regex of the reference
// encoders does (gpt-3-encoder, after OpenAI's encoder.py):
//   /'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+/gu
// with JavaScript's \s, through the pre-tokenizers' SplitPattern
// (tokenizers/split_pattern.hpp). The words are views into text; together
// they cover it without gaps. \p{L} and \p{N} come from ICU's general
// categories, so they follow the Unicode version of the ICU linked in: code
// points assigned after it count as neither (ICU 72 knows Unicode 15.0; Node
// 20's regex may know a later one).
std::vector<std::string_view> splitGpt2Words(std::string_view text);

} // namespace bd3
