// Builds the syntax tree from the tokens with jinja2's grammar (operator
// precedence, tests taking one bare argument, the statement tags), and
// rejects what this engine does not support by name and line.
#pragma once

#include "chat_templates/jinja_ast.hpp"
#include "chat_templates/jinja_expression_parser.hpp"
#include "chat_templates/jinja_lexer.hpp"

#include <memory>
#include <string>
#include <vector>

namespace bd3::jinja {

// Throws bd3::Error "<origin> line N: ..." for syntax errors, unknown or
// unsupported tags, filters and tests, and nesting beyond kMaxNesting.
std::unique_ptr<ast::Template> parse(std::vector<Token> tokens, const std::string& origin);

}  // namespace bd3::jinja
