#include "chat_templates/jinja_value.hpp"

#include "chat_templates/jinja_text.hpp"

#include <charconv>
#include <cmath>
#include <cstdlib>

namespace bd3::jinja {

namespace {

int depthOf(const Value& v)
{
    if (v.is(Value::Type::Sequence)) return v.seq().depth;
    if (v.is(Value::Type::Dict)) return v.dict().depth();
    return 0;
}

void checkDepth(int depth)
{
    if (depth > kMaxValueDepth)
        throw RenderError("values nested more than " + std::to_string(kMaxValueDepth) + " deep");
}

// int and float compare exactly, as Python does: a long double holds
// every int64 and every double.
long double exact(const Value& v)
{
    return v.is(Value::Type::Float) ? static_cast<long double>(v.asFloat()) : static_cast<long double>(v.asInt());
}

const char* sequenceTypeName(SequenceKind kind)
{
    switch (kind) {
    case SequenceKind::List: return "list";
    case SequenceKind::Tuple: return "tuple";
    case SequenceKind::Range: return "range";
    case SequenceKind::DictKeys: return "dict_keys";
    case SequenceKind::DictValues: return "dict_values";
    case SequenceKind::DictItems: return "dict_items";
    }
    return "list";
}

std::string joinRepr(const std::vector<Value>& items, int depth)
{
    std::string out;
    for (size_t i = 0; i < items.size(); ++i) {
        if (i > 0) out += ", ";
        out += repr(items[i], depth + 1);
        checkStringSize(out.size());
    }
    return out;
}

std::string dictRepr(const Dict& dict, int depth)
{
    std::string out = "{";
    bool first = true;
    for (const auto& [key, value] : dict.entries()) {
        if (!first) out += ", ";
        first = false;
        out += repr(key, depth + 1);
        out += ": ";
        out += repr(value, depth + 1);
        checkStringSize(out.size());
    }
    return out + "}";
}

// open + inner + close, appended (GCC 12 warns falsely about "x" + string&&).
std::string wrap(std::string_view open, const std::string& inner, std::string_view close)
{
    std::string out;
    out.reserve(open.size() + inner.size() + close.size());
    out.append(open).append(inner).append(close);
    return out;
}

bool sameItemsAnyOrder(const std::vector<Value>& a, const std::vector<Value>& b, int depth)
{
    if (a.size() != b.size()) return false;
    for (const Value& x : a) {
        bool found = false;
        for (const Value& y : b) found = found || equals(x, y, depth + 1);
        if (!found) return false;
    }
    return true;
}

}  // namespace

// ---- the budget

namespace {
thread_local Budget* t_budget = nullptr;
}

void chargeWork(uint64_t units)
{
    if (t_budget) t_budget->charge(units);
}

BudgetScope::BudgetScope(Budget& budget) : m_previous(t_budget) { t_budget = &budget; }
BudgetScope::~BudgetScope() { t_budget = m_previous; }

// ---- Value

void releaseLater(void* object, void (*destroy)(void*))
{
    thread_local std::vector<std::pair<void*, void (*)(void*)>> pending;
    thread_local bool draining = false;
    pending.emplace_back(object, destroy);
    if (draining) return;
    draining = true;
    while (!pending.empty()) {
        const auto [p, d] = pending.back();
        pending.pop_back();
        d(p);  // may queue more
    }
    draining = false;
}

Value Value::undefined(std::string message)
{
    Value v;
    v.m_object = std::make_shared<std::string>(std::move(message));
    return v;
}

Value Value::none()
{
    Value v;
    v.m_type = Type::None;
    return v;
}

Value Value::boolean(bool b)
{
    Value v;
    v.m_type = Type::Bool;
    v.m_scalar.b = b;
    return v;
}

Value Value::integer(int64_t i)
{
    Value v;
    v.m_type = Type::Int;
    v.m_scalar.i = i;
    return v;
}

Value Value::floating(double f)
{
    Value v;
    v.m_type = Type::Float;
    v.m_scalar.f = f;
    return v;
}

Value Value::string(std::string s)
{
    checkStringSize(s.size());
    chargeWork(s.size() / 256);
    Value v;
    v.m_type = Type::String;
    v.m_object = std::make_shared<std::string>(std::move(s));
    return v;
}

Value Value::markup(std::string s)
{
    Value v = string(std::move(s));
    v.m_scalar.b = true;
    return v;
}

#define BD3_JINJA_OBJECT_FACTORY(NAME, TYPE, KIND)  \
    Value Value::NAME(std::shared_ptr<TYPE> object) \
    {                                               \
        Value v;                                    \
        v.m_type = Type::KIND;                      \
        v.m_object = std::const_pointer_cast<std::remove_const_t<TYPE>>(std::move(object)); \
        return v;                                   \
    }
BD3_JINJA_OBJECT_FACTORY(sequence, const Sequence, Sequence)
BD3_JINJA_OBJECT_FACTORY(dict, const Dict, Dict)
BD3_JINJA_OBJECT_FACTORY(nameSpace, Namespace, Namespace)
BD3_JINJA_OBJECT_FACTORY(callable, const Callable, Callable)
BD3_JINJA_OBJECT_FACTORY(iterator, Iterator, Iterator)
BD3_JINJA_OBJECT_FACTORY(loop, Loop, Loop)
#undef BD3_JINJA_OBJECT_FACTORY

double Value::asFloat() const
{
    if (m_type == Type::Float) return m_scalar.f;
    return static_cast<double>(asInt());
}

std::string Value::undefinedMessage() const
{
    if (m_type == Type::Undefined && m_object) return *static_cast<const std::string*>(m_object.get());
    return "undefined value";
}

// ---- Dict

const Value* Dict::find(const Value& key) const
{
    if (key.is(Value::Type::String)) {
        const auto it = m_stringKeys.find(key.str());
        return it == m_stringKeys.end() ? nullptr : &m_entries[it->second].second;
    }
    if (m_otherKeys == 0) return nullptr;
    for (const auto& [k, v] : m_entries)
        if (!k.is(Value::Type::String) && equals(k, key)) return &v;
    return nullptr;
}

void Dict::set(const Value& key, Value value)
{
    const int depth = 1 + std::max(depthOf(key), depthOf(value));
    checkDepth(depth);
    if (const Value* existing = find(key)) {
        *const_cast<Value*>(existing) = std::move(value);
    } else {
        if (key.is(Value::Type::String))
            m_stringKeys.emplace(key.str(), m_entries.size());
        else
            ++m_otherKeys;
        m_entries.emplace_back(key, std::move(value));
    }
    m_depth = std::max(m_depth, depth);
}

// ---- construction

Value makeSequence(std::vector<Value> items, SequenceKind kind)
{
    checkItemCount(items.size());
    chargeWork(items.size());
    auto seq = makeShared<Sequence>();
    seq->kind = kind;
    for (const Value& item : items) seq->depth = std::max(seq->depth, 1 + depthOf(item));
    checkDepth(seq->depth);
    seq->items = std::move(items);
    return Value::sequence(std::move(seq));
}

Value makeRange(int64_t start, int64_t stop, int64_t step)
{
    auto seq = makeShared<Sequence>();
    seq->kind = SequenceKind::Range;
    seq->start = start;
    seq->stop = stop;
    seq->step = step;
    for (int64_t i = start; step > 0 ? i < stop : i > stop; i += step) {
        seq->items.push_back(Value::integer(i));
        if ((step > 0 && i > INT64_MAX - step) || (step < 0 && i < INT64_MIN - step)) break;
    }
    return Value::sequence(std::move(seq));
}

Value makeDict(Dict dict) { return Value::dict(makeShared<Dict>(std::move(dict))); }

Value makeIterator(std::string typeName, std::vector<Value> items)
{
    checkItemCount(items.size());
    chargeWork(items.size());
    auto it = makeShared<Iterator>();
    it->typeName = std::move(typeName);
    it->items = std::move(items);
    return Value::iterator(std::move(it));
}

Value makeChar(std::string_view utf8) { return Value::string(std::string(utf8)); }

// ---- Python semantics

std::string typeName(const Value& v)
{
    switch (v.type()) {
    case Value::Type::Undefined: return "Undefined";
    case Value::Type::None: return "NoneType";
    case Value::Type::Bool: return "bool";
    case Value::Type::Int: return "int";
    case Value::Type::Float: return "float";
    case Value::Type::String: return "str";
    case Value::Type::Sequence: return sequenceTypeName(v.seq().kind);
    case Value::Type::Dict: return "dict";
    case Value::Type::Namespace: return "Namespace";
    case Value::Type::Callable:
        switch (v.callable().kind) {
        case Callable::Kind::Global: return "function";
        case Callable::Kind::Method: return "builtin_function_or_method";
        default: return "Macro";
        }
    case Value::Type::Iterator: return v.iter().typeName;
    case Value::Type::Loop: return "LoopContext";
    }
    return "object";
}

std::string objectTypeRepr(const Value& v)
{
    switch (v.type()) {
    case Value::Type::None: return "None";
    case Value::Type::Undefined: return "jinja2.runtime.Undefined object";
    case Value::Type::Namespace: return "jinja2.utils.Namespace object";
    case Value::Type::Loop: return "jinja2.runtime.LoopContext object";
    case Value::Type::Callable:
        if (v.callable().kind == Callable::Kind::Macro || v.callable().kind == Callable::Kind::Caller)
            return "jinja2.runtime.Macro object";
        return typeName(v) + " object";
    default: return typeName(v) + " object";
    }
}

bool truthy(const Value& v)
{
    switch (v.type()) {
    case Value::Type::Undefined:
    case Value::Type::None: return false;
    case Value::Type::Bool: return v.asBool();
    case Value::Type::Int: return v.asInt() != 0;
    case Value::Type::Float: return v.asFloat() != 0.0;
    case Value::Type::String: return !v.str().empty();
    case Value::Type::Sequence: return !v.seq().items.empty();
    case Value::Type::Dict: return v.dict().size() > 0;
    case Value::Type::Loop: return v.loop().items->size() > 0;
    default: return true;
    }
}

bool hashable(const Value& v)
{
    if (v.is(Value::Type::Dict)) return false;
    if (v.is(Value::Type::Sequence)) {
        const Sequence& s = v.seq();
        if (s.kind == SequenceKind::Range) return true;
        if (s.kind != SequenceKind::Tuple) return false;
        for (const Value& item : s.items)
            if (!hashable(item)) return false;
    }
    return true;
}

bool plainValue(const Value& v, int depth)
{
    checkDepth(depth);
    switch (v.type()) {
    case Value::Type::None:
    case Value::Type::Bool:
    case Value::Type::Int:
    case Value::Type::Float:
    case Value::Type::String: return true;
    case Value::Type::Sequence: {
        const Sequence& s = v.seq();
        if (s.kind == SequenceKind::Range) return true;
        if (s.kind != SequenceKind::List && s.kind != SequenceKind::Tuple) return false;
        for (const Value& item : s.items)
            if (!plainValue(item, depth + 1)) return false;
        return true;
    }
    case Value::Type::Dict:
        for (const auto& [key, value] : v.dict().entries())
            if (!plainValue(key, depth + 1) || !plainValue(value, depth + 1)) return false;
        return true;
    default: return false;
    }
}

bool equals(const Value& a, const Value& b, int depth)
{
    checkDepth(depth);
    chargeWork(1);
    if (a.isNumber() && b.isNumber()) {
        if (a.isIntegral() && b.isIntegral()) return a.asInt() == b.asInt();
        if (a.is(Value::Type::Float) && b.is(Value::Type::Float)) return a.asFloat() == b.asFloat();
        return exact(a) == exact(b);
    }
    if (a.type() != b.type()) return false;
    switch (a.type()) {
    case Value::Type::Undefined:
    case Value::Type::None: return true;
    case Value::Type::String: return a.str() == b.str();
    case Value::Type::Sequence: {
        const Sequence& x = a.seq();
        const Sequence& y = b.seq();
        if (x.kind != y.kind) {
            return false;
        }
        if (x.kind == SequenceKind::DictValues) return &x == &y;
        if (x.kind == SequenceKind::DictKeys || x.kind == SequenceKind::DictItems)
            return sameItemsAnyOrder(x.items, y.items, depth);
        if (x.items.size() != y.items.size()) return false;
        for (size_t i = 0; i < x.items.size(); ++i)
            if (!equals(x.items[i], y.items[i], depth + 1)) return false;
        return true;
    }
    case Value::Type::Dict: {
        const Dict& x = a.dict();
        const Dict& y = b.dict();
        if (x.size() != y.size()) return false;
        for (const auto& [key, value] : x.entries()) {
            const Value* other = y.find(key);
            if (!other || !equals(value, *other, depth + 1)) return false;
        }
        return true;
    }
    case Value::Type::Callable: {
        const Callable& x = a.callable();
        const Callable& y = b.callable();
        if (&x == &y) return true;
        return x.kind == Callable::Kind::Method && y.kind == Callable::Kind::Method && x.name == y.name &&
               x.self.identity() == y.self.identity();
    }
    default: return a.identity() == b.identity();
    }
}

bool ordered(const Value& a, const Value& b, Order order, int depth)
{
    checkDepth(depth);
    const auto holds = [order](auto x, auto y) {
        switch (order) {
        case Order::Lt: return x < y;
        case Order::Le: return x <= y;
        case Order::Gt: return x > y;
        case Order::Ge: return x >= y;
        }
        return false;
    };
    if (a.isNumber() && b.isNumber()) {
        if (a.isIntegral() && b.isIntegral()) return holds(a.asInt(), b.asInt());
        return holds(exact(a), exact(b));
    }
    if (a.is(Value::Type::String) && b.is(Value::Type::String))
        return holds(a.str().compare(b.str()), 0);  // UTF-8 keeps code point order
    if (a.is(Value::Type::Sequence) && b.is(Value::Type::Sequence) && a.seq().kind == b.seq().kind &&
        (a.seq().kind == SequenceKind::List || a.seq().kind == SequenceKind::Tuple)) {
        // Python: the first items that differ decide, else the lengths.
        const auto& x = a.seq().items;
        const auto& y = b.seq().items;
        for (size_t i = 0; i < x.size() && i < y.size(); ++i)
            if (!equals(x[i], y[i], depth + 1)) return ordered(x[i], y[i], order, depth + 1);
        return holds(x.size(), y.size());
    }
    if (a.isUndefined()) failUndefined(a);
    if (b.isUndefined()) failUndefined(b);
    static const char* const kSymbols[] = {"<", "<=", ">", ">="};
    throw RenderError(std::string("'") + kSymbols[static_cast<int>(order)] + "' not supported between instances of '" +
                      typeName(a) + "' and '" + typeName(b) + "'");
}

std::string formatFloat(double f)
{
    if (std::isnan(f)) return "nan";
    if (std::isinf(f)) return f < 0 ? "-inf" : "inf";
    char buffer[64];
    const auto result = std::to_chars(buffer, buffer + sizeof buffer, f, std::chars_format::scientific);
    const std::string_view sci(buffer, static_cast<size_t>(result.ptr - buffer));
    // sci is [-]d[.ddd]e(+|-)XX, the shortest digits that read back as f.
    const size_t e = sci.find('e');
    std::string out;
    size_t i = 0;
    if (sci[0] == '-') {
        out.push_back('-');
        i = 1;
    }
    std::string digits;
    for (; i < e; ++i)
        if (sci[i] != '.') digits.push_back(sci[i]);
    const int exponent = std::atoi(std::string(sci.substr(e + 1)).c_str());
    const int point = exponent + 1;  // digits are 0.ddd times 10^point
    const auto n = static_cast<int>(digits.size());
    if (point <= -4 || point > 16) {
        out.push_back(digits[0]);
        if (n > 1) {
            out.push_back('.');
            out.append(digits, 1);
        }
        out.push_back('e');
        out.push_back(exponent < 0 ? '-' : '+');
        const int magnitude = std::abs(exponent);
        if (magnitude < 10) out.push_back('0');
        out += std::to_string(magnitude);
    } else if (point <= 0) {
        out += "0.";
        out.append(static_cast<size_t>(-point), '0');
        out += digits;
    } else if (point >= n) {
        out += digits;
        out.append(static_cast<size_t>(point - n), '0');
        out += ".0";
    } else {
        out.append(digits, 0, static_cast<size_t>(point));
        out.push_back('.');
        out.append(digits, static_cast<size_t>(point));
    }
    return out;
}

std::string repr(const Value& v, int depth)
{
    checkDepth(depth);
    chargeWork(1);
    switch (v.type()) {
    case Value::Type::Undefined: return "Undefined";
    case Value::Type::None: return "None";
    case Value::Type::Bool: return v.asBool() ? "True" : "False";
    case Value::Type::Int: return std::to_string(v.asInt());
    case Value::Type::Float: return formatFloat(v.asFloat());
    case Value::Type::String:
        return v.isMarkup() ? wrap("Markup(", text::repr(v.str()), ")") : text::repr(v.str());
    case Value::Type::Sequence: {
        const Sequence& s = v.seq();
        switch (s.kind) {
        case SequenceKind::List: return wrap("[", joinRepr(s.items, depth), "]");
        case SequenceKind::Tuple: return wrap("(", joinRepr(s.items, depth), s.items.size() == 1 ? ",)" : ")");
        case SequenceKind::Range: {
            std::string args = std::to_string(s.start) + ", " + std::to_string(s.stop);
            if (s.step != 1) args.append(", ").append(std::to_string(s.step));
            return wrap("range(", args, ")");
        }
        default: return wrap(std::string(sequenceTypeName(s.kind)) + "([", joinRepr(s.items, depth), "])");
        }
    }
    case Value::Type::Dict: return dictRepr(v.dict(), depth);
    case Value::Type::Namespace: return wrap("<Namespace ", dictRepr(v.ns().attributes, depth), ">");
    case Value::Type::Callable: {
        const Callable& c = v.callable();
        if (c.kind == Callable::Kind::Macro || c.kind == Callable::Kind::Caller)
            return wrap("<Macro ", text::repr(c.name), ">");
        // Python shows a memory address here; nothing stable to print.
        throw RenderError("cannot print the " + std::string(c.kind == Callable::Kind::Method ? "method '" : "function '") +
                          c.name + "'");
    }
    case Value::Type::Iterator: throw RenderError("cannot print a " + v.iter().typeName + " (use |list)");
    case Value::Type::Loop:
        return "<LoopContext " + std::to_string(v.loop().index0 + 1) + "/" + std::to_string(v.loop().items->size()) +
               ">";
    }
    return {};
}

std::string toStr(const Value& v)
{
    if (v.is(Value::Type::String)) return v.str();
    if (v.isUndefined()) return {};
    return repr(v);
}

std::vector<Value> iterate(const Value& v)
{
    switch (v.type()) {
    case Value::Type::Undefined: return {};
    case Value::Type::String: {
        std::vector<Value> chars;
        const std::string& s = v.str();
        checkItemCount(text::codepointCount(s));
        chargeWork(s.size());
        chars.reserve(s.size());
        for (size_t i = 0; i < s.size();) {
            size_t j = i + 1;
            while (j < s.size() && (static_cast<unsigned char>(s[j]) & 0xC0) == 0x80) ++j;
            chars.push_back(makeChar(std::string_view(s).substr(i, j - i)));
            i = j;
        }
        return chars;
    }
    case Value::Type::Sequence: chargeWork(v.seq().items.size()); return v.seq().items;
    case Value::Type::Dict: {
        chargeWork(v.dict().size());
        std::vector<Value> keys;
        keys.reserve(v.dict().size());
        for (const auto& entry : v.dict().entries()) keys.push_back(entry.first);
        return keys;
    }
    case Value::Type::Iterator: {
        Iterator& it = v.iter();
        std::vector<Value> rest(it.items.begin() + static_cast<std::ptrdiff_t>(it.next), it.items.end());
        it.next = it.items.size();
        return rest;
    }
    default: throw RenderError("'" + typeName(v) + "' object is not iterable");
    }
}

int64_t length(const Value& v)
{
    switch (v.type()) {
    case Value::Type::Undefined: return 0;
    case Value::Type::String: return static_cast<int64_t>(text::codepointCount(v.str()));
    case Value::Type::Sequence: return static_cast<int64_t>(v.seq().items.size());
    case Value::Type::Dict: return static_cast<int64_t>(v.dict().size());
    case Value::Type::Loop: return static_cast<int64_t>(v.loop().items->size());
    default: throw RenderError("object of type '" + typeName(v) + "' has no len()");
    }
}

bool contains(const Value& haystack, const Value& needle)
{
    switch (haystack.type()) {
    case Value::Type::Undefined: return false;
    case Value::Type::String:
        if (!needle.is(Value::Type::String)) {
            if (needle.isUndefined()) failUndefined(needle);
            throw RenderError("'in <string>' requires string as left operand, not " + typeName(needle));
        }
        chargeWork(haystack.str().size() / 256);
        return haystack.str().find(needle.str()) != std::string::npos;
    case Value::Type::Sequence:
        chargeWork(haystack.seq().items.size());
        for (const Value& item : haystack.seq().items)
            if (equals(item, needle)) return true;
        return false;
    case Value::Type::Dict:
        if (!hashable(needle)) throw RenderError("unhashable type: '" + typeName(needle) + "'");
        return haystack.dict().find(needle) != nullptr;
    case Value::Type::Iterator: {
        Iterator& it = haystack.iter();
        while (it.next < it.items.size())
            if (equals(it.items[it.next++], needle)) return true;
        return false;
    }
    default: throw RenderError("argument of type '" + typeName(haystack) + "' is not iterable");
    }
}

Value undefinedAttribute(const Value& obj, std::string_view name)
{
    return Value::undefined(text::repr(objectTypeRepr(obj)) + " has no attribute " + text::repr(name));
}

Value undefinedItem(const Value& obj, const Value& key)
{
    if (key.is(Value::Type::String)) return undefinedAttribute(obj, key.str());
    std::string shown;
    try {
        shown = repr(key);
    } catch (const RenderError&) {
        shown = typeName(key);
    }
    return Value::undefined(objectTypeRepr(obj) + " has no element " + shown);
}

void failUndefined(const Value& v) { throw RenderError(v.undefinedMessage()); }

Value escapeToMarkup(const Value& v)
{
    if (v.isMarkup()) return v;
    return Value::markup(text::htmlEscape(toStr(v)));
}

}  // namespace bd3::jinja
