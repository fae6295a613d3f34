#include "chat_templates/jinja_operators.hpp"

#include <cmath>

namespace bd3::jinja {

namespace {

using Type = Value::Type;

[[noreturn]] void unsupported(const char* op, const Value& a, const Value& b)
{
    if (a.isUndefined()) failUndefined(a);
    if (b.isUndefined()) failUndefined(b);
    throw RenderError(std::string("unsupported operand type(s) for ") + op + ": '" + typeName(a) + "' and '" +
                      typeName(b) + "'");
}

[[noreturn]] void overflow() { throw RenderError("integer overflow (this engine's integers are 64-bit)"); }

bool isListLike(const Value& v)
{
    return v.is(Type::Sequence) && (v.seq().kind == SequenceKind::List || v.seq().kind == SequenceKind::Tuple);
}

// Python's float divmod: the floor quotient and the modulo with the
// divisor's sign.
std::pair<double, double> floatDivmod(double x, double y, const char* what)
{
    if (y == 0.0) throw RenderError(std::string("float ") + what + " by zero");
    double mod = std::fmod(x, y);
    double div = (x - mod) / y;
    if (mod != 0.0) {
        if ((y < 0) != (mod < 0)) {
            mod += y;
            div -= 1.0;
        }
    } else {
        mod = std::copysign(0.0, y);
    }
    double floordiv = 0.0;
    if (div != 0.0) {
        floordiv = std::floor(div);
        if (div - floordiv > 0.5) floordiv += 1.0;
    } else {
        floordiv = std::copysign(0.0, x / y);
    }
    return {floordiv, mod};
}

Value repeat(const Value& seq, int64_t n)
{
    if (n <= 0) {
        if (seq.is(Type::String)) return seq.isMarkup() ? Value::markup("") : Value::string("");
        return makeSequence({}, seq.seq().kind);
    }
    if (seq.is(Type::String)) {
        const std::string& s = seq.str();
        if (!s.empty() && static_cast<uint64_t>(n) > kMaxStringBytes / s.size()) checkStringSize(kMaxStringBytes + 1);
        std::string out;
        out.reserve(s.size() * static_cast<size_t>(n));
        for (int64_t i = 0; i < n; ++i) out += s;
        return seq.isMarkup() ? Value::markup(std::move(out)) : Value::string(std::move(out));
    }
    const auto& items = seq.seq().items;
    if (!items.empty() && static_cast<uint64_t>(n) > kMaxItems / items.size()) checkItemCount(kMaxItems + 1);
    std::vector<Value> out;
    out.reserve(items.size() * static_cast<size_t>(n));
    for (int64_t i = 0; i < n; ++i) out.insert(out.end(), items.begin(), items.end());
    return makeSequence(std::move(out), seq.seq().kind);
}

}  // namespace

Value add(const Value& a, const Value& b)
{
    if (a.isIntegral() && b.isIntegral()) {
        int64_t r = 0;
        if (__builtin_add_overflow(a.asInt(), b.asInt(), &r)) overflow();
        return Value::integer(r);
    }
    if (a.isNumber() && b.isNumber()) return Value::floating(a.asFloat() + b.asFloat());
    if (a.is(Type::String) && b.is(Type::String)) {
        if (a.isMarkup() || b.isMarkup()) {
            // Markup escapes the str it is added to.
            const std::string left = escapeToMarkup(a).str();
            const std::string right = escapeToMarkup(b).str();
            checkStringSize(left.size() + right.size());
            return Value::markup(left + right);
        }
        checkStringSize(a.str().size() + b.str().size());
        return Value::string(a.str() + b.str());
    }
    if (isListLike(a) && isListLike(b) && a.seq().kind == b.seq().kind) {
        std::vector<Value> items = a.seq().items;
        items.insert(items.end(), b.seq().items.begin(), b.seq().items.end());
        return makeSequence(std::move(items), a.seq().kind);
    }
    unsupported("+", a, b);
}

Value subtract(const Value& a, const Value& b)
{
    if (a.isIntegral() && b.isIntegral()) {
        int64_t r = 0;
        if (__builtin_sub_overflow(a.asInt(), b.asInt(), &r)) overflow();
        return Value::integer(r);
    }
    if (a.isNumber() && b.isNumber()) return Value::floating(a.asFloat() - b.asFloat());
    unsupported("-", a, b);
}

Value multiply(const Value& a, const Value& b)
{
    if (a.isIntegral() && b.isIntegral()) {
        int64_t r = 0;
        if (__builtin_mul_overflow(a.asInt(), b.asInt(), &r)) overflow();
        return Value::integer(r);
    }
    if (a.isNumber() && b.isNumber()) return Value::floating(a.asFloat() * b.asFloat());
    if ((a.is(Type::String) || isListLike(a)) && b.isIntegral()) return repeat(a, b.asInt());
    if (a.isIntegral() && (b.is(Type::String) || isListLike(b))) return repeat(b, a.asInt());
    unsupported("*", a, b);
}

Value trueDivide(const Value& a, const Value& b)
{
    if (a.isNumber() && b.isNumber()) {
        if (b.asFloat() == 0.0) throw RenderError("division by zero");
        return Value::floating(a.asFloat() / b.asFloat());
    }
    unsupported("/", a, b);
}

Value floorDivide(const Value& a, const Value& b)
{
    if (a.isIntegral() && b.isIntegral()) {
        const int64_t x = a.asInt();
        const int64_t y = b.asInt();
        if (y == 0) throw RenderError("integer division or modulo by zero");
        if (x == INT64_MIN && y == -1) overflow();
        int64_t q = x / y;
        if (x % y != 0 && ((x < 0) != (y < 0))) --q;
        return Value::integer(q);
    }
    if (a.isNumber() && b.isNumber()) return Value::floating(floatDivmod(a.asFloat(), b.asFloat(), "floor division").first);
    unsupported("//", a, b);
}

Value modulo(const Value& a, const Value& b)
{
    if (a.isIntegral() && b.isIntegral()) {
        const int64_t x = a.asInt();
        const int64_t y = b.asInt();
        if (y == 0) throw RenderError("integer division or modulo by zero");
        if (y == -1) return Value::integer(0);
        int64_t r = x % y;
        if (r != 0 && ((r < 0) != (y < 0))) r += y;
        return Value::integer(r);
    }
    if (a.isNumber() && b.isNumber()) return Value::floating(floatDivmod(a.asFloat(), b.asFloat(), "modulo").second);
    if (a.is(Type::String)) throw RenderError("string formatting with % is not supported");
    unsupported("%", a, b);
}

Value power(const Value& a, const Value& b)
{
    if (a.isIntegral() && b.isIntegral() && b.asInt() >= 0) {
        int64_t base = a.asInt();
        int64_t exponent = b.asInt();
        int64_t result = 1;
        while (exponent > 0) {
            if (exponent & 1)
                if (__builtin_mul_overflow(result, base, &result)) overflow();
            exponent >>= 1;
            if (exponent > 0 && __builtin_mul_overflow(base, base, &base)) overflow();
        }
        return Value::integer(result);
    }
    if (a.isNumber() && b.isNumber()) {
        const double x = a.asFloat();
        const double y = b.asFloat();
        if (y == 0.0) return Value::floating(1.0);
        if (x == 0.0 && y < 0.0) throw RenderError("0.0 cannot be raised to a negative power");
        if (x < 0.0 && std::isfinite(y) && y != std::floor(y))
            throw RenderError("a negative number to a fractional power is complex, which is not supported");
        const double r = std::pow(x, y);
        if (std::isinf(r) && std::isfinite(x) && std::isfinite(y)) throw RenderError("numerical result out of range");
        return Value::floating(r);
    }
    unsupported("** or pow()", a, b);
}

Value negate(const Value& a)
{
    if (a.isIntegral()) {
        if (a.asInt() == INT64_MIN) overflow();
        return Value::integer(-a.asInt());
    }
    if (a.is(Type::Float)) return Value::floating(-a.asFloat());
    if (a.isUndefined()) failUndefined(a);
    throw RenderError("bad operand type for unary -: '" + typeName(a) + "'");
}

Value unaryPlus(const Value& a)
{
    if (a.isIntegral()) return Value::integer(a.asInt());
    if (a.is(Type::Float)) return a;
    if (a.isUndefined()) failUndefined(a);
    throw RenderError("bad operand type for unary +: '" + typeName(a) + "'");
}

}  // namespace bd3::jinja
