#include "chat_templates/jinja_text.hpp"

#include "chat_templates/jinja_error.hpp"

#include <unicode/uchar.h>
#include <unicode/ucasemap.h>
#include <unicode/utf8.h>

#include <algorithm>
#include <cstdio>
#include <memory>

namespace bd3::jinja::text {

namespace {

// Each position where a code point starts, plus the end.
std::vector<size_t> boundaries(std::string_view s)
{
    std::vector<size_t> at;
    at.reserve(s.size() + 1);
    for (size_t i = 0; i < s.size(); ++i)
        if ((static_cast<unsigned char>(s[i]) & 0xC0) != 0x80) at.push_back(i);
    at.push_back(s.size());
    return at;
}

enum class CaseOp { Lower, Upper, Title };

struct CaseMapCloser {
    void operator()(UCaseMap* map) const { ucasemap_close(map); }
};
using CaseMapPtr = std::unique_ptr<UCaseMap, CaseMapCloser>;

CaseMapPtr openCaseMap(CaseOp op)
{
    UErrorCode status = U_ZERO_ERROR;
    // Titlecasing one code point at a time: no word breaking, no lowering.
    const uint32_t options = op == CaseOp::Title
        ? U_TITLECASE_WHOLE_STRING | U_TITLECASE_NO_LOWERCASE | U_TITLECASE_NO_BREAK_ADJUSTMENT
        : 0;
    CaseMapPtr map(ucasemap_open("", options, &status));
    if (U_FAILURE(status) || !map) throw RenderError(std::string("ICU cannot map case: ") + u_errorName(status));
    return map;
}

// Python's full case mappings, on the root locale (final sigma included).
std::string mapCase(const UCaseMap* map, CaseOp op, std::string_view s)
{
    if (s.empty()) return {};
    std::string out(s.size() * 3 + 8, '\0');
    for (int attempt = 0; attempt < 2; ++attempt) {
        UErrorCode status = U_ZERO_ERROR;
        const auto srcLength = static_cast<int32_t>(s.size());
        const auto capacity = static_cast<int32_t>(out.size());
        int32_t length = 0;
        if (op == CaseOp::Lower)
            length = ucasemap_utf8ToLower(map, out.data(), capacity, s.data(), srcLength, &status);
        else if (op == CaseOp::Upper)
            length = ucasemap_utf8ToUpper(map, out.data(), capacity, s.data(), srcLength, &status);
        else
            length = ucasemap_utf8ToTitle(const_cast<UCaseMap*>(map), out.data(), capacity, s.data(), srcLength,
                                          &status);
        if (status == U_BUFFER_OVERFLOW_ERROR) {
            out.assign(static_cast<size_t>(length) + 1, '\0');
            continue;
        }
        if (U_FAILURE(status)) throw RenderError(std::string("ICU cannot map case: ") + u_errorName(status));
        out.resize(static_cast<size_t>(length));
        return out;
    }
    throw RenderError("ICU cannot map case");
}

bool isCased(char32_t c) { return u_hasBinaryProperty(static_cast<UChar32>(c), UCHAR_CASED); }
bool isLowerChar(char32_t c) { return u_hasBinaryProperty(static_cast<UChar32>(c), UCHAR_LOWERCASE); }
bool isUpperChar(char32_t c) { return u_hasBinaryProperty(static_cast<UChar32>(c), UCHAR_UPPERCASE); }
bool isTitleChar(char32_t c) { return u_charType(static_cast<UChar32>(c)) == U_TITLECASE_LETTER; }

int numericType(char32_t c) { return u_getIntPropertyValue(static_cast<UChar32>(c), UCHAR_NUMERIC_TYPE); }
bool isDecimalChar(char32_t c) { return numericType(c) == U_NT_DECIMAL; }
bool isDigitChar(char32_t c) { return isDecimalChar(c) || numericType(c) == U_NT_DIGIT; }
bool isNumericChar(char32_t c) { return isDigitChar(c) || numericType(c) == U_NT_NUMERIC; }
bool isAlphaChar(char32_t c)
{
    switch (u_charType(static_cast<UChar32>(c))) {
    case U_UPPERCASE_LETTER:
    case U_LOWERCASE_LETTER:
    case U_TITLECASE_LETTER:
    case U_MODIFIER_LETTER:
    case U_OTHER_LETTER: return true;
    default: return false;
    }
}
bool isAlnumChar(char32_t c) { return isAlphaChar(c) || isNumericChar(c); }

std::vector<std::string> encodeAll(const std::u32string& s, const std::vector<std::pair<size_t, size_t>>& parts)
{
    std::vector<std::string> out;
    out.reserve(parts.size());
    for (const auto& [from, to] : parts) out.push_back(encode(std::u32string_view(s).substr(from, to - from)));
    return out;
}

}  // namespace

std::u32string decode(std::string_view utf8)
{
    std::u32string out;
    out.reserve(utf8.size());
    const auto* bytes = reinterpret_cast<const uint8_t*>(utf8.data());
    const auto length = static_cast<int32_t>(utf8.size());
    int32_t i = 0;
    while (i < length) {
        UChar32 c = 0;
        U8_NEXT(bytes, i, length, c);
        out.push_back(c < 0 ? U'\uFFFD' : static_cast<char32_t>(c));
    }
    return out;
}

void appendCodepoint(std::string& out, char32_t c)
{
    if (c < 0x80) {
        out.push_back(static_cast<char>(c));
    } else if (c < 0x800) {
        out.push_back(static_cast<char>(0xC0 | (c >> 6)));
        out.push_back(static_cast<char>(0x80 | (c & 0x3F)));
    } else if (c < 0x10000) {
        out.push_back(static_cast<char>(0xE0 | (c >> 12)));
        out.push_back(static_cast<char>(0x80 | ((c >> 6) & 0x3F)));
        out.push_back(static_cast<char>(0x80 | (c & 0x3F)));
    } else {
        out.push_back(static_cast<char>(0xF0 | (c >> 18)));
        out.push_back(static_cast<char>(0x80 | ((c >> 12) & 0x3F)));
        out.push_back(static_cast<char>(0x80 | ((c >> 6) & 0x3F)));
        out.push_back(static_cast<char>(0x80 | (c & 0x3F)));
    }
}

std::string encode(std::u32string_view codepoints)
{
    std::string out;
    out.reserve(codepoints.size());
    for (const char32_t c : codepoints) appendCodepoint(out, c);
    return out;
}

size_t codepointCount(std::string_view utf8)
{
    size_t n = 0;
    for (const char c : utf8) n += (static_cast<unsigned char>(c) & 0xC0) != 0x80;
    return n;
}

bool isSpace(char32_t c)
{
    return (c >= 0x09 && c <= 0x0D) || (c >= 0x1C && c <= 0x20) || c == 0x85 || c == 0xA0 || c == 0x1680 ||
           (c >= 0x2000 && c <= 0x200A) || c == 0x2028 || c == 0x2029 || c == 0x202F || c == 0x205F || c == 0x3000;
}

bool isLineBreak(char32_t c)
{
    return (c >= 0x0A && c <= 0x0D) || (c >= 0x1C && c <= 0x1E) || c == 0x85 || c == 0x2028 || c == 0x2029;
}

bool isPrintable(char32_t c)
{
    if (c == U' ') return true;
    switch (u_charType(static_cast<UChar32>(c))) {
    case U_CONTROL_CHAR:
    case U_FORMAT_CHAR:
    case U_SURROGATE:
    case U_PRIVATE_USE_CHAR:
    case U_UNASSIGNED:
    case U_LINE_SEPARATOR:
    case U_PARAGRAPH_SEPARATOR:
    case U_SPACE_SEPARATOR: return false;
    default: return true;
    }
}

std::string lower(std::string_view s)
{
    bool ascii = true;
    for (const char c : s) ascii = ascii && static_cast<unsigned char>(c) < 0x80;
    if (ascii) {
        std::string out(s);
        for (char& c : out)
            if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
        return out;
    }
    return mapCase(openCaseMap(CaseOp::Lower).get(), CaseOp::Lower, s);
}

std::string upper(std::string_view s)
{
    bool ascii = true;
    for (const char c : s) ascii = ascii && static_cast<unsigned char>(c) < 0x80;
    if (ascii) {
        std::string out(s);
        for (char& c : out)
            if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
        return out;
    }
    return mapCase(openCaseMap(CaseOp::Upper).get(), CaseOp::Upper, s);
}

std::string capitalize(std::string_view s)
{
    if (s.empty()) return {};
    const auto at = boundaries(s);
    const auto titleMap = openCaseMap(CaseOp::Title);
    return mapCase(titleMap.get(), CaseOp::Title, s.substr(0, at[1])) + lower(s.substr(at[1]));
}

std::string title(std::string_view s)
{
    const auto titleMap = openCaseMap(CaseOp::Title);
    const auto lowerMap = openCaseMap(CaseOp::Lower);
    const auto at = boundaries(s);
    const std::u32string cps = decode(s);
    std::string out;
    bool previousCased = false;
    for (size_t i = 0; i < cps.size(); ++i) {
        const std::string_view one = s.substr(at[i], at[i + 1] - at[i]);
        if (cps[i] < 0x80) {
            char c = one[0];
            if (previousCased && c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
            if (!previousCased && c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
            out.push_back(c);
        } else {
            out += previousCased ? mapCase(lowerMap.get(), CaseOp::Lower, one)
                                 : mapCase(titleMap.get(), CaseOp::Title, one);
        }
        previousCased = isCased(cps[i]);
    }
    return out;
}

bool isLower(std::string_view s)
{
    bool cased = false;
    for (const char32_t c : decode(s)) {
        if (isUpperChar(c) || isTitleChar(c)) return false;
        cased = cased || isLowerChar(c);
    }
    return cased;
}

bool isUpper(std::string_view s)
{
    bool cased = false;
    for (const char32_t c : decode(s)) {
        if (isLowerChar(c) || isTitleChar(c)) return false;
        cased = cased || isUpperChar(c);
    }
    return cased;
}

bool isAll(std::string_view s, CharClass cls)
{
    if (s.empty()) return false;
    for (const char32_t c : decode(s)) {
        bool ok = false;
        switch (cls) {
        case CharClass::Digit: ok = isDigitChar(c); break;
        case CharClass::Alpha: ok = isAlphaChar(c); break;
        case CharClass::Alnum: ok = isAlnumChar(c); break;
        case CharClass::Space: ok = isSpace(c); break;
        case CharClass::Decimal: ok = isDecimalChar(c); break;
        case CharClass::Numeric: ok = isNumericChar(c); break;
        }
        if (!ok) return false;
    }
    return true;
}

bool isWordChar(char32_t c) { return c == U'_' || isAlnumChar(c); }

std::string asciiDigitsAndSpaces(std::string_view s)
{
    std::string out;
    for (const char32_t c : decode(s)) {
        if (c >= 0x80 && isDecimalChar(c))
            out.push_back(static_cast<char>('0' + u_charDigitValue(static_cast<UChar32>(c))));
        else if (c >= 0x80 && isSpace(c))
            out.push_back(' ');
        else
            appendCodepoint(out, c);
    }
    return out;
}

std::string strip(std::string_view s, const std::optional<std::string>& chars, Side side)
{
    const std::u32string set = chars ? decode(*chars) : std::u32string();
    const auto strippable = [&](char32_t c) {
        return chars ? set.find(c) != std::u32string::npos : isSpace(c);
    };
    const std::u32string cps = decode(s);
    size_t from = 0;
    size_t to = cps.size();
    if (side != Side::Right)
        while (from < to && strippable(cps[from])) ++from;
    if (side != Side::Left)
        while (to > from && strippable(cps[to - 1])) --to;
    return encode(std::u32string_view(cps).substr(from, to - from));
}

std::vector<std::string> split(std::string_view s, const std::optional<std::string>& sep, int64_t maxsplit)
{
    if (maxsplit < 0) maxsplit = INT64_MAX;
    std::vector<std::string> out;
    if (sep) {
        size_t from = 0;
        while (maxsplit-- > 0) {
            const size_t at = s.find(*sep, from);
            if (at == std::string_view::npos) break;
            out.emplace_back(s.substr(from, at - from));
            from = at + sep->size();
        }
        out.emplace_back(s.substr(from));
        return out;
    }
    const std::u32string cps = decode(s);
    std::vector<std::pair<size_t, size_t>> parts;
    const size_t n = cps.size();
    size_t i = 0;
    while (maxsplit-- > 0) {
        while (i < n && isSpace(cps[i])) ++i;
        if (i == n) break;
        const size_t j = i++;
        while (i < n && !isSpace(cps[i])) ++i;
        parts.emplace_back(j, i);
    }
    if (i < n) {
        while (i < n && isSpace(cps[i])) ++i;
        if (i != n) parts.emplace_back(i, n);
    }
    return encodeAll(cps, parts);
}

std::vector<std::string> rsplit(std::string_view s, const std::optional<std::string>& sep, int64_t maxsplit)
{
    if (maxsplit < 0) maxsplit = INT64_MAX;
    std::vector<std::string> out;
    if (sep) {
        size_t to = s.size();
        while (maxsplit-- > 0 && to >= sep->size()) {
            const size_t at = s.substr(0, to).rfind(*sep);
            if (at == std::string_view::npos) break;
            out.emplace_back(s.substr(at + sep->size(), to - at - sep->size()));
            to = at;
        }
        out.emplace_back(s.substr(0, to));
        std::reverse(out.begin(), out.end());
        return out;
    }
    const std::u32string cps = decode(s);
    std::vector<std::pair<size_t, size_t>> parts;
    auto i = static_cast<int64_t>(cps.size()) - 1;
    const auto space = [&](int64_t k) { return isSpace(cps[static_cast<size_t>(k)]); };
    while (maxsplit-- > 0) {
        while (i >= 0 && space(i)) --i;
        if (i < 0) break;
        const int64_t j = i--;
        while (i >= 0 && !space(i)) --i;
        parts.emplace_back(static_cast<size_t>(i + 1), static_cast<size_t>(j + 1));
    }
    if (i >= 0) {
        while (i >= 0 && space(i)) --i;
        if (i >= 0) parts.emplace_back(0, static_cast<size_t>(i + 1));
    }
    std::reverse(parts.begin(), parts.end());
    return encodeAll(cps, parts);
}

std::vector<std::string> splitLines(std::string_view s, bool keepEnds)
{
    const std::u32string cps = decode(s);
    std::vector<std::pair<size_t, size_t>> parts;
    const size_t n = cps.size();
    size_t i = 0;
    while (i < n) {
        const size_t j = i;
        while (i < n && !isLineBreak(cps[i])) ++i;
        size_t eol = i;
        if (i < n) {
            i += (cps[i] == U'\r' && i + 1 < n && cps[i + 1] == U'\n') ? 2 : 1;
            if (keepEnds) eol = i;
        }
        parts.emplace_back(j, eol);
    }
    return encodeAll(cps, parts);
}

std::string replace(std::string_view s, std::string_view from, std::string_view to, int64_t count, size_t maxBytes)
{
    if (count < 0) count = INT64_MAX;
    std::string out;
    const auto append = [&](std::string_view piece) {
        if (out.size() + piece.size() > maxBytes) throw RenderError("a string would exceed the 64 MiB limit");
        out += piece;
    };
    if (from.empty()) {
        // Python inserts the replacement before every code point and at the end.
        const auto at = boundaries(s);
        for (size_t i = 0; i + 1 < at.size(); ++i) {
            if (count > 0) {
                append(to);
                --count;
            }
            append(s.substr(at[i], at[i + 1] - at[i]));
        }
        if (count > 0) append(to);
        return out;
    }
    size_t pos = 0;
    while (count > 0) {
        const size_t hit = s.find(from, pos);
        if (hit == std::string_view::npos) break;
        append(s.substr(pos, hit - pos));
        append(to);
        pos = hit + from.size();
        --count;
    }
    append(s.substr(pos));
    return out;
}

std::pair<size_t, size_t> byteRange(std::string_view s, std::optional<int64_t> start, std::optional<int64_t> end)
{
    const auto at = boundaries(s);
    const auto length = static_cast<int64_t>(at.size() - 1);
    const auto clamp = [&](std::optional<int64_t> index, int64_t absent) {
        int64_t i = index.value_or(absent);
        if (i < 0) i = std::max<int64_t>(0, i + length);
        return std::min(i, length);
    };
    const int64_t from = clamp(start, 0);
    const int64_t to = std::max(from, clamp(end, length));
    return {at[static_cast<size_t>(from)], at[static_cast<size_t>(to)]};
}

int64_t find(std::string_view s, std::string_view sub, bool fromRight)
{
    const size_t at = fromRight ? s.rfind(sub) : s.find(sub);
    if (at == std::string_view::npos) return -1;
    return static_cast<int64_t>(codepointCount(s.substr(0, at)));
}

int64_t count(std::string_view s, std::string_view sub)
{
    if (sub.empty()) return static_cast<int64_t>(codepointCount(s)) + 1;
    int64_t n = 0;
    for (size_t at = s.find(sub); at != std::string_view::npos; at = s.find(sub, at + sub.size())) ++n;
    return n;
}

std::string center(std::string_view s, int64_t width, size_t maxBytes)
{
    const auto length = static_cast<int64_t>(codepointCount(s));
    if (width <= length) return std::string(s);
    const int64_t pad = width - length;
    if (static_cast<uint64_t>(pad) > maxBytes - s.size()) throw RenderError("a string would exceed the 64 MiB limit");
    // CPython's rule for where the odd space goes.
    const int64_t left = pad / 2 + (pad & width & 1);
    return std::string(static_cast<size_t>(left), ' ') + std::string(s) +
           std::string(static_cast<size_t>(pad - left), ' ');
}

void appendEscape(std::string& out, char32_t c)
{
    char buffer[16];
    if (c <= 0xFF)
        std::snprintf(buffer, sizeof buffer, "\\x%02x", static_cast<unsigned>(c));
    else if (c <= 0xFFFF)
        std::snprintf(buffer, sizeof buffer, "\\u%04x", static_cast<unsigned>(c));
    else
        std::snprintf(buffer, sizeof buffer, "\\U%08x", static_cast<unsigned>(c));
    out += buffer;
}

std::string repr(std::string_view s)
{
    const bool hasSingle = s.find('\'') != std::string_view::npos;
    const bool hasDouble = s.find('"') != std::string_view::npos;
    const char quote = hasSingle && !hasDouble ? '"' : '\'';
    std::string out(1, quote);
    for (const char32_t c : decode(s)) {
        if (c == static_cast<char32_t>(quote) || c == U'\\') {
            out.push_back('\\');
            out.push_back(static_cast<char>(c));
        } else if (c == U'\t') {
            out += "\\t";
        } else if (c == U'\n') {
            out += "\\n";
        } else if (c == U'\r') {
            out += "\\r";
        } else if (c >= 0x20 && c != 0x7F && (c < 0x7F || isPrintable(c))) {
            appendCodepoint(out, c);
        } else {
            appendEscape(out, c);
        }
    }
    out.push_back(quote);
    return out;
}

std::string htmlEscape(std::string_view s)
{
    std::string out;
    out.reserve(s.size());
    for (const char c : s) {
        switch (c) {
        case '&': out += "&amp;"; break;
        case '<': out += "&lt;"; break;
        case '>': out += "&gt;"; break;
        case '"': out += "&#34;"; break;
        case '\'': out += "&#39;"; break;
        default: out.push_back(c);
        }
    }
    return out;
}

}  // namespace bd3::jinja::text
