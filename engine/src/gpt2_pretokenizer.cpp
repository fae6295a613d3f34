#include "gpt2_pretokenizer.hpp"

#include <unicode/uchar.h>
#include <unicode/utf8.h>

#include <cstdint>

namespace bd3 {

namespace {

// The regex's character classes partition the code points: \p{L}, \p{N}, \s
// and everything else ([^\s\p{L}\p{N}]).
enum class CharClass : uint8_t { Letter, Number, Space, Other };

// \s as JavaScript defines it (WhiteSpace and LineTerminator in ECMA-262),
// which is not the same set as Unicode's White_Space property: U+FEFF is in,
// U+0085 and U+180E are out.
bool isJavaScriptSpace(UChar32 c)
{
    switch (c) {
    case 0x0009: case 0x000A: case 0x000B: case 0x000C: case 0x000D:
    case 0x0020: case 0x00A0: case 0x1680:
    case 0x2028: case 0x2029: case 0x202F: case 0x205F: case 0x3000: case 0xFEFF:
        return true;
    default:
        return c >= 0x2000 && c <= 0x200A;
    }
}

CharClass classify(UChar32 c)
{
    if (isJavaScriptSpace(c)) return CharClass::Space;
    switch (u_charType(c)) {
    case U_UPPERCASE_LETTER: case U_LOWERCASE_LETTER: case U_TITLECASE_LETTER:
    case U_MODIFIER_LETTER: case U_OTHER_LETTER:
        return CharClass::Letter;
    case U_DECIMAL_DIGIT_NUMBER: case U_LETTER_NUMBER: case U_OTHER_NUMBER:
        return CharClass::Number;
    default:
        return CharClass::Other;
    }
}

struct CodePoint {
    UChar32 value;
    CharClass cls;
    size_t offset;  // of its first byte in the text
};

std::vector<CodePoint> decodeCodePoints(std::string_view text)
{
    std::vector<CodePoint> codePoints;
    codePoints.reserve(text.size());
    size_t offset = 0;
    while (offset < text.size()) {
        const size_t start = offset;
        UChar32 c;
        U8_NEXT_UNSAFE(text.data(), offset, c);  // the caller has validated the text
        codePoints.push_back({c, classify(c), start});
    }
    return codePoints;
}

// The contractions 's 't 're 've 'm 'll 'd: length in code points, 0 if none
// starts at i. Case-sensitive, ASCII apostrophe only, as in the regex.
size_t contractionLength(const std::vector<CodePoint>& cps, size_t i)
{
    if (cps[i].value != '\'' || i + 1 >= cps.size()) return 0;
    const UChar32 a = cps[i + 1].value;
    if (a == 's' || a == 't' || a == 'm' || a == 'd') return 2;
    if (i + 2 >= cps.size()) return 0;
    const UChar32 b = cps[i + 2].value;
    if ((a == 'r' && b == 'e') || (a == 'v' && b == 'e') || (a == 'l' && b == 'l')) return 3;
    return 0;
}

size_t classRunEnd(const std::vector<CodePoint>& cps, size_t from)
{
    const CharClass cls = cps[from].cls;
    size_t end = from + 1;
    while (end < cps.size() && cps[end].cls == cls) ++end;
    return end;
}

// Index one past the regex match that starts at code point i. Some
// alternative always matches, so the matches tile the text.
size_t matchEnd(const std::vector<CodePoint>& cps, size_t i)
{
    if (const size_t length = contractionLength(cps, i)) return i + length;

    // " ?\p{L}+", " ?\p{N}+", " ?[^\s\p{L}\p{N}]+": a space may lead a run of
    // one non-space class. Without such a run after it, the space is left to
    // the whitespace alternatives below.
    const size_t body = cps[i].value == ' ' && i + 1 < cps.size() ? i + 1 : i;
    if (cps[body].cls != CharClass::Space) return classRunEnd(cps, body);

    // "\s+(?!\S)|\s+": a run of spaces followed by a non-space gives up its
    // last space, which then leads the next word; a single one cannot.
    const size_t end = classRunEnd(cps, i);
    if (end == cps.size() || end - i == 1) return end;
    return end - 1;
}

} // namespace

std::vector<std::string_view> splitGpt2Words(std::string_view text)
{
    const std::vector<CodePoint> cps = decodeCodePoints(text);
    std::vector<std::string_view> words;
    size_t i = 0;
    while (i < cps.size()) {
        const size_t end = matchEnd(cps, i);
        const size_t endOffset = end < cps.size() ? cps[end].offset : text.size();
        words.push_back(text.substr(cps[i].offset, endOffset - cps[i].offset));
        i = end;
    }
    return words;
}

} // namespace bd3
