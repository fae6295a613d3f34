// Parsing JSON that comes from outside (model files, traces): every way the
// text can be wrong, a number too large for its type included, is one
// bd3::Error naming the origin and where the parser stopped.
#pragma once

#include <nlohmann/json.hpp>

#include <string>
#include <string_view>

namespace bd3 {

nlohmann::json parseJsonDocument(std::string_view text, const std::string& origin);

} // namespace bd3
