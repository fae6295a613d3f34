#include "chat_templates/jinja_methods.hpp"

#include "chat_templates/jinja_text.hpp"

#include <algorithm>
#include <array>

namespace bd3::jinja {

namespace {

using Type = Value::Type;

constexpr std::array kStringMethods{"capitalize", "count", "endswith", "find", "index", "isalnum", "isalpha",
                                    "isdecimal", "isdigit", "islower", "isnumeric", "isspace", "isupper", "join",
                                    "lower", "lstrip", "removeprefix", "removesuffix", "replace", "rfind", "rindex",
                                    "rsplit", "rstrip", "split", "splitlines", "startswith", "strip", "title", "upper"};
// str methods Python has that this engine does not.
constexpr std::array kOtherStringMethods{"casefold", "center", "encode", "expandtabs", "format", "format_map",
                                         "isascii", "isidentifier", "isprintable", "istitle", "ljust", "maketrans",
                                         "partition", "rjust", "rpartition", "swapcase", "translate", "zfill"};
constexpr std::array kDictMethods{"items", "keys", "values", "get", "copy"};
constexpr std::array kDictMutators{"clear", "pop", "popitem", "setdefault", "update"};
constexpr std::array kListMethods{"count", "index", "copy"};
constexpr std::array kListMutators{"append", "clear", "extend", "insert", "pop", "remove", "reverse", "sort"};

template <size_t N>
bool among(const std::array<const char*, N>& names, std::string_view name)
{
    return std::any_of(names.begin(), names.end(), [&](const char* n) { return name == n; });
}

Value bound(const Value& self, std::string_view name)
{
    auto c = makeShared<Callable>();
    c->kind = Callable::Kind::Method;
    c->name = std::string(name);
    c->self = self;
    return Value::callable(std::move(c));
}

Value unsafe(const Value& obj, std::string_view name)
{
    return Value::undefined("access to attribute " + text::repr(name) + " of " + text::repr(typeName(obj)) +
                            " object is unsafe.");
}

Value loopAttribute(const Value& obj, std::string_view name, bool& found)
{
    const Loop& loop = obj.loop();
    const auto length = static_cast<int64_t>(loop.items->size());
    const auto i = static_cast<int64_t>(loop.index0);
    found = true;
    if (name == "index") return Value::integer(i + 1);
    if (name == "index0") return Value::integer(i);
    if (name == "revindex") return Value::integer(length - i);
    if (name == "revindex0") return Value::integer(length - i - 1);
    if (name == "first") return Value::boolean(i == 0);
    if (name == "last") return Value::boolean(i == length - 1);
    if (name == "length") return Value::integer(length);
    if (name == "depth") return Value::integer(1);
    if (name == "depth0") return Value::integer(0);
    if (name == "previtem")
        return i > 0 ? (*loop.items)[static_cast<size_t>(i - 1)] : Value::undefined("there is no previous item");
    if (name == "nextitem")
        return i + 1 < length ? (*loop.items)[static_cast<size_t>(i + 1)] : Value::undefined("there is no next item");
    if (name == "cycle" || name == "changed") return bound(obj, name);
    found = false;
    return {};
}

// The Python attribute, if the object has one by that name.
std::optional<Value> pythonAttribute(const Value& obj, std::string_view name)
{
    switch (obj.type()) {
    case Type::String:
        if (among(kStringMethods, name)) return bound(obj, name);
        if (among(kOtherStringMethods, name)) return bound(obj, name);  // fails when called
        return std::nullopt;
    case Type::Dict:
        if (among(kDictMethods, name)) return bound(obj, name);
        if (among(kDictMutators, name)) return unsafe(obj, name);
        return std::nullopt;
    case Type::Sequence: {
        const SequenceKind kind = obj.seq().kind;
        if (kind == SequenceKind::List) {
            if (among(kListMethods, name)) return bound(obj, name);
            if (among(kListMutators, name)) return unsafe(obj, name);
        } else if (kind == SequenceKind::Tuple || kind == SequenceKind::Range) {
            if (name == "count" || name == "index") return bound(obj, name);
        }
        return std::nullopt;
    }
    case Type::Namespace:
        if (const Value* v = obj.ns().attributes.find(Value::string(std::string(name)))) return *v;
        return std::nullopt;
    case Type::Loop: {
        bool found = false;
        Value v = loopAttribute(obj, name, found);
        if (found) return v;
        return std::nullopt;
    }
    default: return std::nullopt;
    }
}

std::optional<int64_t> sequenceIndex(const Value& key, int64_t length)
{
    if (!key.isIntegral()) return std::nullopt;
    int64_t i = key.asInt();
    if (i < 0) i += length;
    if (i < 0 || i >= length) return std::nullopt;
    return i;
}

// Python's slice.indices(length): the start, and the indices taken.
std::vector<int64_t> sliceIndices(int64_t length, const Value& start, const Value& stop, const Value& step)
{
    int64_t s = step.isIntegral() ? step.asInt() : 1;
    if (s == 0) throw RenderError("slice step cannot be zero");
    if (s < -INT64_MAX) s = -INT64_MAX;
    const auto adjust = [&](const Value& bound, int64_t absentForward, int64_t absentBackward) {
        if (!bound.isIntegral()) return s < 0 ? absentBackward : absentForward;
        int64_t i = bound.asInt();
        if (i < 0) {
            i = i < -length ? (s < 0 ? -1 : 0) : i + length;
        } else if (i >= length) {
            i = s < 0 ? length - 1 : length;
        }
        return i;
    };
    const int64_t from = adjust(start, 0, length - 1);
    const int64_t to = adjust(stop, length, -1);
    std::vector<int64_t> indices;
    if (s > 0)
        for (int64_t i = from; i < to; i += s) {
            indices.push_back(i);
            if (i > INT64_MAX - s) break;
        }
    else
        for (int64_t i = from; i > to; i += s) {
            indices.push_back(i);
            if (i < INT64_MIN - s) break;
        }
    return indices;
}

bool sliceBound(const Value& v) { return v.is(Type::None) || v.isIntegral(); }

std::string requireStr(const Value& v, std::string_view what)
{
    if (!v.is(Type::String)) {
        if (v.isUndefined()) failUndefined(v);
        throw RenderError(std::string(what) + " takes a str, not " + typeName(v));
    }
    return v.str();
}

std::optional<std::string> optionalStr(const std::optional<Value>& v, std::string_view what)
{
    if (!v || v->is(Type::None)) return std::nullopt;
    return requireStr(*v, what);
}

int64_t requireInt(const Value& v, std::string_view what)
{
    if (!v.isIntegral()) {
        if (v.isUndefined()) failUndefined(v);
        throw RenderError(std::string(what) + " takes an int, not " + typeName(v));
    }
    return v.asInt();
}

std::optional<int64_t> optionalIndex(const std::optional<Value>& v, std::string_view what)
{
    if (!v || v->is(Type::None)) return std::nullopt;
    return requireInt(*v, what);
}

Value stringList(std::vector<std::string> parts, bool markup)
{
    std::vector<Value> items;
    items.reserve(parts.size());
    for (auto& p : parts) items.push_back(markup ? Value::markup(std::move(p)) : Value::string(std::move(p)));
    return makeSequence(std::move(items));
}

Value affix(const std::string& self, const std::vector<std::optional<Value>>& a, const std::string& what, bool ends)
{
    const auto [from, to] = text::byteRange(self, optionalIndex(a[1], what), optionalIndex(a[2], what));
    const std::string_view part = std::string_view(self).substr(from, to - from);
    std::vector<std::string> affixes;
    if (a[0] && a[0]->is(Type::Sequence) && a[0]->seq().kind == SequenceKind::Tuple) {
        for (const Value& v : a[0]->seq().items) affixes.push_back(requireStr(v, what));
    } else {
        affixes.push_back(requireStr(a[0].value_or(Value()), what));
    }
    for (const std::string& x : affixes) {
        if (x.size() > part.size()) continue;
        if (ends ? part.substr(part.size() - x.size()) == x : part.substr(0, x.size()) == x)
            return Value::boolean(true);
    }
    return Value::boolean(false);
}

// A Markup receiver keeps Markup through the methods markupsafe wraps, which
// escape their str arguments first.
Value stringMethod(Budget& budget, const Value& receiver, const std::string& name, const Arguments& args)
{
    const std::string& self = receiver.str();
    const bool markup = receiver.isMarkup();
    const auto result = [&](std::string s) { return markup ? Value::markup(std::move(s)) : Value::string(std::move(s)); };
    const auto argument = [&](const Value& v) { return markup && v.is(Type::String) ? escapeToMarkup(v) : v; };
    const std::string what = "str." + name + "()";
    budget.charge(self.size() / 64);
    const auto bind = [&](std::initializer_list<std::string_view> params) { return bindArguments(args, what, params); };
    if (name == "startswith" || name == "endswith") {
        const auto a = bind({"prefix", "start", "end"});
        if (!a[0]) throw RenderError(what + " takes at least 1 argument");
        return affix(self, a, what, name == "endswith");
    }
    if (name == "split" || name == "rsplit") {
        const auto a = bind({"sep", "maxsplit"});
        const auto sep = optionalStr(a[0], what);
        if (sep && sep->empty()) throw RenderError("empty separator");
        const int64_t maxsplit = a[1] ? requireInt(*a[1], what) : -1;
        return stringList(name == "split" ? text::split(self, sep, maxsplit) : text::rsplit(self, sep, maxsplit), markup);
    }
    if (name == "splitlines") {
        const auto a = bind({"keepends"});
        return stringList(text::splitLines(self, a[0] && truthy(*a[0])), markup);
    }
    if (name == "strip" || name == "lstrip" || name == "rstrip") {
        const auto a = bind({"chars"});
        const auto side = name == "strip" ? text::Side::Both : name == "lstrip" ? text::Side::Left : text::Side::Right;
        const std::optional<Value> chars = a[0] ? std::optional<Value>(argument(*a[0])) : std::nullopt;
        return result(text::strip(self, optionalStr(chars, what), side));
    }
    if (name == "lower" || name == "upper" || name == "title" || name == "capitalize") {
        bind({});
        if (name == "lower") return result(text::lower(self));
        if (name == "upper") return result(text::upper(self));
        if (name == "title") return result(text::title(self));
        return result(text::capitalize(self));
    }
    if (name == "replace") {
        const auto a = bind({"old", "new", "count"});
        if (!a[0] || !a[1]) throw RenderError(what + " takes at least 2 arguments");
        const int64_t count = a[2] ? requireInt(*a[2], what) : -1;
        return result(text::replace(self, requireStr(argument(*a[0]), what), requireStr(argument(*a[1]), what), count,
                                    kMaxStringBytes));
    }
    if (name == "find" || name == "rfind" || name == "index" || name == "rindex" || name == "count") {
        const auto a = bind({"sub", "start", "end"});
        if (!a[0]) throw RenderError(what + " takes at least 1 argument");
        const std::string sub = requireStr(*a[0], what);
        const auto [from, to] = text::byteRange(self, optionalIndex(a[1], what), optionalIndex(a[2], what));
        const std::string_view part = std::string_view(self).substr(from, to - from);
        if (name == "count") return Value::integer(text::count(part, sub));
        int64_t at = text::find(part, sub, name[0] == 'r');
        if (at < 0) {
            if (name == "index" || name == "rindex") throw RenderError("substring not found");
            return Value::integer(-1);
        }
        return Value::integer(at + static_cast<int64_t>(text::codepointCount(std::string_view(self).substr(0, from))));
    }
    if (name == "join") {
        const auto a = bind({"iterable"});
        if (!a[0]) throw RenderError(what + " takes exactly one argument");
        const std::vector<Value> items = iterate(*a[0]);
        budget.charge(items.size());
        std::string out;
        for (size_t i = 0; i < items.size(); ++i) {
            if (!markup && !items[i].is(Type::String))
                throw RenderError("sequence item " + std::to_string(i) + ": expected str instance, " +
                                  typeName(items[i]) + " found");
            if (i > 0) out += self;
            out += markup ? escapeToMarkup(items[i]).str() : items[i].str();  // Markup.join escapes the items
            checkStringSize(out.size());
        }
        return result(std::move(out));
    }
    if (name == "removeprefix" || name == "removesuffix") {
        const auto a = bind({"affix"});
        const std::string x = requireStr(a[0].value_or(Value()), what);
        const std::string_view s(self);
        if (name == "removeprefix" && s.substr(0, x.size()) == x) return Value::string(std::string(s.substr(x.size())));
        if (name == "removesuffix" && !x.empty() && s.size() >= x.size() && s.substr(s.size() - x.size()) == x)
            return Value::string(std::string(s.substr(0, s.size() - x.size())));
        return Value::string(self);
    }
    if (among(kOtherStringMethods, name)) throw RenderError("the str method '" + name + "' is not supported");
    bind({});
    if (name == "islower") return Value::boolean(text::isLower(self));
    if (name == "isupper") return Value::boolean(text::isUpper(self));
    using text::CharClass;
    const CharClass cls = name == "isdigit"     ? CharClass::Digit
                          : name == "isalpha"   ? CharClass::Alpha
                          : name == "isalnum"   ? CharClass::Alnum
                          : name == "isspace"   ? CharClass::Space
                          : name == "isdecimal" ? CharClass::Decimal
                                                : CharClass::Numeric;
    return Value::boolean(text::isAll(self, cls));
}

Value sequenceMethod(Budget& budget, const Value& self, const std::string& name, const Arguments& args)
{
    const std::string what = typeName(self) + "." + name + "()";
    const auto& items = self.seq().items;
    budget.charge(items.size());
    if (name == "copy") {
        bindArguments(args, what, {});
        return self;
    }
    const auto a = bindArguments(args, what, {"value", "start", "stop"});
    if (!a[0]) throw RenderError(what + " takes at least 1 argument");
    if (name == "count") {
        if (a[1]) throw RenderError(what + " takes exactly one argument");
        return Value::integer(std::count_if(items.begin(), items.end(), [&](const Value& v) { return equals(v, *a[0]); }));
    }
    const auto n = static_cast<int64_t>(items.size());
    const auto clamp = [&](const std::optional<Value>& v, int64_t absent) {
        if (!v) return absent;
        int64_t i = requireInt(*v, what);
        if (i < 0) i = std::max<int64_t>(0, i + n);
        return std::min(i, n);
    };
    for (int64_t i = clamp(a[1], 0); i < clamp(a[2], n); ++i)
        if (equals(items[static_cast<size_t>(i)], *a[0])) return Value::integer(i);
    throw RenderError(repr(*a[0]) + " is not in " + typeName(self));
}

Value dictMethod(Budget& budget, const Value& self, const std::string& name, const Arguments& args)
{
    const std::string what = "dict." + name + "()";
    const Dict& dict = self.dict();
    if (name == "get") {
        const auto a = bindArguments(args, what, {"key", "default"});
        if (!a[0]) throw RenderError(what + " takes at least 1 argument");
        if (!hashable(*a[0])) throw RenderError("unhashable type: '" + typeName(*a[0]) + "'");
        const Value* v = dict.find(*a[0]);
        return v ? *v : a[1].value_or(Value::none());
    }
    bindArguments(args, what, {});
    if (name == "copy") return self;
    budget.charge(dict.size());
    std::vector<Value> items;
    items.reserve(dict.size());
    for (const auto& [key, value] : dict.entries()) {
        if (name == "keys")
            items.push_back(key);
        else if (name == "values")
            items.push_back(value);
        else
            items.push_back(makeSequence({key, value}, SequenceKind::Tuple));
    }
    const SequenceKind kind = name == "keys"     ? SequenceKind::DictKeys
                              : name == "values" ? SequenceKind::DictValues
                                                 : SequenceKind::DictItems;
    return makeSequence(std::move(items), kind);
}

Value loopMethod(const Value& self, const std::string& name, const Arguments& args)
{
    Loop& loop = self.loop();
    if (!args.keywords.empty()) throw RenderError("loop." + name + "() takes no keyword arguments");
    if (name == "cycle") {
        if (args.positional.empty()) throw RenderError("no items for cycling given");
        return args.positional[loop.index0 % args.positional.size()];
    }
    const Value values = makeSequence(args.positional, SequenceKind::Tuple);
    if (loop.changedSeen && equals(loop.lastChanged, values)) return Value::boolean(false);
    loop.changedSeen = true;
    loop.lastChanged = values;
    return Value::boolean(true);
}

}  // namespace

Value getAttribute(const Value& obj, std::string_view name)
{
    if (obj.isUndefined()) failUndefined(obj);
    if (auto attribute = pythonAttribute(obj, name)) return *attribute;
    if (obj.is(Type::Dict))
        if (const Value* v = obj.dict().find(Value::string(std::string(name)))) return *v;
    return undefinedAttribute(obj, name);
}

Value getPythonAttribute(const Value& obj, std::string_view name)
{
    if (obj.isUndefined()) failUndefined(obj);
    if (auto attribute = pythonAttribute(obj, name)) return *attribute;
    return undefinedAttribute(obj, name);
}

Value getItem(const Value& obj, const Value& key)
{
    if (obj.isUndefined()) failUndefined(obj);
    switch (obj.type()) {
    case Type::Dict:
        if (hashable(key))
            if (const Value* v = obj.dict().find(key)) return *v;
        break;
    case Type::Sequence: {
        const Sequence& s = obj.seq();
        if (s.kind == SequenceKind::List || s.kind == SequenceKind::Tuple || s.kind == SequenceKind::Range)
            if (const auto i = sequenceIndex(key, static_cast<int64_t>(s.items.size())))
                return s.items[static_cast<size_t>(*i)];
        break;
    }
    case Type::String:
        if (key.isIntegral()) {
            const auto length = static_cast<int64_t>(text::codepointCount(obj.str()));
            if (const auto i = sequenceIndex(key, length)) {
                const auto [a, b] = text::byteRange(obj.str(), *i, *i + 1);
                const std::string_view c = std::string_view(obj.str()).substr(a, b - a);
                return obj.isMarkup() ? Value::markup(std::string(c)) : makeChar(c);  // Markup wraps __getitem__
            }
        }
        break;
    default: break;
    }
    if (key.is(Type::String))
        if (auto attribute = pythonAttribute(obj, key.str())) return *attribute;
    return undefinedItem(obj, key);
}

Value getSlice(const Value& obj, const Value& start, const Value& stop, const Value& step, bool constant)
{
    // jinja2 slices with Python's own subscript, so failures raise.
    if (obj.isUndefined()) failUndefined(obj);
    const auto typeError = [&](const std::string& message) -> Value {
        if (constant) return Value::undefined(objectTypeRepr(obj) + " has no element slice(...)");
        throw RenderError(message);
    };
    const bool sliceable = obj.is(Type::String) ||
                           (obj.is(Type::Sequence) && (obj.seq().kind == SequenceKind::List ||
                                                       obj.seq().kind == SequenceKind::Tuple ||
                                                       obj.seq().kind == SequenceKind::Range));
    if (obj.is(Type::Dict)) return typeError("unhashable type: 'slice'");
    if (!sliceable) {
        std::string message = "'";  // built step by step: GCC 12 misreads "'" + std::string (-Wrestrict)
        message += typeName(obj);
        message += "' object is not subscriptable";
        return typeError(message);
    }
    for (const Value* bound : {&start, &stop, &step}) {
        if (bound->isUndefined()) failUndefined(*bound);
        if (!sliceBound(*bound)) return typeError("slice indices must be integers or None or have an __index__ method");
    }
    if (obj.is(Type::String)) {
        const std::u32string cps = text::decode(obj.str());
        std::u32string out;
        for (const int64_t i : sliceIndices(static_cast<int64_t>(cps.size()), start, stop, step))
            out.push_back(cps[static_cast<size_t>(i)]);
        return obj.isMarkup() ? Value::markup(text::encode(out)) : Value::string(text::encode(out));
    }
    const Sequence& s = obj.seq();
    const std::vector<int64_t> indices = sliceIndices(static_cast<int64_t>(s.items.size()), start, stop, step);
    std::vector<Value> items;
    items.reserve(indices.size());
    for (const int64_t i : indices) items.push_back(s.items[static_cast<size_t>(i)]);
    if (s.kind != SequenceKind::Range) return makeSequence(std::move(items), s.kind);
    // A range's slice is a range, printed with its own arguments.
    auto r = makeShared<Sequence>();
    r->kind = SequenceKind::Range;
    r->items = std::move(items);
    // Python computes the new bounds from the adjusted slice indices.
    const int64_t sliceStep = step.isIntegral() ? step.asInt() : 1;
    const auto length = static_cast<int64_t>(s.items.size());
    const auto adjust = [&](const Value& bound, int64_t forward, int64_t backward) -> __int128 {
        if (!bound.isIntegral()) return sliceStep < 0 ? backward : forward;
        const int64_t i = bound.asInt();
        if (i < 0) return i < -length ? (sliceStep < 0 ? -1 : 0) : i + length;
        if (i >= length) return sliceStep < 0 ? length - 1 : length;
        return i;
    };
    const __int128 newStep = static_cast<__int128>(s.step) * sliceStep;
    const __int128 first = s.start + adjust(start, 0, length - 1) * s.step;
    const __int128 stopValue = s.start + adjust(stop, length, -1) * s.step;
    const auto fits = [](__int128 v) { return v >= INT64_MIN && v <= INT64_MAX; };
    if (!fits(newStep) || !fits(first) || !fits(stopValue)) throw RenderError("range slice beyond 64-bit integers");
    r->start = static_cast<int64_t>(first);
    r->stop = static_cast<int64_t>(stopValue);
    r->step = static_cast<int64_t>(newStep);
    return Value::sequence(std::move(r));
}

Value callMethod(Budget& budget, const Callable& method, const Arguments& args)
{
    const Value& self = method.self;
    switch (self.type()) {
    case Type::String: return stringMethod(budget, self, method.name, args);
    case Type::Sequence: return sequenceMethod(budget, self, method.name, args);
    case Type::Dict: return dictMethod(budget, self, method.name, args);
    case Type::Loop: return loopMethod(self, method.name, args);
    default: throw RenderError("'" + typeName(self) + "' object has no method '" + method.name + "'");
    }
}

}  // namespace bd3::jinja
