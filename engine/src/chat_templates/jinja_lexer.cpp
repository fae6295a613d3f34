#include "chat_templates/jinja_lexer.hpp"

#include "bd3/error.hpp"
#include "chat_templates/jinja_text.hpp"

#include <unicode/uchar.h>
#include <unicode/utf8.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>

namespace bd3::jinja {

namespace {

// jinja2 reads every line break as \n and drops one final line break.
std::string normalizeNewlines(std::string_view source)
{
    std::string out;
    out.reserve(source.size());
    for (size_t i = 0; i < source.size(); ++i) {
        if (source[i] == '\r') {
            out.push_back('\n');
            if (i + 1 < source.size() && source[i + 1] == '\n') ++i;
        } else {
            out.push_back(source[i]);
        }
    }
    if (!out.empty() && out.back() == '\n') out.pop_back();
    return out;
}

bool isDigit(char c) { return c >= '0' && c <= '9'; }
bool isNameStart(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; }
bool isNameChar(char c) { return isNameStart(c) || isDigit(c); }

class Lexer {
public:
    Lexer(std::string source, const std::string& origin) : m_src(std::move(source)), m_origin(origin) {}

    std::vector<Token> run()
    {
        while (m_pos < m_src.size()) {
            if (!rootStep()) break;
        }
        push(TokenType::End);
        return std::move(m_tokens);
    }

private:
    [[noreturn]] void fail(const std::string& message) const
    {
        throw Error(m_origin + " line " + std::to_string(m_line) + ": " + message);
    }

    void push(TokenType type, std::string text = {})
    {
        Token token;
        token.type = type;
        token.text = std::move(text);
        token.line = m_line;
        m_tokens.push_back(std::move(token));
    }

    void advance(size_t to)
    {
        for (size_t i = m_pos; i < to; ++i) m_line += m_src[i] == '\n';
        m_pos = to;
    }

    bool startsWith(size_t at, std::string_view s) const { return m_src.compare(at, s.size(), s) == 0; }

    // The code point at `at` and its byte length (the source is valid UTF-8).
    std::pair<char32_t, size_t> codepointAt(size_t at) const
    {
        const auto* bytes = reinterpret_cast<const uint8_t*>(m_src.data());
        auto i = static_cast<int32_t>(at);
        UChar32 c = 0;
        U8_NEXT(bytes, i, static_cast<int32_t>(m_src.size()), c);
        return {c < 0 ? U'\uFFFD' : static_cast<char32_t>(c), static_cast<size_t>(i) - at};
    }

    size_t skipSpace(size_t at) const
    {
        while (at < m_src.size()) {
            const auto [c, size] = codepointAt(at);
            if (!text::isSpace(c)) break;
            at += size;
        }
        return at;
    }

    // `{% raw %}` at `at` (the sign already read): where it ends, or npos.
    size_t rawBeginEnd(size_t at) const
    {
        at = skipSpace(at);
        if (!startsWith(at, "raw")) return std::string::npos;
        at = skipSpace(at + 3);
        if (startsWith(at, "-%}")) return skipSpace(at + 3);
        if (startsWith(at, "%}")) return at + 2;
        return std::string::npos;
    }

    // The text before a tag, stripped as the tag's sign and lstrip_blocks say.
    std::string stripBefore(std::string_view text, char sign, bool isVariable) const
    {
        if (sign == '-') return text::strip(text, std::nullopt, text::Side::Right);
        if (sign == '+' || isVariable) return std::string(text);
        const size_t lineStart = text.rfind('\n') == std::string_view::npos ? 0 : text.rfind('\n') + 1;
        if (lineStart == 0 && !m_lineStarting) return std::string(text);
        const std::string_view tail = text.substr(lineStart);
        if (tail.empty()) return std::string(text);
        for (const char32_t c : text::decode(tail))
            if (!text::isSpace(c)) return std::string(text);
        return std::string(text.substr(0, lineStart));
    }

    bool rootStep()
    {
        size_t start = m_pos;
        char kind = 0;
        while (true) {
            start = m_src.find('{', start);
            if (start == std::string::npos || start + 1 >= m_src.size()) {
                start = std::string::npos;
                break;
            }
            kind = m_src[start + 1];
            if (kind == '{' || kind == '%' || kind == '#') break;
            ++start;
        }
        if (start == std::string::npos) {
            if (m_pos < m_src.size()) push(TokenType::Text, m_src.substr(m_pos));
            advance(m_src.size());
            return false;
        }
        size_t after = start + 2;
        char sign = 0;
        if (after < m_src.size() && (m_src[after] == '-' || m_src[after] == '+')) sign = m_src[after++];
        const size_t rawEnd = kind == '%' ? rawBeginEnd(after) : std::string::npos;

        const std::string text = stripBefore(std::string_view(m_src).substr(m_pos, start - m_pos), sign, kind == '{');
        if (!text.empty()) push(TokenType::Text, text);
        advance(start);

        if (rawEnd != std::string::npos) {
            advance(rawEnd);
            m_lineStarting = m_src[rawEnd - 1] == '\n';
            raw();
        } else if (kind == '#') {
            advance(after);
            comment();
        } else {
            push(kind == '{' ? TokenType::VariableBegin : TokenType::BlockBegin);
            advance(after);
            tag(kind == '{');
        }
        return true;
    }

    void comment()
    {
        // jinja2 lets a comment opened at the very end go unclosed.
        if (m_pos >= m_src.size()) return;
        for (size_t at = m_pos; at < m_src.size(); ++at) {
            size_t end = std::string::npos;
            if (startsWith(at, "+#}"))
                end = at + 3;
            else if (startsWith(at, "-#}"))
                end = skipSpace(at + 3);
            else if (startsWith(at, "#}"))
                end = at + 2 + (startsWith(at + 2, "\n") ? 1 : 0);
            if (end != std::string::npos) {
                advance(end);
                m_lineStarting = m_src[end - 1] == '\n';
                return;
            }
        }
        fail("missing end of comment tag");
    }

    void raw()
    {
        if (m_pos >= m_src.size()) return;  // as an unclosed comment at the end
        for (size_t at = m_src.find("{%", m_pos); at != std::string::npos; at = m_src.find("{%", at + 1)) {
            size_t p = at + 2;
            char sign = 0;
            if (p < m_src.size() && (m_src[p] == '-' || m_src[p] == '+')) sign = m_src[p++];
            p = skipSpace(p);
            if (!startsWith(p, "endraw")) continue;
            p = skipSpace(p + 6);
            size_t end = std::string::npos;
            if (startsWith(p, "+%}"))
                end = p + 3;
            else if (startsWith(p, "-%}"))
                end = skipSpace(p + 3);
            else if (startsWith(p, "%}"))
                end = p + 2 + (startsWith(p + 2, "\n") ? 1 : 0);
            if (end == std::string::npos) continue;
            const std::string text = stripBefore(std::string_view(m_src).substr(m_pos, at - m_pos), sign, false);
            if (!text.empty()) push(TokenType::Text, text);
            advance(end);
            m_lineStarting = m_src[end - 1] == '\n';
            return;
        }
        fail("missing end of raw directive");
    }

    // The end of the tag at m_pos, or npos.
    size_t tagEnd(bool isVariable) const
    {
        if (isVariable) {
            if (startsWith(m_pos, "-}}")) return skipSpace(m_pos + 3);
            if (startsWith(m_pos, "}}")) return m_pos + 2;
            return std::string::npos;
        }
        if (startsWith(m_pos, "+%}")) return m_pos + 3;
        if (startsWith(m_pos, "-%}")) return skipSpace(m_pos + 3);
        if (startsWith(m_pos, "%}")) return m_pos + 2 + (startsWith(m_pos + 2, "\n") ? 1 : 0);
        return std::string::npos;
    }

    void tag(bool isVariable)
    {
        std::string brackets;  // the closing brackets still expected
        while (m_pos < m_src.size()) {
            if (brackets.empty()) {
                const size_t end = tagEnd(isVariable);
                if (end != std::string::npos) {
                    push(isVariable ? TokenType::VariableEnd : TokenType::BlockEnd);
                    advance(end);
                    m_lineStarting = m_src[end - 1] == '\n';
                    return;
                }
            }
            const size_t spaceEnd = skipSpace(m_pos);
            if (spaceEnd > m_pos) {
                advance(spaceEnd);
                continue;
            }
            if (number() || name() || string()) continue;
            op(brackets);
        }
        // End of the source inside a tag: the parser reports what is missing.
    }

    // (\d+_)*\d+ at `at`: where it ends, or npos.
    size_t digits(size_t at) const
    {
        if (at >= m_src.size() || !isDigit(m_src[at])) return std::string::npos;
        while (true) {
            while (at < m_src.size() && isDigit(m_src[at])) ++at;
            if (at + 1 < m_src.size() && m_src[at] == '_' && isDigit(m_src[at + 1]))
                ++at;
            else
                return at;
        }
    }

    size_t exponent(size_t at) const
    {
        if (at >= m_src.size() || (m_src[at] != 'e' && m_src[at] != 'E')) return std::string::npos;
        ++at;
        if (at < m_src.size() && (m_src[at] == '+' || m_src[at] == '-')) ++at;
        return digits(at);
    }

    static std::string withoutUnderscores(std::string_view s)
    {
        std::string out;
        for (const char c : s)
            if (c != '_') out.push_back(c);
        return out;
    }

    // A prefixed integer (0b, 0o, 0x) at `at`: its end, or npos.
    size_t prefixedDigits(size_t at, int base) const
    {
        size_t p = at + 2;
        size_t end = std::string::npos;
        while (true) {
            size_t q = p;
            if (q < m_src.size() && m_src[q] == '_') ++q;
            if (q >= m_src.size()) break;
            const char c = static_cast<char>(m_src[q] | 0x20);
            const bool ok = base == 2    ? (c == '0' || c == '1')
                            : base == 8  ? (c >= '0' && c <= '7')
                                         : (isDigit(m_src[q]) || (c >= 'a' && c <= 'f'));
            if (!ok) break;
            p = end = q + 1;
        }
        return end;
    }

    bool number()
    {
        if (!isDigit(m_src[m_pos])) return false;
        // Floats first, as jinja2 tries them, but never right after a dot
        // (a.1.2 is a[1][2]).
        if (m_pos == 0 || m_src[m_pos - 1] != '.') {
            const size_t whole = digits(m_pos);
            size_t end = std::string::npos;
            if (whole < m_src.size() && m_src[whole] == '.') {
                const size_t fraction = digits(whole + 1);
                if (fraction != std::string::npos) {
                    const size_t exp = exponent(fraction);
                    end = exp != std::string::npos ? exp : fraction;
                }
            }
            if (end == std::string::npos) end = exponent(whole);
            if (end != std::string::npos) {
                Token token;
                token.type = TokenType::Float;
                token.line = m_line;
                token.number = std::strtod(withoutUnderscores(std::string_view(m_src).substr(m_pos, end - m_pos)).c_str(),
                                           nullptr);
                m_tokens.push_back(std::move(token));
                advance(end);
                return true;
            }
        }
        size_t end = std::string::npos;
        int base = 10;
        if (m_src[m_pos] == '0' && m_pos + 1 < m_src.size()) {
            const char p = static_cast<char>(m_src[m_pos + 1] | 0x20);
            base = p == 'b' ? 2 : p == 'o' ? 8 : p == 'x' ? 16 : 10;
            if (base != 10) end = prefixedDigits(m_pos, base);
            if (end == std::string::npos) base = 10;
        }
        if (end == std::string::npos) {
            if (m_src[m_pos] != '0') {
                end = m_pos + 1;
                while (true) {
                    size_t q = end;
                    if (q < m_src.size() && m_src[q] == '_') ++q;
                    if (q < m_src.size() && isDigit(m_src[q]))
                        end = q + 1;
                    else
                        break;
                }
            } else {
                end = m_pos + 1;
                while (true) {
                    size_t q = end;
                    if (q < m_src.size() && m_src[q] == '_') ++q;
                    if (q < m_src.size() && m_src[q] == '0')
                        end = q + 1;
                    else
                        break;
                }
            }
        }
        const std::string clean =
            withoutUnderscores(std::string_view(m_src).substr(m_pos + (base == 10 ? 0 : 2), end - m_pos - (base == 10 ? 0 : 2)));
        errno = 0;
        char* stop = nullptr;
        const long long value = std::strtoll(clean.c_str(), &stop, base);
        if (errno == ERANGE) fail("integer literal " + m_src.substr(m_pos, end - m_pos) + " is beyond 64 bits");
        Token token;
        token.type = TokenType::Integer;
        token.line = m_line;
        token.integer = value;
        m_tokens.push_back(std::move(token));
        advance(end);
        return true;
    }

    // A Python identifier: Unicode's XID_Start (or _) then XID_Continue.
    bool nameStartAt(size_t at, size_t& size) const
    {
        size = 1;
        if (static_cast<unsigned char>(m_src[at]) < 0x80) return isNameStart(m_src[at]);
        const auto [c, n] = codepointAt(at);
        size = n;
        return u_hasBinaryProperty(static_cast<UChar32>(c), UCHAR_XID_START);
    }

    bool nameCharAt(size_t at, size_t& size) const
    {
        size = 1;
        if (static_cast<unsigned char>(m_src[at]) < 0x80) return isNameChar(m_src[at]);
        const auto [c, n] = codepointAt(at);
        size = n;
        return u_hasBinaryProperty(static_cast<UChar32>(c), UCHAR_XID_CONTINUE);
    }

    bool name()
    {
        size_t size = 0;
        if (!nameStartAt(m_pos, size)) return false;
        size_t end = m_pos + size;
        while (end < m_src.size() && nameCharAt(end, size)) end += size;
        push(TokenType::Name, m_src.substr(m_pos, end - m_pos));
        advance(end);
        return true;
    }

    static int hexValue(char c)
    {
        if (isDigit(c)) return c - '0';
        const char l = static_cast<char>(c | 0x20);
        if (l >= 'a' && l <= 'f') return l - 'a' + 10;
        return -1;
    }

    // Python's unicode-escape decoding of what jinja2 hands it (non-ASCII
    // characters arrive as \xNN, \uNNNN or \UNNNNNNNN escapes).
    std::string unescape(std::string_view raw) const
    {
        std::string out;
        for (size_t i = 0; i < raw.size();) {
            if (raw[i] != '\\') {
                out.push_back(raw[i++]);
                continue;
            }
            if (i + 1 >= raw.size()) fail("string literal ends in a backslash");
            const char c = raw[i + 1];
            i += 2;
            switch (c) {
            case '\n': break;
            case '\\': out.push_back('\\'); break;
            case '\'': out.push_back('\''); break;
            case '"': out.push_back('"'); break;
            case 'a': out.push_back('\a'); break;
            case 'b': out.push_back('\b'); break;
            case 'f': out.push_back('\f'); break;
            case 'n': out.push_back('\n'); break;
            case 'r': out.push_back('\r'); break;
            case 't': out.push_back('\t'); break;
            case 'v': out.push_back('\v'); break;
            case 'x':
            case 'u':
            case 'U': {
                const size_t n = c == 'x' ? 2 : c == 'u' ? 4 : 8;
                uint32_t value = 0;
                for (size_t k = 0; k < n; ++k) {
                    const int h = i + k < raw.size() ? hexValue(raw[i + k]) : -1;
                    if (h < 0) fail(std::string("truncated \\") + c + " escape in a string literal");
                    value = value * 16 + static_cast<uint32_t>(h);
                }
                i += n;
                if (value > 0x10FFFF) fail("illegal Unicode character in a string literal");
                if (value >= 0xD800 && value <= 0xDFFF) fail("a string literal escapes a lone surrogate");
                text::appendCodepoint(out, value);
                break;
            }
            case 'N': fail("\\N{...} escapes are not supported in string literals");
            default:
                if (c >= '0' && c <= '7') {
                    uint32_t value = static_cast<uint32_t>(c - '0');
                    for (int k = 0; k < 2 && i < raw.size() && raw[i] >= '0' && raw[i] <= '7'; ++k)
                        value = value * 8 + static_cast<uint32_t>(raw[i++] - '0');
                    text::appendCodepoint(out, value);
                } else if (static_cast<unsigned char>(c) >= 0x80) {
                    // A backslash before a non-ASCII character escapes the
                    // backslash of the \x, \u or \U form jinja2 turned it into.
                    const size_t start = i - 1;
                    size_t end = start + 1;
                    while (end < raw.size() && (static_cast<unsigned char>(raw[end]) & 0xC0) == 0x80) ++end;
                    text::appendEscape(out, text::decode(raw.substr(start, end - start))[0]);
                    i = end;
                } else {
                    out.push_back('\\');
                    out.push_back(c);
                }
            }
        }
        return out;
    }

    bool string()
    {
        const char quote = m_src[m_pos];
        if (quote != '\'' && quote != '"') return false;
        size_t at = m_pos + 1;
        while (at < m_src.size() && m_src[at] != quote) at += m_src[at] == '\\' ? 2 : 1;
        if (at >= m_src.size()) fail("unterminated string literal");
        const int line = m_line;
        Token token;
        token.type = TokenType::String;
        token.line = line;
        token.text = unescape(std::string_view(m_src).substr(m_pos + 1, at - m_pos - 1));
        m_tokens.push_back(std::move(token));
        advance(at + 1);
        return true;
    }

    void op(std::string& brackets)
    {
        static const char* const kOperators[] = {"//", "**", "==", "!=", ">=", "<=", "+", "-", "/", "*", "%", "~", "[", "]",
                                                 "(",  ")",  "{",  "}",  ">",  "<",  "=", ".", ":", "|", ",", ";"};
        for (const char* candidate : kOperators) {
            const std::string_view o(candidate);
            if (!startsWith(m_pos, o)) continue;
            if (o == "(" || o == "[" || o == "{") {
                brackets.push_back(o == "(" ? ')' : o == "[" ? ']' : '}');
            } else if (o == ")" || o == "]" || o == "}") {
                if (brackets.empty()) fail("unexpected '" + std::string(o) + "'");
                if (brackets.back() != o[0])
                    fail("unexpected '" + std::string(o) + "', expected '" + std::string(1, brackets.back()) + "'");
                brackets.pop_back();
            }
            push(TokenType::Operator, std::string(o));
            advance(m_pos + o.size());
            return;
        }
        const auto [c, size] = codepointAt(m_pos);
        fail("unexpected character " + text::repr(m_src.substr(m_pos, size)) + " in a tag");
    }

    std::string m_src;
    const std::string& m_origin;
    size_t m_pos = 0;
    int m_line = 1;
    bool m_lineStarting = true;
    std::vector<Token> m_tokens;
};

}  // namespace

std::vector<Token> tokenize(std::string_view source, const std::string& origin)
{
    return Lexer(normalizeNewlines(source), origin).run();
}

}  // namespace bd3::jinja
