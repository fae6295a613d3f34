// The regular expressions that pre-tokenizers cut text with, over Unicode
// general categories: GPT-2's, and the Split patterns of tokenizer.json files
// (Qwen2's and its kin). std::regex cannot test \p{L}, so this is a small
// backtracking matcher of its own, with the semantics of the Perl-style
// engines the patterns were written for (the first alternative that leads to
// a match wins; quantifiers are greedy and give characters back).
//
// The syntax understood is what those patterns use:
//   a|b  (?:...)  (...)  (?i:...)  (?!...)  (?=...)
//   ?  *  +  {n}  {n,}  {n,m}                      greedy only
//   [...]  [^...]  with characters, ranges and the escapes below
//   \p{X}  \P{X}  X a general category (L, N, Lu, Nd, Letter, ...)
//   \s  \S  \r  \n  \t  \f  \v  and a backslash before punctuation
// Anything else (., ^, $, \d, \w, \b, lazy quantifiers, scripts, ...) is
// refused with a bd3::Error saying what and where, never matched wrongly.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace bd3 {

// What \s means. JavaScript's set (ECMA-262 WhiteSpace and LineTerminator)
// is the one gpt-3-encoder's regex uses; Unicode's White_Space property is
// the one of the Oniguruma engine that Hugging Face's tokenizers run
// tokenizer.json patterns with. They differ in U+0085 (Unicode only) and
// U+FEFF (JavaScript only).
enum class WhiteSpace : uint8_t { JavaScript, Unicode };

class SplitPattern {
public:
    // Throws bd3::Error "pattern <pattern>: <what is wrong> at character N".
    SplitPattern(std::string_view pattern, WhiteSpace whiteSpace);
    ~SplitPattern();
    SplitPattern(SplitPattern&&) noexcept;
    SplitPattern& operator=(SplitPattern&&) noexcept;

    // Cuts valid UTF-8 text into its matches, leftmost first and never
    // overlapping, and the stretches between them (Hugging Face's "Isolated"
    // split behaviour); the pieces are views into text that cover it in
    // order, without gaps. Appends them to pieces.
    void split(std::string_view text, std::vector<std::string_view>& pieces) const;

    const std::string& source() const { return m_source; }

    struct Program;  // the compiled pattern (split_pattern.cpp)

private:

    std::string m_source;
    WhiteSpace m_whiteSpace;
    std::unique_ptr<const Program> m_program;
};

} // namespace bd3
