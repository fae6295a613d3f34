// Python's arithmetic on values: + - * / // % ** and unary - +, with
// int64 in place of Python's unbounded int (an overflow is a RenderError),
// Python's floor division and modulo signs, and str/list repetition.
#pragma once

#include "chat_templates/jinja_value.hpp"

namespace bd3::jinja {

Value add(const Value& a, const Value& b);
Value subtract(const Value& a, const Value& b);
Value multiply(const Value& a, const Value& b);
Value trueDivide(const Value& a, const Value& b);
Value floorDivide(const Value& a, const Value& b);
Value modulo(const Value& a, const Value& b);
Value power(const Value& a, const Value& b);
Value negate(const Value& a);
Value unaryPlus(const Value& a);

}  // namespace bd3::jinja
