#include "chat_templates/jinja_template.hpp"

#include "bd3/error.hpp"
#include "bd3/utf8.hpp"
#include "chat_templates/jinja_json.hpp"
#include "chat_templates/jinja_lexer.hpp"
#include "chat_templates/jinja_parser.hpp"
#include "chat_templates/jinja_renderer.hpp"

namespace bd3::jinja {

Template::Template(std::string_view source, std::string origin) : m_origin(std::move(origin))
{
    if (const auto bad = firstInvalidUtf8(source))
        throw Error(m_origin + ": not valid UTF-8 at byte " + std::to_string(*bad));
    m_tree = parse(tokenize(source, m_origin), m_origin);
}

Template::~Template() = default;
Template::Template(Template&&) noexcept = default;
Template& Template::operator=(Template&&) noexcept = default;

std::string Template::render(const nlohmann::ordered_json& variables, std::chrono::system_clock::time_point now) const
{
    if (!variables.is_object()) throw Error(m_origin + ": the variables are not a JSON object");
    Value values;
    try {
        values = fromJson(variables);
    } catch (const RenderError& e) {
        throw Error(m_origin + ": " + e.what());
    }
    return jinja::render(*m_tree, m_origin, values, now);
}

}  // namespace bd3::jinja
