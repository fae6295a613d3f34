// jinja2's built-in filters and tests that chat templates use, with
// transformers' tojson in place of jinja2's own. The parser looks names up
// here, so an unknown filter or test fails when the template is read.
#pragma once

#include "chat_templates/jinja_arguments.hpp"
#include "chat_templates/jinja_value.hpp"

#include <string_view>

namespace bd3::jinja {

using FilterFunction = Value (*)(Budget& budget, const Value& operand, const Arguments& args);
using TestFunction = bool (*)(Budget& budget, const Value& operand, const Arguments& args);

// nullptr for a name this engine does not have.
FilterFunction findFilter(std::string_view name);
TestFunction findTest(std::string_view name);
// Whether jinja2 has the filter (or test), for saying "unsupported" rather
// than "unknown".
bool jinjaHasFilter(std::string_view name);
bool jinjaHasTest(std::string_view name);

// Filters and tests by name at render time (map('int'), select('odd')).
Value applyFilter(Budget& budget, std::string_view name, const Value& operand, const Arguments& args);
bool applyTest(Budget& budget, std::string_view name, const Value& operand, const Arguments& args);

}  // namespace bd3::jinja
