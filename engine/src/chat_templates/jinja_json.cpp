#include "chat_templates/jinja_json.hpp"

#include "bd3/utf8.hpp"
#include "chat_templates/jinja_text.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace bd3::jinja {

namespace {

Value convert(const nlohmann::ordered_json& json, int depth)
{
    if (depth > kMaxValueDepth)
        throw RenderError("the variables nest more than " + std::to_string(kMaxValueDepth) + " deep");
    switch (json.type()) {
    case nlohmann::ordered_json::value_t::null: return Value::none();
    case nlohmann::ordered_json::value_t::boolean: return Value::boolean(json.get<bool>());
    case nlohmann::ordered_json::value_t::number_integer: return Value::integer(json.get<int64_t>());
    case nlohmann::ordered_json::value_t::number_unsigned: {
        const auto u = json.get<uint64_t>();
        if (u > static_cast<uint64_t>(INT64_MAX)) throw RenderError("the variables hold an integer beyond 64 bits");
        return Value::integer(static_cast<int64_t>(u));
    }
    case nlohmann::ordered_json::value_t::number_float: return Value::floating(json.get<double>());
    case nlohmann::ordered_json::value_t::string: {
        const auto& s = json.get_ref<const std::string&>();
        if (const auto bad = firstInvalidUtf8(s))
            throw RenderError("a string in the variables is not valid UTF-8 at byte " + std::to_string(*bad));
        return Value::string(s);
    }
    case nlohmann::ordered_json::value_t::array: {
        std::vector<Value> items;
        items.reserve(json.size());
        for (const auto& item : json) items.push_back(convert(item, depth + 1));
        return makeSequence(std::move(items));
    }
    case nlohmann::ordered_json::value_t::object: {
        Dict dict;
        for (const auto& [key, item] : json.items()) {
            if (const auto bad = firstInvalidUtf8(key))
                throw RenderError("a key in the variables is not valid UTF-8 at byte " + std::to_string(*bad));
            dict.set(Value::string(key), convert(item, depth + 1));
        }
        return makeDict(std::move(dict));
    }
    default: throw RenderError("the variables hold a value JSON text cannot (binary data)");
    }
}

class Writer {
public:
    explicit Writer(const JsonOptions& options) : m_options(options)
    {
        if (options.separators) {
            m_itemSeparator = options.separators->first;
            m_keySeparator = options.separators->second;
        } else if (options.indent) {
            m_itemSeparator = ",";
        }
    }

    void write(const Value& v, int depth)
    {
        if (depth > kMaxValueDepth) throw RenderError("tojson: values nested too deeply");
        switch (v.type()) {
        case Value::Type::None: m_out += "null"; break;
        case Value::Type::Bool: m_out += v.asBool() ? "true" : "false"; break;
        case Value::Type::Int: m_out += std::to_string(v.asInt()); break;
        case Value::Type::Float: m_out += number(v.asFloat()); break;
        case Value::Type::String: string(v.str()); break;
        case Value::Type::Sequence:
            if (v.seq().kind != SequenceKind::List && v.seq().kind != SequenceKind::Tuple) unserializable(v);
            array(v.seq().items, depth);
            break;
        case Value::Type::Dict: object(v.dict(), depth); break;
        default: unserializable(v);
        }
        checkStringSize(m_out.size());
    }

    std::string take() { return std::move(m_out); }

private:
    [[noreturn]] static void unserializable(const Value& v)
    {
        throw RenderError("Object of type " + typeName(v) + " is not JSON serializable");
    }

    static std::string number(double f)
    {
        if (std::isnan(f)) return "NaN";
        if (std::isinf(f)) return f < 0 ? "-Infinity" : "Infinity";
        return formatFloat(f);
    }

    void newline(int depth)
    {
        m_out.push_back('\n');
        for (int i = 0; i < depth; ++i) {
            checkStringSize(m_out.size() + m_options.indent->size());
            m_out += *m_options.indent;
        }
    }

    void array(const std::vector<Value>& items, int depth)
    {
        if (items.empty()) {
            m_out += "[]";
            return;
        }
        m_out.push_back('[');
        for (size_t i = 0; i < items.size(); ++i) {
            if (i > 0) m_out += m_itemSeparator;
            if (m_options.indent) newline(depth + 1);
            write(items[i], depth + 1);
        }
        if (m_options.indent) newline(depth);
        m_out.push_back(']');
    }

    // Python's json turns None, bool, int and float keys into strings.
    static std::string key(const Value& k)
    {
        switch (k.type()) {
        case Value::Type::String: return k.str();
        case Value::Type::None: return "null";
        case Value::Type::Bool: return k.asBool() ? "true" : "false";
        case Value::Type::Int: return std::to_string(k.asInt());
        case Value::Type::Float: return number(k.asFloat());
        default: throw RenderError("keys must be str, int, float, bool or None, not " + typeName(k));
        }
    }

    void object(const Dict& dict, int depth)
    {
        if (dict.size() == 0) {
            m_out += "{}";
            return;
        }
        std::vector<const std::pair<Value, Value>*> entries;
        for (const auto& entry : dict.entries()) entries.push_back(&entry);
        if (m_options.sortKeys)
            std::stable_sort(entries.begin(), entries.end(),
                             [](const auto* a, const auto* b) { return less(a->first, b->first); });
        m_out.push_back('{');
        bool first = true;
        for (const auto* entry : entries) {
            if (!first) m_out += m_itemSeparator;
            first = false;
            if (m_options.indent) newline(depth + 1);
            string(key(entry->first));
            m_out += m_keySeparator;
            write(entry->second, depth + 1);
        }
        if (m_options.indent) newline(depth);
        m_out.push_back('}');
    }

    void string(const std::string& s)
    {
        char buffer[16];
        m_out.push_back('"');
        for (const char32_t c : text::decode(s)) {
            switch (c) {
            case U'"': m_out += "\\\""; break;
            case U'\\': m_out += "\\\\"; break;
            case U'\n': m_out += "\\n"; break;
            case U'\r': m_out += "\\r"; break;
            case U'\t': m_out += "\\t"; break;
            case U'\b': m_out += "\\b"; break;
            case U'\f': m_out += "\\f"; break;
            default:
                if (c < 0x20 || (m_options.ensureAscii && c > 0x7E)) {
                    if (c > 0xFFFF) {
                        const char32_t v = c - 0x10000;
                        std::snprintf(buffer, sizeof buffer, "\\u%04x\\u%04x", static_cast<unsigned>(0xD800 | (v >> 10)),
                                      static_cast<unsigned>(0xDC00 | (v & 0x3FF)));
                    } else {
                        std::snprintf(buffer, sizeof buffer, "\\u%04x", static_cast<unsigned>(c));
                    }
                    m_out += buffer;
                } else {
                    text::appendCodepoint(m_out, c);
                }
            }
        }
        m_out.push_back('"');
    }

    const JsonOptions& m_options;
    std::string m_itemSeparator = ", ";
    std::string m_keySeparator = ": ";
    std::string m_out;
};

}  // namespace

Value fromJson(const nlohmann::ordered_json& json) { return convert(json, 0); }

std::string toJson(const Value& value, const JsonOptions& options)
{
    Writer writer(options);
    writer.write(value, 0);
    return writer.take();
}

}  // namespace bd3::jinja
