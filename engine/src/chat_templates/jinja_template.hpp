// A Jinja template as Hugging Face chat templates are written: the subset of
// jinja2 they use, rendered byte for byte as transformers renders them (an
// ImmutableSandboxedEnvironment with trim_blocks, lstrip_blocks and loop
// controls; raise_exception, strftime_now and transformers' tojson).
#pragma once

#include <nlohmann/json.hpp>

#include <chrono>
#include <memory>
#include <string>
#include <string_view>

namespace bd3::jinja {

namespace ast {
struct Template;
}

class Template {
public:
    // Parses once; throws bd3::Error "ORIGIN line N: ..." on a syntax error or
    // an unsupported construct, and for source that is not valid UTF-8.
    Template(std::string_view source, std::string origin);
    ~Template();
    Template(Template&&) noexcept;
    Template& operator=(Template&&) noexcept;

    // Renders with the given variables (a JSON object, whose key order is
    // kept as Python dicts keep it); `now` is what strftime_now formats, in
    // local time. Throws bd3::Error "ORIGIN line N: ..." for any failure,
    // raise_exception's message included. Several threads may render one
    // template at once.
    std::string render(const nlohmann::ordered_json& variables, std::chrono::system_clock::time_point now) const;

private:
    std::string m_origin;
    std::unique_ptr<ast::Template> m_tree;
};

}  // namespace bd3::jinja
