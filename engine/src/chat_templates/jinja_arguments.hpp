// Call arguments as Python passes them (positional, then keywords) and the
// binding of them to a function's named parameters, for the filters, tests,
// methods and global functions.
#pragma once

#include "chat_templates/jinja_value.hpp"

#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace bd3::jinja {

struct Arguments {
    std::vector<Value> positional;
    std::vector<std::pair<std::string, Value>> keywords;
};

// One slot per parameter, in order: the argument given for it, by position
// or by keyword, or nothing. RenderError for too many positional arguments,
// an unknown keyword or one given twice. `what` names the function in the
// messages ("filter 'join'").
std::vector<std::optional<Value>> bindArguments(const Arguments& args, std::string_view what,
                                                std::initializer_list<std::string_view> parameters);

}  // namespace bd3::jinja
