// The values a template computes with, modelled on the Python objects that
// jinja2 hands around: None, bool, int (int64 here), float, str, list,
// tuple, range, the dict views, dict, jinja2's Undefined and Namespace,
// callables (global functions, bound methods, macros), one-shot iterators
// (what reverse, map and select give) and the loop object. Lists and dicts
// are immutable once built, as the immutable sandbox keeps them; only
// namespaces, iterators and loops change.
#pragma once

#include "chat_templates/jinja_error.hpp"

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

namespace bd3::jinja {

namespace ast {
struct Node;
}
struct Scope;

class Value;
struct Sequence;
class Dict;
struct Namespace;
struct Callable;
struct Iterator;
struct Loop;

// Objects that hold values are freed through a queue rather than
// recursively, so that a long chain of them (a namespace attribute rebuilt in
// a loop, say) cannot exhaust the stack when it goes.
void releaseLater(void* object, void (*destroy)(void*));

template <typename T, typename... Args>
std::shared_ptr<T> makeShared(Args&&... args)
{
    return std::shared_ptr<T>(new T(std::forward<Args>(args)...),
                              [](T* p) { releaseLater(p, [](void* q) { delete static_cast<T*>(q); }); });
}

class Value {
public:
    enum class Type { Undefined, None, Bool, Int, Float, String, Sequence, Dict, Namespace, Callable, Iterator, Loop };

    Value() = default;  // Undefined, with the plain message
    static Value undefined(std::string message);
    static Value none();
    static Value boolean(bool b);
    static Value integer(int64_t i);
    static Value floating(double f);
    static Value string(std::string s);
    // markupsafe's Markup: a str that jinja2's safe and escape give; + and
    // its methods escape what they take in, and repr() shows it.
    static Value markup(std::string s);
    static Value sequence(std::shared_ptr<const Sequence> s);
    static Value dict(std::shared_ptr<const Dict> d);
    static Value nameSpace(std::shared_ptr<Namespace> n);
    static Value callable(std::shared_ptr<const Callable> c);
    static Value iterator(std::shared_ptr<Iterator> i);
    static Value loop(std::shared_ptr<Loop> l);

    Type type() const { return m_type; }
    bool is(Type t) const { return m_type == t; }
    bool isUndefined() const { return m_type == Type::Undefined; }
    bool isNumber() const { return m_type == Type::Bool || m_type == Type::Int || m_type == Type::Float; }
    bool isIntegral() const { return m_type == Type::Bool || m_type == Type::Int; }  // Python's int, bool included
    bool isMarkup() const { return m_type == Type::String && m_scalar.b; }

    bool asBool() const { return m_scalar.b; }
    int64_t asInt() const { return m_type == Type::Bool ? (m_scalar.b ? 1 : 0) : m_scalar.i; }  // Bool or Int
    double asFloat() const;                                                                    // any number
    const std::string& str() const { return *static_cast<const std::string*>(m_object.get()); }
    const Sequence& seq() const { return *static_cast<const Sequence*>(m_object.get()); }
    const Dict& dict() const { return *static_cast<const Dict*>(m_object.get()); }
    Namespace& ns() const { return *static_cast<Namespace*>(m_object.get()); }
    const Callable& callable() const { return *static_cast<const Callable*>(m_object.get()); }
    Iterator& iter() const { return *static_cast<Iterator*>(m_object.get()); }
    Loop& loop() const { return *static_cast<Loop*>(m_object.get()); }
    std::shared_ptr<Namespace> nsPointer() const { return std::static_pointer_cast<Namespace>(m_object); }
    const void* identity() const { return m_object.get(); }

    // What using an Undefined for anything but printing, testing or
    // iterating says (jinja2's UndefinedError message).
    std::string undefinedMessage() const;

private:
    Type m_type = Type::Undefined;
    union {
        bool b;
        int64_t i;
        double f;
    } m_scalar{};
    std::shared_ptr<void> m_object;  // the string, container or object; the message of an Undefined
};

enum class SequenceKind { List, Tuple, Range, DictKeys, DictValues, DictItems };

struct Sequence {
    SequenceKind kind = SequenceKind::List;
    std::vector<Value> items;
    int64_t start = 0, stop = 0, step = 1;  // a Range's arguments, for printing it
    int depth = 1;
};

// A dict in insertion order. Keys are hashable values (None, bool, int,
// float, str, tuples of those); 1, 1.0 and True are one key, as in Python.
class Dict {
public:
    const Value* find(const Value& key) const;
    void set(const Value& key, Value value);  // inserts, or replaces the value and keeps the first key
    const std::vector<std::pair<Value, Value>>& entries() const { return m_entries; }
    size_t size() const { return m_entries.size(); }
    int depth() const { return m_depth; }

private:
    std::vector<std::pair<Value, Value>> m_entries;
    std::unordered_map<std::string, size_t> m_stringKeys;
    size_t m_otherKeys = 0;
    int m_depth = 1;
};

struct Namespace {
    Dict attributes;
};

struct Callable {
    enum class Kind { Global, Method, Macro, Caller };
    Kind kind = Kind::Global;
    std::string name;              // the global's, the method's or the macro's name
    Value self;                    // Method: the object it is bound to
    const ast::Node* node = nullptr;  // Macro, Caller: the definition
    std::shared_ptr<Scope> definedIn;  // Macro: the scope it reads names from (which holds it)
    std::shared_ptr<Scope> callerScope;  // Caller: the scope of the call block
};

// A Python iterator or generator: consumed by whoever iterates it.
struct Iterator {
    std::string typeName;  // "generator", "list_reverseiterator", ...
    std::vector<Value> items;
    size_t next = 0;
};

// jinja2's LoopContext for the iteration in progress.
struct Loop {
    std::shared_ptr<const std::vector<Value>> items;
    size_t index0 = 0;
    bool changedSeen = false;
    Value lastChanged;
};

// ---- construction

Value makeSequence(std::vector<Value> items, SequenceKind kind = SequenceKind::List);
Value makeRange(int64_t start, int64_t stop, int64_t step);
Value makeDict(Dict dict);
Value makeIterator(std::string typeName, std::vector<Value> items);
// A Python str of the code point; the caller has it valid.
Value makeChar(std::string_view utf8);

// ---- Python semantics

std::string typeName(const Value& v);        // type(v).__name__
std::string objectTypeRepr(const Value& v);  // jinja2's object_type_repr, for messages
bool truthy(const Value& v);
bool hashable(const Value& v);
// jinja2's has_safe_repr: None, bool, numbers, str, range, and lists, tuples
// and dicts of those.
bool plainValue(const Value& v, int depth = 0);
bool equals(const Value& a, const Value& b, int depth = 0);
// a < b (<=, >, >=) as Python has it for numbers, strings, lists and
// tuples; a RenderError for other pairs.
enum class Order { Lt, Le, Gt, Ge };
bool ordered(const Value& a, const Value& b, Order order, int depth = 0);
inline bool less(const Value& a, const Value& b) { return ordered(a, b, Order::Lt); }
std::string toStr(const Value& v);  // str(v)
std::string repr(const Value& v, int depth = 0);
std::string formatFloat(double f);  // float.__repr__
// iter(v) drained into a list: a str's characters, a dict's keys; an
// Undefined is empty. A RenderError for what Python cannot iterate.
std::vector<Value> iterate(const Value& v);
// len(v); a RenderError for what has no length.
int64_t length(const Value& v);
// `needle in haystack`.
bool contains(const Value& haystack, const Value& needle);

// An Undefined whose message says that obj has no attribute (or element) name.
Value undefinedAttribute(const Value& obj, std::string_view name);
Value undefinedItem(const Value& obj, const Value& key);
// markupsafe.escape(v): a Markup as it is, anything else as str() escaped.
Value escapeToMarkup(const Value& v);

// Any use of an Undefined other than printing, testing and iterating.
[[noreturn]] void failUndefined(const Value& v);

}  // namespace bd3::jinja
