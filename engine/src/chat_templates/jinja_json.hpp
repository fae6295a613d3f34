// JSON in and out: the render variables become values (objects keep their
// key order, as json.loads gives Python dicts), and tojson writes values
// the way Python's json.dumps does.
#pragma once

#include "chat_templates/jinja_value.hpp"

#include <nlohmann/json.hpp>

#include <optional>
#include <string>

namespace bd3::jinja {

// Throws RenderError for strings that are not UTF-8, integers beyond int64
// and nesting deeper than kMaxValueDepth.
Value fromJson(const nlohmann::ordered_json& json);

struct JsonOptions {
    bool ensureAscii = false;
    std::optional<std::string> indent;  // json.dumps's indent, already made a string
    std::optional<std::pair<std::string, std::string>> separators;
    bool sortKeys = false;
};

// json.dumps(value, ...); RenderError for what json cannot serialize.
std::string toJson(const Value& value, const JsonOptions& options);

}  // namespace bd3::jinja
