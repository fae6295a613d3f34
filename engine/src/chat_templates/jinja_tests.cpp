// jinja2's tests (`x is defined`, `n is divisibleby 3`, ...), declared in
// jinja_filters.hpp beside the filters.
#include "chat_templates/jinja_filters.hpp"

#include "chat_templates/jinja_operators.hpp"
#include "chat_templates/jinja_text.hpp"

#include <algorithm>
#include <array>

namespace bd3::jinja {

namespace {

using Type = Value::Type;

// The one argument a comparison test takes.
Value other(const Arguments& args, const char* test)
{
    const auto a = bindArguments(args, std::string("test '") + test + "'", {"other"});
    if (!a[0]) throw RenderError(std::string("test '") + test + "' takes one argument");
    return *a[0];
}

void none(const Arguments& args, const char* test) { bindArguments(args, std::string("test '") + test + "'", {}); }

bool tBoolean(Budget&, const Value& v, const Arguments& a) { return none(a, "boolean"), v.is(Type::Bool); }
bool tCallable(Budget&, const Value& v, const Arguments& a)
{
    none(a, "callable");
    // Undefined and the loop object have __call__ in Python.
    return v.is(Type::Callable) || v.isUndefined() || v.is(Type::Loop);
}
bool tDefined(Budget&, const Value& v, const Arguments& a) { return none(a, "defined"), !v.isUndefined(); }
bool tUndefined(Budget&, const Value& v, const Arguments& a) { return none(a, "undefined"), v.isUndefined(); }
bool tNone(Budget&, const Value& v, const Arguments& a) { return none(a, "none"), v.is(Type::None); }
bool tTrue(Budget&, const Value& v, const Arguments& a) { return none(a, "true"), v.is(Type::Bool) && v.asBool(); }
bool tFalse(Budget&, const Value& v, const Arguments& a) { return none(a, "false"), v.is(Type::Bool) && !v.asBool(); }
bool tInteger(Budget&, const Value& v, const Arguments& a) { return none(a, "integer"), v.is(Type::Int); }
bool tFloat(Budget&, const Value& v, const Arguments& a) { return none(a, "float"), v.is(Type::Float); }
bool tNumber(Budget&, const Value& v, const Arguments& a) { return none(a, "number"), v.isNumber(); }
bool tString(Budget&, const Value& v, const Arguments& a) { return none(a, "string"), v.is(Type::String); }
bool tMapping(Budget&, const Value& v, const Arguments& a) { return none(a, "mapping"), v.is(Type::Dict); }
bool tEscaped(Budget&, const Value& v, const Arguments& a) { return none(a, "escaped"), v.isMarkup(); }

bool tIterable(Budget&, const Value& v, const Arguments& a)
{
    none(a, "iterable");
    switch (v.type()) {
    case Type::Undefined:
    case Type::String:
    case Type::Sequence:
    case Type::Dict:
    case Type::Iterator:
    case Type::Loop: return true;
    default: return false;
    }
}

bool tSequence(Budget&, const Value& v, const Arguments& a)
{
    none(a, "sequence");
    // len() and __getitem__ both present.
    if (v.is(Type::Sequence)) {
        const SequenceKind k = v.seq().kind;
        return k == SequenceKind::List || k == SequenceKind::Tuple || k == SequenceKind::Range;
    }
    return v.isUndefined() || v.is(Type::String) || v.is(Type::Dict);
}

bool tLower(Budget&, const Value& v, const Arguments& a) { return none(a, "lower"), text::isLower(toStr(v)); }
bool tUpper(Budget&, const Value& v, const Arguments& a) { return none(a, "upper"), text::isUpper(toStr(v)); }

bool tOdd(Budget&, const Value& v, const Arguments& a)
{
    none(a, "odd");
    return equals(modulo(v, Value::integer(2)), Value::integer(1));
}

bool tEven(Budget&, const Value& v, const Arguments& a)
{
    none(a, "even");
    return equals(modulo(v, Value::integer(2)), Value::integer(0));
}

bool tDivisibleby(Budget&, const Value& v, const Arguments& a)
{
    return equals(modulo(v, other(a, "divisibleby")), Value::integer(0));
}

bool tEq(Budget&, const Value& v, const Arguments& a) { return equals(v, other(a, "eq")); }
bool tNe(Budget&, const Value& v, const Arguments& a) { return !equals(v, other(a, "ne")); }
bool tLt(Budget&, const Value& v, const Arguments& a) { return ordered(v, other(a, "lt"), Order::Lt); }
bool tLe(Budget&, const Value& v, const Arguments& a) { return ordered(v, other(a, "le"), Order::Le); }
bool tGt(Budget&, const Value& v, const Arguments& a) { return ordered(v, other(a, "gt"), Order::Gt); }
bool tGe(Budget&, const Value& v, const Arguments& a) { return ordered(v, other(a, "ge"), Order::Ge); }
bool tIn(Budget&, const Value& v, const Arguments& a) { return contains(other(a, "in"), v); }

bool tSameas(Budget&, const Value& v, const Arguments& a)
{
    const Value o = other(a, "sameas");
    if (v.type() != o.type()) return false;
    switch (v.type()) {
    case Type::None: return true;
    case Type::Bool: return v.asBool() == o.asBool();
    // CPython keeps one object for each of the small ints.
    case Type::Int: return v.asInt() == o.asInt() && v.asInt() >= -5 && v.asInt() <= 256;
    case Type::Undefined:
    case Type::Float: return false;
    default: return v.identity() == o.identity();
    }
}

bool tFilter(Budget&, const Value& v, const Arguments& a)
{
    none(a, "filter");
    return v.is(Type::String) && findFilter(v.str()) != nullptr;
}

bool tTest(Budget&, const Value& v, const Arguments& a)
{
    none(a, "test");
    return v.is(Type::String) && findTest(v.str()) != nullptr;
}

struct TestEntry {
    const char* name;
    TestFunction function;
};

constexpr std::array kTests{
    TestEntry{"boolean", tBoolean},   TestEntry{"callable", tCallable}, TestEntry{"defined", tDefined},
    TestEntry{"divisibleby", tDivisibleby}, TestEntry{"eq", tEq},      TestEntry{"equalto", tEq},
    TestEntry{"==", tEq},             TestEntry{"escaped", tEscaped},   TestEntry{"even", tEven},
    TestEntry{"false", tFalse},       TestEntry{"filter", tFilter},     TestEntry{"float", tFloat},
    TestEntry{"ge", tGe},             TestEntry{">=", tGe},             TestEntry{"gt", tGt},
    TestEntry{"greaterthan", tGt},    TestEntry{">", tGt},              TestEntry{"in", tIn},
    TestEntry{"integer", tInteger},   TestEntry{"iterable", tIterable}, TestEntry{"le", tLe},
    TestEntry{"<=", tLe},             TestEntry{"lower", tLower},       TestEntry{"lt", tLt},
    TestEntry{"lessthan", tLt},       TestEntry{"<", tLt},              TestEntry{"mapping", tMapping},
    TestEntry{"ne", tNe},             TestEntry{"!=", tNe},             TestEntry{"none", tNone},
    TestEntry{"number", tNumber},     TestEntry{"odd", tOdd},           TestEntry{"sameas", tSameas},
    TestEntry{"sequence", tSequence}, TestEntry{"string", tString},     TestEntry{"test", tTest},
    TestEntry{"true", tTrue},         TestEntry{"undefined", tUndefined}, TestEntry{"upper", tUpper},
};

}  // namespace

TestFunction findTest(std::string_view name)
{
    for (const TestEntry& t : kTests)
        if (name == t.name) return t.function;
    return nullptr;
}

bool jinjaHasTest(std::string_view name) { return findTest(name) != nullptr; }

bool applyTest(Budget& budget, std::string_view name, const Value& operand, const Arguments& args)
{
    const TestFunction t = findTest(name);
    if (!t) throw RenderError("unknown test '" + std::string(name) + "'");
    return t(budget, operand, args);
}

}  // namespace bd3::jinja
