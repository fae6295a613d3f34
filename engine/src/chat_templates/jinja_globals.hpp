// The global functions a chat template may call: jinja2's range (with the
// sandbox's size limit), dict and namespace, and transformers' strftime_now
// (raise_exception, which needs no more than a message, is the renderer's).
#pragma once

#include "chat_templates/jinja_arguments.hpp"
#include "chat_templates/jinja_value.hpp"

#include <chrono>
#include <string_view>

namespace bd3::jinja {

// Whether name is one of jinja2's or transformers' globals, and whether this
// engine has it (lipsum, cycler and joiner it has not).
bool isGlobal(std::string_view name);
bool isSupportedGlobal(std::string_view name);

Value callRange(Budget& budget, const Arguments& args);
Dict callDict(const Arguments& args, std::string_view what);  // dict(...) and namespace(...)
// datetime.now().strftime(format), with `now` for the clock, in local time.
std::string strftimeNow(std::string_view format, std::chrono::system_clock::time_point now);

}  // namespace bd3::jinja
