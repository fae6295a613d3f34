#include "chat_templates/jinja_filters.hpp"

#include "chat_templates/jinja_json.hpp"
#include "chat_templates/jinja_methods.hpp"
#include "chat_templates/jinja_operators.hpp"
#include "chat_templates/jinja_text.hpp"

#include <algorithm>
#include <array>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <utility>

namespace bd3::jinja {

namespace {

using Type = Value::Type;
using Slots = std::vector<std::optional<Value>>;

Slots bind(const Arguments& args, const char* filter, std::initializer_list<std::string_view> params)
{
    return bindArguments(args, std::string("filter '") + filter + "'", params);
}

// ' ' * n, as Python makes it (empty for n <= 0).
std::string spaces(int64_t n)
{
    if (n <= 0) return {};
    checkStringSize(static_cast<uint64_t>(n));
    return std::string(static_cast<size_t>(n), ' ');
}

int64_t intArgument(const std::optional<Value>& v, int64_t absent, const char* what)
{
    if (!v) return absent;
    if (!v->isIntegral()) {
        if (v->isUndefined()) failUndefined(*v);
        throw RenderError(std::string(what) + " needs an int, not " + typeName(*v));
    }
    return v->asInt();
}

bool flag(const std::optional<Value>& v) { return v && truthy(*v); }

// ---- jinja2's attribute getters

// "a.b.0" becomes the parts a, b, 0, each looked up as environment.getitem
// does; a default stands in for any Undefined on the way.
Value attributePath(const Value& item, const Value& attribute, const std::optional<Value>& fallback)
{
    if (attribute.is(Type::None)) return item;  // no parts: the item itself
    std::vector<Value> parts;
    if (attribute.is(Type::String)) {
        for (const std::string& p : text::split(attribute.str(), std::string("."), -1)) {
            const bool digits = !p.empty() && std::all_of(p.begin(), p.end(), [](char c) { return c >= '0' && c <= '9'; });
            if (digits && p.size() < 18)
                parts.push_back(Value::integer(std::strtoll(p.c_str(), nullptr, 10)));
            else
                parts.push_back(Value::string(p));
        }
    } else {
        parts.push_back(attribute);
    }
    Value v = item;
    for (const Value& part : parts) {
        v = getItem(v, part);
        if (fallback && !fallback->is(Type::None) && v.isUndefined()) v = *fallback;
    }
    return v;
}

// A str result of an operation on v: Markup when v is (its methods keep it).
Value likeMarkup(const Value& v, std::string text)
{
    return v.isMarkup() ? Value::markup(std::move(text)) : Value::string(std::move(text));
}

Value lowered(const Value& v) { return v.is(Type::String) ? Value::string(text::lower(v.str())) : v; }

// A sort key: the item, or its attribute(s) ("a,b" is several), lowered
// unless case matters.
Value sortKey(const Value& item, const std::optional<Value>& attribute, bool caseSensitive)
{
    if (!attribute || attribute->is(Type::None)) return caseSensitive ? item : lowered(item);
    if (attribute->is(Type::String) && attribute->str().find(',') != std::string::npos) {
        std::vector<Value> keys;
        for (const std::string& part : text::split(attribute->str(), std::string(","), -1)) {
            const Value k = attributePath(item, Value::string(part), std::nullopt);
            keys.push_back(caseSensitive ? k : lowered(k));
        }
        return makeSequence(std::move(keys));
    }
    const Value k = attributePath(item, *attribute, std::nullopt);
    return caseSensitive ? k : lowered(k);
}

// Python's sorted(): stable, and reverse keeps equal items in order.
void sortByKeys(std::vector<Value>& items, std::vector<Value> keys, bool reverse)
{
    std::vector<size_t> order(items.size());
    for (size_t i = 0; i < order.size(); ++i) order[i] = i;
    std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) {
        return reverse ? less(keys[b], keys[a]) : less(keys[a], keys[b]);
    });
    std::vector<Value> sorted;
    sorted.reserve(items.size());
    for (const size_t i : order) sorted.push_back(items[i]);
    items = std::move(sorted);
}

// ---- Python's int() and float() on strings

std::optional<std::string> withoutUnderscores(std::string_view s, bool (*isDigit)(char))
{
    std::string out;
    for (size_t i = 0; i < s.size(); ++i) {
        if (s[i] == '_') {
            if (i == 0 || i + 1 >= s.size() || !isDigit(s[i - 1]) || !isDigit(s[i + 1])) return std::nullopt;
            continue;
        }
        out.push_back(s[i]);
    }
    return out;
}

bool decimalDigit(char c) { return c >= '0' && c <= '9'; }

std::optional<double> parseFloat(const std::string& raw)
{
    std::string s = text::strip(text::asciiDigitsAndSpaces(raw), std::nullopt, text::Side::Both);
    std::string body = s;
    bool negative = false;
    if (!body.empty() && (body[0] == '+' || body[0] == '-')) {
        negative = body[0] == '-';
        body.erase(0, 1);
    }
    const std::string lower = text::lower(body);
    if (lower == "inf" || lower == "infinity") return negative ? -HUGE_VAL : HUGE_VAL;
    if (lower == "nan") return negative ? -NAN : NAN;
    const auto clean = withoutUnderscores(body, decimalDigit);
    if (!clean || clean->empty()) return std::nullopt;
    // digits [. digits] [e [sign] digits], with a digit somewhere before e
    size_t i = 0;
    size_t mantissaDigits = 0;
    while (i < clean->size() && decimalDigit((*clean)[i])) ++i, ++mantissaDigits;
    if (i < clean->size() && (*clean)[i] == '.') {
        ++i;
        while (i < clean->size() && decimalDigit((*clean)[i])) ++i, ++mantissaDigits;
    }
    if (mantissaDigits == 0) return std::nullopt;
    if (i < clean->size() && ((*clean)[i] == 'e' || (*clean)[i] == 'E')) {
        ++i;
        if (i < clean->size() && ((*clean)[i] == '+' || (*clean)[i] == '-')) ++i;
        const size_t start = i;
        while (i < clean->size() && decimalDigit((*clean)[i])) ++i;
        if (i == start) return std::nullopt;
    }
    if (i != clean->size()) return std::nullopt;
    const double v = std::strtod(clean->c_str(), nullptr);
    return negative ? -v : v;
}

int digitValue(char c)
{
    if (c >= '0' && c <= '9') return c - '0';
    const char l = static_cast<char>(c | 0x20);
    if (l >= 'a' && l <= 'z') return l - 'a' + 10;
    return 99;
}

// int(s, base); nothing where Python raises ValueError.
std::optional<int64_t> parseInt(const std::string& raw, int64_t base)
{
    if (base != 0 && (base < 2 || base > 36)) return std::nullopt;
    std::string s = text::strip(text::asciiDigitsAndSpaces(raw), std::nullopt, text::Side::Both);
    bool negative = false;
    size_t i = 0;
    if (i < s.size() && (s[i] == '+' || s[i] == '-')) negative = s[i++] == '-';
    int b = static_cast<int>(base);
    bool prefixed = false;
    if (i + 1 < s.size() && s[i] == '0') {
        const char p = static_cast<char>(s[i + 1] | 0x20);
        const int prefixBase = p == 'x' ? 16 : p == 'o' ? 8 : p == 'b' ? 2 : 0;
        if (prefixBase != 0 && (b == 0 || b == prefixBase)) {
            b = prefixBase;
            i += 2;
            prefixed = true;
            if (i < s.size() && s[i] == '_') ++i;  // 0x_1f
        }
    }
    if (b == 0) b = 10;
    const std::string_view digits = std::string_view(s).substr(i);
    if (digits.empty()) return std::nullopt;
    if (base == 0 && !prefixed && digits.size() > 1 && digits[0] == '0' &&
        !std::all_of(digits.begin(), digits.end(), [](char c) { return c == '0' || c == '_'; }))
        return std::nullopt;  // int('010', 0) is an error
    unsigned __int128 value = 0;
    bool previousDigit = false;
    for (size_t k = 0; k < digits.size(); ++k) {
        if (digits[k] == '_') {
            if (!previousDigit || k + 1 >= digits.size()) return std::nullopt;
            previousDigit = false;
            continue;
        }
        const int d = digitValue(digits[k]);
        if (d >= b) return std::nullopt;
        value = value * static_cast<unsigned>(b) + static_cast<unsigned>(d);
        if (value > static_cast<unsigned __int128>(INT64_MAX) + 1)
            throw RenderError("an integer beyond 64 bits: " + text::repr(raw));
        previousDigit = true;
    }
    if (!negative && value > static_cast<unsigned __int128>(INT64_MAX))
        throw RenderError("an integer beyond 64 bits: " + text::repr(raw));
    return negative ? static_cast<int64_t>(-static_cast<__int128>(value)) : static_cast<int64_t>(value);
}

int64_t floatToInt(double f)
{
    if (std::isinf(f)) throw RenderError("cannot convert float infinity to integer");
    const double t = std::trunc(f);
    if (t >= 9223372036854775808.0 || t < -9223372036854775808.0) throw RenderError("an integer beyond 64 bits");
    return static_cast<int64_t>(t);
}

// ---- the filters

Value fAbs(Budget&, const Value& v, const Arguments& args)
{
    bind(args, "abs", {});
    if (v.isIntegral()) {
        if (v.asInt() == INT64_MIN) throw RenderError("integer overflow");
        return Value::integer(std::llabs(v.asInt()));
    }
    if (v.is(Type::Float)) return Value::floating(std::fabs(v.asFloat()));
    if (v.isUndefined()) failUndefined(v);
    throw RenderError("bad operand type for abs(): '" + typeName(v) + "'");
}

Value fAttr(Budget&, const Value& v, const Arguments& args)
{
    const auto a = bind(args, "attr", {"name"});
    return getPythonAttribute(v, toStr(a[0].value_or(Value())));
}

Value fCapitalize(Budget&, const Value& v, const Arguments& args)
{
    bind(args, "capitalize", {});
    return likeMarkup(v, text::capitalize(toStr(v)));
}

Value fCenter(Budget&, const Value& v, const Arguments& args)
{
    const auto a = bind(args, "center", {"width"});
    return likeMarkup(v, text::center(toStr(v), intArgument(a[0], 80, "center"), kMaxStringBytes));
}

Value fDefault(Budget&, const Value& v, const Arguments& args)
{
    const auto a = bind(args, "default", {"default_value", "boolean"});
    if (v.isUndefined() || (flag(a[1]) && !truthy(v))) return a[0].value_or(Value::string(""));
    return v;
}

Value fDictsort(Budget& budget, const Value& v, const Arguments& args)
{
    const auto a = bind(args, "dictsort", {"case_sensitive", "by", "reverse"});
    if (!v.is(Type::Dict)) {
        if (v.isUndefined()) failUndefined(v);
        throw RenderError("dictsort needs a mapping, not " + typeName(v));
    }
    const std::string by = a[1] ? toStr(*a[1]) : "key";
    if (by != "key" && by != "value") throw RenderError("You can only sort by either 'key' or 'value'");
    budget.charge(v.dict().size());
    std::vector<Value> items;
    std::vector<Value> keys;
    for (const auto& [key, value] : v.dict().entries()) {
        items.push_back(makeSequence({key, value}, SequenceKind::Tuple));
        const Value& k = by == "key" ? key : value;
        keys.push_back(flag(a[0]) ? k : lowered(k));
    }
    sortByKeys(items, std::move(keys), flag(a[2]));
    return makeSequence(std::move(items));
}

Value fEscape(Budget&, const Value& v, const Arguments& args)
{
    bind(args, "escape", {});
    return escapeToMarkup(v);
}

Value fFirst(Budget&, const Value& v, const Arguments& args)
{
    bind(args, "first", {});
    if (v.is(Type::Iterator)) {
        Iterator& it = v.iter();
        if (it.next < it.items.size()) return it.items[it.next++];
    } else {
        const std::vector<Value> items = iterate(v);
        if (!items.empty()) return items.front();
    }
    return Value::undefined("No first item, sequence was empty.");
}

Value fLast(Budget&, const Value& v, const Arguments& args)
{
    bind(args, "last", {});
    if (v.is(Type::Iterator)) throw RenderError("'" + typeName(v) + "' object is not reversible");
    const std::vector<Value> items = iterate(v);
    if (!items.empty()) return items.back();
    return Value::undefined("No last item, sequence was empty.");
}

Value fFloat(Budget&, const Value& v, const Arguments& args)
{
    const auto a = bind(args, "float", {"default"});
    const Value fallback = a[0].value_or(Value::floating(0.0));
    if (v.is(Type::Float)) return v;
    if (v.isIntegral()) return Value::floating(static_cast<double>(v.asInt()));
    if (v.is(Type::String)) {
        if (const auto f = parseFloat(v.str())) return Value::floating(*f);
        return fallback;
    }
    if (v.isUndefined()) failUndefined(v);
    return fallback;
}

Value fInt(Budget&, const Value& v, const Arguments& args)
{
    const auto a = bind(args, "int", {"default", "base"});
    const Value fallback = a[0].value_or(Value::integer(0));
    if (v.isIntegral()) return Value::integer(v.asInt());
    if (v.is(Type::Float)) {
        if (std::isnan(v.asFloat())) return fallback;
        return Value::integer(floatToInt(v.asFloat()));
    }
    if (v.is(Type::String)) {
        if (const auto i = parseInt(v.str(), intArgument(a[1], 10, "int"))) return Value::integer(*i);
        // jinja2's quirk: "42.23"|int is 42
        if (const auto f = parseFloat(v.str())) {
            if (std::isnan(*f)) return fallback;
            return Value::integer(floatToInt(*f));
        }
        return fallback;
    }
    if (v.isUndefined()) failUndefined(v);
    return fallback;
}

Value fIndent(Budget&, const Value& v, const Arguments& args)
{
    const auto a = bind(args, "indent", {"width", "first", "blank"});
    std::string indent = "    ";
    if (a[0] && a[0]->is(Type::String))
        indent = a[0]->str();
    else if (a[0])
        indent = spaces(intArgument(a[0], 4, "indent"));
    // jinja2 appends a newline to the value, which only a str allows.
    if (!v.is(Type::String)) {
        if (v.isUndefined()) failUndefined(v);
        throw RenderError("can only concatenate str (not \"" + typeName(v) + "\") to str");
    }
    const std::vector<std::string> lines = text::splitLines(v.str() + "\n", false);
    std::string out;
    for (size_t i = 0; i < lines.size(); ++i) {
        if (i > 0) {
            out += "\n";
            if (flag(a[2]) || !lines[i].empty()) out += indent;
        }
        out += lines[i];
        checkStringSize(out.size());
    }
    if (flag(a[1])) out = indent + out;
    return likeMarkup(v, std::move(out));
}

Value fItems(Budget& budget, const Value& v, const Arguments& args)
{
    bind(args, "items", {});
    if (v.isUndefined()) return makeIterator("generator", {});
    if (!v.is(Type::Dict)) throw RenderError("Can only get item pairs from a mapping.");
    budget.charge(v.dict().size());
    std::vector<Value> items;
    for (const auto& [key, value] : v.dict().entries()) items.push_back(makeSequence({key, value}, SequenceKind::Tuple));
    return makeIterator("generator", std::move(items));
}

Value fJoin(Budget& budget, const Value& v, const Arguments& args)
{
    const auto a = bind(args, "join", {"d", "attribute"});
    const std::string separator = a[0] ? toStr(*a[0]) : "";
    std::vector<Value> items = iterate(v);
    budget.charge(items.size());
    std::string out;
    for (size_t i = 0; i < items.size(); ++i) {
        if (i > 0) out += separator;
        out += toStr(a[1] && !a[1]->is(Type::None) ? attributePath(items[i], *a[1], std::nullopt) : items[i]);
        checkStringSize(out.size());
    }
    return Value::string(std::move(out));
}

Value fLength(Budget&, const Value& v, const Arguments& args)
{
    bind(args, "length", {});
    return Value::integer(length(v));
}

Value fList(Budget& budget, const Value& v, const Arguments& args)
{
    bind(args, "list", {});
    std::vector<Value> items = iterate(v);
    budget.charge(items.size());
    return makeSequence(std::move(items));
}

Value fLower(Budget&, const Value& v, const Arguments& args)
{
    bind(args, "lower", {});
    return likeMarkup(v, text::lower(toStr(v)));
}

Value fUpper(Budget&, const Value& v, const Arguments& args)
{
    bind(args, "upper", {});
    return likeMarkup(v, text::upper(toStr(v)));
}

Value fMap(Budget& budget, const Value& v, const Arguments& args)
{
    const bool byAttribute = args.positional.empty() &&
                             std::any_of(args.keywords.begin(), args.keywords.end(),
                                         [](const auto& k) { return k.first == "attribute"; });
    std::vector<Value> items = truthy(v) ? iterate(v) : std::vector<Value>{};
    budget.charge(items.size());
    std::vector<Value> out;
    if (byAttribute) {
        const auto a = bind(args, "map", {"attribute", "default"});
        for (const Value& item : items) out.push_back(attributePath(item, *a[0], a[1]));
    } else {
        if (args.positional.empty()) throw RenderError("map requires a filter argument");
        const std::string name = toStr(args.positional[0]);
        Arguments rest{{args.positional.begin() + 1, args.positional.end()}, args.keywords};
        for (const Value& item : items) out.push_back(applyFilter(budget, name, item, rest));
    }
    return makeIterator("generator", std::move(out));
}

Value minOrMax(Budget& budget, const Value& v, const Arguments& args, bool max)
{
    const auto a = bind(args, max ? "max" : "min", {"case_sensitive", "attribute"});
    const std::vector<Value> items = iterate(v);
    budget.charge(items.size());
    if (items.empty()) return Value::undefined("No aggregated item, sequence was empty.");
    size_t best = 0;
    Value bestKey = sortKey(items[0], a[1], flag(a[0]));
    for (size_t i = 1; i < items.size(); ++i) {
        Value key = sortKey(items[i], a[1], flag(a[0]));
        if (max ? less(bestKey, key) : less(key, bestKey)) {
            best = i;
            bestKey = std::move(key);
        }
    }
    return items[best];
}

Value fMax(Budget& budget, const Value& v, const Arguments& args) { return minOrMax(budget, v, args, true); }
Value fMin(Budget& budget, const Value& v, const Arguments& args) { return minOrMax(budget, v, args, false); }

// select, reject, selectattr and rejectattr: a generator of the items the
// test (truthiness without one) keeps or drops.
Value selectOrReject(Budget& budget, const Value& v, const Arguments& args, bool byAttribute, bool keep)
{
    size_t offset = 0;
    std::optional<Value> attribute;
    if (byAttribute) {
        if (args.positional.empty()) throw RenderError("Missing parameter for attribute name");
        attribute = args.positional[0];
        offset = 1;
    }
    std::optional<std::string> test;
    if (args.positional.size() > offset) test = toStr(args.positional[offset]);
    Arguments testArgs;
    if (args.positional.size() > offset + 1)
        testArgs.positional.assign(args.positional.begin() + static_cast<std::ptrdiff_t>(offset + 1), args.positional.end());
    testArgs.keywords = args.keywords;
    std::vector<Value> items = truthy(v) ? iterate(v) : std::vector<Value>{};
    budget.charge(items.size());
    std::vector<Value> out;
    for (const Value& item : items) {
        const Value subject = attribute ? attributePath(item, *attribute, std::nullopt) : item;
        const bool passed = test ? applyTest(budget, *test, subject, testArgs) : truthy(subject);
        if (passed == keep) out.push_back(item);
    }
    return makeIterator("generator", std::move(out));
}

Value fSelect(Budget& b, const Value& v, const Arguments& a) { return selectOrReject(b, v, a, false, true); }
Value fReject(Budget& b, const Value& v, const Arguments& a) { return selectOrReject(b, v, a, false, false); }
Value fSelectattr(Budget& b, const Value& v, const Arguments& a) { return selectOrReject(b, v, a, true, true); }
Value fRejectattr(Budget& b, const Value& v, const Arguments& a) { return selectOrReject(b, v, a, true, false); }

Value fReplace(Budget& budget, const Value& v, const Arguments& args)
{
    const auto a = bind(args, "replace", {"old", "new", "count"});
    if (!a[0] || !a[1]) throw RenderError("filter 'replace' needs the old and the new text");
    const std::string s = toStr(v);
    budget.charge(s.size() / 64);
    const int64_t count = a[2] && !a[2]->is(Type::None) ? intArgument(a[2], -1, "replace") : -1;
    return Value::string(text::replace(s, toStr(*a[0]), toStr(*a[1]), count, kMaxStringBytes));
}

Value fReverse(Budget& budget, const Value& v, const Arguments& args)
{
    bind(args, "reverse", {});
    if (v.is(Type::String)) {
        std::u32string cps = text::decode(v.str());
        std::reverse(cps.begin(), cps.end());
        return likeMarkup(v, text::encode(cps));  // value[::-1], which Markup keeps
    }
    if (v.is(Type::Iterator)) {  // not reversible: jinja2 makes a list
        std::vector<Value> items = iterate(v);
        std::reverse(items.begin(), items.end());
        return makeSequence(std::move(items));
    }
    std::string kind = "reversed";
    if (v.is(Type::Sequence)) {
        switch (v.seq().kind) {
        case SequenceKind::List: kind = "list_reverseiterator"; break;
        case SequenceKind::Range: kind = "range_iterator"; break;
        case SequenceKind::DictKeys: kind = "dict_reversekeyiterator"; break;
        case SequenceKind::DictValues: kind = "dict_reversevalueiterator"; break;
        case SequenceKind::DictItems: kind = "dict_reverseitemiterator"; break;
        default: break;
        }
    } else if (v.is(Type::Dict)) {
        kind = "dict_reversekeyiterator";
    } else if (!v.isUndefined()) {
        throw RenderError("argument must be iterable");
    }
    std::vector<Value> items = iterate(v);
    budget.charge(items.size());
    std::reverse(items.begin(), items.end());
    return makeIterator(kind, std::move(items));
}

// Python's round(): correctly rounded, ties to even.
double roundFloat(double x, int64_t digits)
{
    if (!std::isfinite(x) || digits > 330) return x;
    if (digits < -330) return std::copysign(0.0, x);
    if (digits >= 0) {
        std::vector<char> buffer(static_cast<size_t>(digits) + 400);
        std::snprintf(buffer.data(), buffer.size(), "%.*f", static_cast<int>(digits), x);
        return std::strtod(buffer.data(), nullptr);
    }
    const double scale = std::pow(10.0, static_cast<double>(-digits));
    char buffer[400];
    std::snprintf(buffer, sizeof buffer, "%.0f", x / scale);
    const double r = std::strtod(buffer, nullptr) * scale;
    if (std::isinf(r)) throw RenderError("rounded value too large to represent");
    return r;
}

Value fRound(Budget&, const Value& v, const Arguments& args)
{
    const auto a = bind(args, "round", {"precision", "method"});
    const std::string method = a[1] ? toStr(*a[1]) : "common";
    if (method != "common" && method != "ceil" && method != "floor")
        throw RenderError("method must be common, ceil or floor");
    if (!v.isNumber()) {
        if (v.isUndefined()) failUndefined(v);
        throw RenderError("type " + typeName(v) + " doesn't define __round__ method");
    }
    if (method == "common" && a[0] && a[0]->is(Type::None)) {
        // round(x, None) is round(x): an int, ties to even.
        if (v.isIntegral()) return Value::integer(v.asInt());
        const double x = v.asFloat();
        if (std::isnan(x)) throw RenderError("cannot convert float NaN to integer");
        return Value::integer(floatToInt(std::nearbyint(x)));
    }
    const int64_t precision = intArgument(a[0], 0, "round");
    if (method == "common") {
        if (v.is(Type::Float)) return Value::floating(roundFloat(v.asFloat(), precision));
        const int64_t x = v.asInt();
        if (precision >= 0) return Value::integer(x);
        if (precision < -18) return Value::integer(0);
        // Integers round to tens, hundreds, ... with ties to even.
        int64_t scale = 1;
        for (int64_t i = 0; i < -precision; ++i) scale *= 10;
        int64_t q = x / scale;
        int64_t r = x % scale;
        if (r < 0) {
            r += scale;
            --q;
        }
        if (2 * static_cast<__int128>(r) > scale || (2 * static_cast<__int128>(r) == scale && (q & 1))) ++q;
        __int128 result = static_cast<__int128>(q) * scale;
        if (result > INT64_MAX || result < INT64_MIN) throw RenderError("integer overflow");
        return Value::integer(static_cast<int64_t>(result));
    }
    const double scale = std::pow(10.0, static_cast<double>(precision));
    const double scaled = v.asFloat() * scale;
    if (!std::isfinite(scaled)) throw RenderError("cannot convert float infinity to integer");
    const double rounded = method == "ceil" ? std::ceil(scaled) : std::floor(scaled);
    // Python's math.floor gives an int, which has no -0: hence the + 0.0.
    return Value::floating(rounded / scale + 0.0);
}

Value fSafe(Budget&, const Value& v, const Arguments& args)
{
    bind(args, "safe", {});
    return v.isMarkup() ? v : Value::markup(toStr(v));
}

Value fSort(Budget& budget, const Value& v, const Arguments& args)
{
    const auto a = bind(args, "sort", {"reverse", "case_sensitive", "attribute"});
    std::vector<Value> items = iterate(v);
    budget.charge(items.size() * 4);
    std::vector<Value> keys;
    keys.reserve(items.size());
    // With an attribute, jinja2's keys are lists of the attributes' values
    // (make_multi_attrgetter), so equal ones are never ordered with <.
    const bool byAttribute = a[2] && !a[2]->is(Type::None);
    for (const Value& item : items) {
        Value key = sortKey(item, a[2], flag(a[1]));
        if (byAttribute && !key.is(Type::Sequence)) key = makeSequence({key});
        keys.push_back(std::move(key));
    }
    sortByKeys(items, std::move(keys), flag(a[0]));
    return makeSequence(std::move(items));
}

Value fString(Budget&, const Value& v, const Arguments& args)
{
    bind(args, "string", {});
    return v.is(Type::String) ? v : Value::string(toStr(v));
}

Value fSum(Budget& budget, const Value& v, const Arguments& args)
{
    const auto a = bind(args, "sum", {"attribute", "start"});
    const std::vector<Value> items = iterate(v);
    budget.charge(items.size());
    Value total = a[1].value_or(Value::integer(0));
    if (total.is(Type::String)) throw RenderError("sum() can't sum strings [use ''.join(seq) instead]");
    for (const Value& item : items)
        total = add(total, a[0] && !a[0]->is(Type::None) ? attributePath(item, *a[0], std::nullopt) : item);
    return total;
}

Value fTitle(Budget&, const Value& v, const Arguments& args)
{
    bind(args, "title", {});
    // jinja2 splits at runs of -, whitespace, (, {, [ and <, and upper-cases
    // the first character of every piece.
    const std::u32string cps = text::decode(toStr(v));
    const auto separator = [](char32_t c) {
        return c == U'-' || c == U'(' || c == U'{' || c == U'[' || c == U'<' || text::isSpace(c);
    };
    std::string out;
    size_t i = 0;
    while (i < cps.size()) {
        size_t j = i;
        const bool sep = separator(cps[i]);
        while (j < cps.size() && separator(cps[j]) == sep) ++j;
        const std::u32string_view piece = std::u32string_view(cps).substr(i, j - i);
        out += text::upper(text::encode(piece.substr(0, 1))) + text::lower(text::encode(piece.substr(1)));
        i = j;
    }
    return Value::string(std::move(out));
}

Value fTojson(Budget& budget, const Value& v, const Arguments& args)
{
    const auto a = bind(args, "tojson", {"ensure_ascii", "indent", "separators", "sort_keys"});
    JsonOptions options;
    options.ensureAscii = flag(a[0]);
    // json.dumps writes a str at once, before it looks at indent and uses
    // the separators (it unpacks them first all the same).
    const bool plainString = v.is(Type::String);
    if (a[1] && !a[1]->is(Type::None) && !plainString) {
        if (a[1]->is(Type::String))
            options.indent = a[1]->str();
        else if (a[1]->isIntegral())
            options.indent = spaces(a[1]->asInt());
        else
            throw RenderError("can't multiply sequence by non-int of type '" + typeName(*a[1]) + "'");
    }
    if (a[2] && !a[2]->is(Type::None)) {
        const std::vector<Value> parts = iterate(*a[2]);
        if (parts.size() != 2)
            throw RenderError(std::string(parts.size() < 2 ? "not enough" : "too many") +
                              " values to unpack (expected 2)");
        if (!plainString) {
            if (!parts[0].is(Type::String) || !parts[1].is(Type::String))
                throw RenderError("tojson's separators must be two strings");
            options.separators = std::make_pair(parts[0].str(), parts[1].str());
        }
    }
    options.sortKeys = flag(a[3]);
    std::string out = toJson(v, options);
    budget.charge(out.size() / 64);
    return Value::string(std::move(out));
}

Value fTrim(Budget&, const Value& v, const Arguments& args)
{
    const auto a = bind(args, "trim", {"chars"});
    std::optional<std::string> chars;
    if (a[0] && !a[0]->is(Type::None)) {
        if (!a[0]->is(Type::String)) throw RenderError("strip arg must be None or str");
        chars = v.isMarkup() ? escapeToMarkup(*a[0]).str() : a[0]->str();  // Markup escapes its arguments
    }
    return likeMarkup(v, text::strip(toStr(v), chars, text::Side::Both));
}

Value fUnique(Budget& budget, const Value& v, const Arguments& args)
{
    const auto a = bind(args, "unique", {"case_sensitive", "attribute"});
    const std::vector<Value> items = iterate(v);
    budget.charge(items.size() * 4);
    std::vector<Value> seen;
    std::vector<Value> out;
    for (const Value& item : items) {
        const Value key = sortKey(item, a[1], flag(a[0]));
        if (!hashable(key)) throw RenderError("unhashable type: '" + typeName(key) + "'");
        if (std::none_of(seen.begin(), seen.end(), [&](const Value& s) { return equals(s, key); })) {
            budget.charge(seen.size());
            seen.push_back(key);
            out.push_back(item);
        }
    }
    return makeIterator("generator", std::move(out));
}

Value fWordcount(Budget&, const Value& v, const Arguments& args)
{
    bind(args, "wordcount", {});
    int64_t words = 0;
    bool inWord = false;
    for (const char32_t c : text::decode(toStr(v))) {
        const bool w = text::isWordChar(c);
        words += w && !inWord;
        inWord = w;
    }
    return Value::integer(words);
}

struct FilterEntry {
    const char* name;
    FilterFunction function;
};

constexpr std::array kFilters{
    FilterEntry{"abs", fAbs},         FilterEntry{"attr", fAttr},         FilterEntry{"capitalize", fCapitalize},
    FilterEntry{"center", fCenter},   FilterEntry{"count", fLength},      FilterEntry{"d", fDefault},
    FilterEntry{"default", fDefault}, FilterEntry{"dictsort", fDictsort}, FilterEntry{"e", fEscape},
    FilterEntry{"escape", fEscape},   FilterEntry{"first", fFirst},       FilterEntry{"float", fFloat},
    FilterEntry{"indent", fIndent},   FilterEntry{"int", fInt},           FilterEntry{"items", fItems},
    FilterEntry{"join", fJoin},       FilterEntry{"last", fLast},         FilterEntry{"length", fLength},
    FilterEntry{"list", fList},       FilterEntry{"lower", fLower},       FilterEntry{"map", fMap},
    FilterEntry{"max", fMax},         FilterEntry{"min", fMin},           FilterEntry{"reject", fReject},
    FilterEntry{"rejectattr", fRejectattr}, FilterEntry{"replace", fReplace}, FilterEntry{"reverse", fReverse},
    FilterEntry{"round", fRound},     FilterEntry{"safe", fSafe},         FilterEntry{"select", fSelect},
    FilterEntry{"selectattr", fSelectattr}, FilterEntry{"sort", fSort},  FilterEntry{"string", fString},
    FilterEntry{"sum", fSum},         FilterEntry{"title", fTitle},       FilterEntry{"tojson", fTojson},
    FilterEntry{"trim", fTrim},       FilterEntry{"unique", fUnique},     FilterEntry{"upper", fUpper},
    FilterEntry{"wordcount", fWordcount},
};

constexpr std::array kOtherJinjaFilters{"batch",  "filesizeformat", "forceescape", "format",   "groupby",
                                        "pprint", "random",         "slice",       "striptags", "truncate",
                                        "urlencode", "urlize",      "wordwrap",    "xmlattr"};

}  // namespace

FilterFunction findFilter(std::string_view name)
{
    for (const FilterEntry& f : kFilters)
        if (name == f.name) return f.function;
    return nullptr;
}

bool jinjaHasFilter(std::string_view name)
{
    return findFilter(name) ||
           std::any_of(kOtherJinjaFilters.begin(), kOtherJinjaFilters.end(), [&](const char* n) { return name == n; });
}

Value applyFilter(Budget& budget, std::string_view name, const Value& operand, const Arguments& args)
{
    const FilterFunction f = findFilter(name);
    if (!f) throw RenderError((jinjaHasFilter(name) ? "unsupported filter '" : "unknown filter '") + std::string(name) + "'");
    return f(budget, operand, args);
}

}  // namespace bd3::jinja
