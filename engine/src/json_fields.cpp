#include "json_fields.hpp"

#include "bd3/error.hpp"
#include "json_document.hpp"

namespace bd3 {

std::string JsonFields::kindOf(const json& value)
{
    if (value.is_null()) return "null";
    if (value.is_boolean()) return "a boolean";
    if (value.is_number()) return "a number";
    if (value.is_string()) return "a string";
    if (value.is_array()) return "an array";
    return "an object";
}

std::string JsonFields::join(const std::string& path, const char* key) { return path.empty() ? key : path + "." + key; }

void JsonFields::fail(const std::string& path, const std::string& problem) const
{
    throw Error(m_origin + ": " + path + ": " + problem);
}

const JsonFields::json& JsonFields::member(const json& object, const std::string& path, const char* key) const
{
    const auto it = object.find(key);
    if (it == object.end()) fail(path, std::string("missing key \"") + key + "\"");
    return *it;
}

const JsonFields::json& JsonFields::object(const json& parent, const std::string& path, const char* key) const
{
    const json& value = member(parent, path, key);
    if (!value.is_object()) fail(join(path, key), "expected an object, found " + kindOf(value));
    return value;
}

const JsonFields::json& JsonFields::array(const json& parent, const std::string& path, const char* key) const
{
    const json& value = member(parent, path, key);
    if (!value.is_array()) fail(join(path, key), "expected an array, found " + kindOf(value));
    return value;
}

std::string JsonFields::string(const json& parent, const std::string& path, const char* key) const
{
    const json& value = member(parent, path, key);
    if (!value.is_string()) fail(join(path, key), "expected a string, found " + kindOf(value));
    return value.get<std::string>();
}

bool JsonFields::boolean(const json& parent, const std::string& path, const char* key) const
{
    const json& value = member(parent, path, key);
    if (!value.is_boolean()) fail(join(path, key), "expected true or false, found " + kindOf(value));
    return value.get<bool>();
}

double JsonFields::number(const json& value, const std::string& path) const
{
    if (!value.is_number()) fail(path, "expected a number, found " + kindOf(value));
    return value.get<double>();
}

double JsonFields::number(const json& parent, const std::string& path, const char* key) const
{
    return number(member(parent, path, key), join(path, key));
}

int64_t JsonFields::integer(const json& value, const std::string& path, int64_t minimum, int64_t maximum) const
{
    if (!value.is_number_integer()) fail(path, "expected a whole number, found " + kindOf(value));
    if (value.is_number_unsigned() && value.get<uint64_t>() > static_cast<uint64_t>(maximum))
        fail(path, quoteJson(value) + " is larger than " + std::to_string(maximum));
    const int64_t result = value.get<int64_t>();
    if (result < minimum || result > maximum)
        fail(path, std::to_string(result) + " is outside " + std::to_string(minimum) + ".." + std::to_string(maximum));
    return result;
}

int32_t JsonFields::int32(const json& parent, const std::string& path, const char* key, int64_t minimum) const
{
    return static_cast<int32_t>(
        integer(member(parent, path, key), join(path, key), minimum, std::numeric_limits<int32_t>::max()));
}

} // namespace bd3
