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

// The work a render may do before it is stopped: every expression, loop
// turn and element a filter touches costs one unit.
class Budget {
public:
    static constexpr uint64_t kLimit = 20'000'000;
    void charge(uint64_t units)
    {
        m_used += units;
        if (m_used > kLimit) throw RenderError("the template does more than 20 million steps of work");
    }

private:
    uint64_t m_used = 0;
};

}  // namespace bd3::jinja
