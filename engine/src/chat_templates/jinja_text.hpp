// Python's str semantics on UTF-8 text: code point indexing, whitespace as
// str.isspace() sees it, the case mappings (full Unicode mappings, as Python
// has them, through ICU), split/strip/replace/find, and repr(). Every input
// is valid UTF-8 (the template checks what enters), and every output is too.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace bd3::jinja::text {

std::u32string decode(std::string_view utf8);
std::string encode(std::u32string_view codepoints);
void appendCodepoint(std::string& out, char32_t c);
size_t codepointCount(std::string_view utf8);

bool isSpace(char32_t c);      // str.isspace()
bool isLineBreak(char32_t c);  // a boundary of str.splitlines()
bool isPrintable(char32_t c);  // str.isprintable(), for repr()

std::string lower(std::string_view s);
std::string upper(std::string_view s);
std::string capitalize(std::string_view s);  // str.capitalize()
std::string title(std::string_view s);       // str.title()
bool isLower(std::string_view s);
bool isUpper(std::string_view s);
// str.isdigit(), isalpha(), isalnum(), isspace(), isdecimal(), isnumeric()
enum class CharClass { Digit, Alpha, Alnum, Space, Decimal, Numeric };
bool isAll(std::string_view s, CharClass cls);
bool isWordChar(char32_t c);  // what \w matches in Python's re
// What int() and float() parse: Unicode decimal digits made ASCII, every
// whitespace character a space.
std::string asciiDigitsAndSpaces(std::string_view s);

enum class Side { Both, Left, Right };
// str.strip(chars): chars absent strips whitespace.
std::string strip(std::string_view s, const std::optional<std::string>& chars, Side side);
// str.split(sep, maxsplit) and str.rsplit; an empty sep is the caller's error.
std::vector<std::string> split(std::string_view s, const std::optional<std::string>& sep, int64_t maxsplit);
std::vector<std::string> rsplit(std::string_view s, const std::optional<std::string>& sep, int64_t maxsplit);
std::vector<std::string> splitLines(std::string_view s, bool keepEnds);
// str.replace(old, new, count); a negative count replaces all. maxBytes
// bounds the result (RenderError beyond it).
std::string replace(std::string_view s, std::string_view from, std::string_view to, int64_t count, size_t maxBytes);
// Python's slice index rules applied to [start, end) in code points; the
// byte range of that part of s.
std::pair<size_t, size_t> byteRange(std::string_view s, std::optional<int64_t> start, std::optional<int64_t> end);
// str.find / rfind / count on the whole string, in code points (-1: absent).
int64_t find(std::string_view s, std::string_view sub, bool fromRight);
int64_t count(std::string_view s, std::string_view sub);
// str.center(width)
std::string center(std::string_view s, int64_t width, size_t maxBytes);

std::string repr(std::string_view s);  // Python's repr() of a str
// A code point as Python escapes it: \xhh, \uhhhh or \Uhhhhhhhh.
void appendEscape(std::string& out, char32_t c);
std::string htmlEscape(std::string_view s);  // markupsafe.escape

}  // namespace bd3::jinja::text
