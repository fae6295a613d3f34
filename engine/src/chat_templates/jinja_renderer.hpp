// Runs a parsed template: statements write the output, expressions are
// evaluated with jinja2's scoping (a for loop's body, a macro call, a set
// or filter block and a with block each get a fresh scope; names resolve
// outward, then to the globals), within the limits on depth, work and size.
#pragma once

#include "chat_templates/jinja_ast.hpp"
#include "chat_templates/jinja_value.hpp"

#include <chrono>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace bd3::jinja {

struct Scope {
    std::shared_ptr<Scope> parent;
    std::vector<std::pair<std::string, Value>> names;

    Value* find(std::string_view name);
    void set(const std::string& name, Value value);
};

// How deep rendering may recurse: expressions, blocks and macro calls
// together (macros may call themselves).
inline constexpr int kMaxRenderDepth = 1000;

// Renders with the variables (a dict) in the outermost scope. Throws
// bd3::Error "<origin> line N: ..." for any failure.
std::string render(const ast::Template& tpl, const std::string& origin, const Value& variables,
                   std::chrono::system_clock::time_point now);

}  // namespace bd3::jinja
