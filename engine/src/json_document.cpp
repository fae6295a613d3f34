#include "json_document.hpp"

#include "bd3/error.hpp"

namespace bd3 {

nlohmann::json parseJsonDocument(std::string_view text, const std::string& origin)
{
    try {
        return nlohmann::json::parse(text.begin(), text.end());
    } catch (const nlohmann::json::parse_error& error) {
        throw Error(origin + ": not valid JSON (byte " + std::to_string(error.byte) + "): " + error.what());
    } catch (const nlohmann::json::exception& error) {
        // A number too large for a double, and the like.
        throw Error(origin + ": not valid JSON: " + error.what());
    }
}

} // namespace bd3
