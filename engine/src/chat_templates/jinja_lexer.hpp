// Cuts a template into tokens as jinja2's lexer does with trim_blocks and
// lstrip_blocks on: text, the tag delimiters, and inside tags names,
// literals and operators. Whitespace control ({%- -%} {{- -}} {#- -#},
// {%+ +%}), comments and {% raw %} are settled here; the parser sees text
// already stripped.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace bd3::jinja {

enum class TokenType { Text, VariableBegin, VariableEnd, BlockBegin, BlockEnd, Name, String, Integer, Float, Operator, End };

struct Token {
    TokenType type = TokenType::End;
    std::string text;  // Text's content, a Name, a String's decoded value, an Operator
    int64_t integer = 0;
    double number = 0.0;
    int line = 1;
};

// Throws bd3::Error "<origin> line N: ..." for what jinja2's lexer rejects.
// The last token is always End.
std::vector<Token> tokenize(std::string_view source, const std::string& origin);

}  // namespace bd3::jinja
