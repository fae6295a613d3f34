// Typed members of a JSON document, each read with its path in the error:
// "trace: blocks[2].params.steps: expected a whole number, found a string".
// The trace reader and the sampling-parameters codec read through it, so a
// damaged or hand-edited file says where it is wrong in the same words.
#pragma once

#include <nlohmann/json.hpp>

#include <cstdint>
#include <limits>
#include <optional>
#include <string>

namespace bd3 {

class JsonFields {
public:
    using json = nlohmann::json;

    // origin names the document in every message ("trace").
    explicit JsonFields(std::string origin) : m_origin(std::move(origin)) {}

    [[noreturn]] void fail(const std::string& path, const std::string& problem) const;

    const json& member(const json& object, const std::string& path, const char* key) const;
    const json& object(const json& parent, const std::string& path, const char* key) const;
    const json& array(const json& parent, const std::string& path, const char* key) const;
    std::string string(const json& parent, const std::string& path, const char* key) const;
    bool boolean(const json& parent, const std::string& path, const char* key) const;
    double number(const json& value, const std::string& path) const;
    double number(const json& parent, const std::string& path, const char* key) const;
    int64_t integer(const json& value, const std::string& path, int64_t minimum, int64_t maximum) const;
    int32_t int32(const json& parent, const std::string& path, const char* key, int64_t minimum = 0) const;

    // The string at key, a name (of a schedule, a sampler) that fromName
    // turns into its value, or the error naming it.
    template <typename FromName>
    auto named(const json& parent, const std::string& path, const char* key, FromName fromName) const
    {
        const std::string name = string(parent, path, key);
        const auto value = fromName(name);
        if (!value) fail(join(path, key), "unknown name \"" + name + "\"");
        return *value;
    }

    static std::string join(const std::string& path, const char* key);
    static std::string kindOf(const json& value);

private:
    std::string m_origin;
};

} // namespace bd3
