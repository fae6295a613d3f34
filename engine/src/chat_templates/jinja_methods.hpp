// Attribute and item access as jinja2's immutable sandbox resolves them,
// and the Python methods templates call: str's (split, strip, startswith,
// ...), dict's (items, keys, values, get), list's and tuple's (count,
// index) and the loop object's (cycle, changed). Methods that change a list
// or dict give an Undefined whose use raises the sandbox's security error.
#pragma once

#include "chat_templates/jinja_arguments.hpp"
#include "chat_templates/jinja_value.hpp"

#include <string_view>

namespace bd3::jinja {

// obj.name: the Python attribute first, then obj['name'].
Value getAttribute(const Value& obj, std::string_view name);
// getattr(obj, name) alone (the attr filter): an Undefined when obj has no
// such Python attribute.
Value getPythonAttribute(const Value& obj, std::string_view name);
// obj[key]: the item first, then, for a str key, the attribute.
Value getItem(const Value& obj, const Value& key);
// obj[start:stop:step]; None stands for an absent bound. What Python's
// subscript rejects with a TypeError raises, or with `constant` (a slice
// jinja2 folds at compile time) gives an Undefined.
Value getSlice(const Value& obj, const Value& start, const Value& stop, const Value& step, bool constant = false);
// Calls a bound method (Callable::Kind::Method).
Value callMethod(Budget& budget, const Callable& method, const Arguments& args);

}  // namespace bd3::jinja
