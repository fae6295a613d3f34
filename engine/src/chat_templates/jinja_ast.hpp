// The parsed template: expressions and statements as jinja2's parser
// builds them, with filters and tests already resolved to functions.
#pragma once

#include "chat_templates/jinja_filters.hpp"
#include "chat_templates/jinja_value.hpp"

#include <memory>
#include <string>
#include <vector>

namespace bd3::jinja::ast {

enum class ExprKind {
    Literal,      // literal
    List,         // children: the items
    Tuple,        // children: the items
    Dict,         // children: key, value, key, value, ...
    Name,         // name
    GetAttr,      // children[0].name
    GetItem,      // children[0][children[1]]
    Slice,        // children[0][children[1]:children[2]:children[3]], each bound nullable
    Call,         // children[0](children[1...], keywords)
    Filter,       // children[0]|name(children[1...], keywords); children[0] null in filter and set blocks
    Test,         // children[0] is [not] name(children[1...], keywords)
    Not,          // not children[0]
    Negate,       // -children[0]
    Plus,         // +children[0]
    Binary,       // children[0] op children[1]
    Concat,       // children joined with ~
    And,          // children[0] and children[1]
    Or,           // children[0] or children[1]
    Compare,      // children[0] compares[0] children[1] compares[1] children[2] ...
    Conditional,  // children[0] if children[1] else children[2] (nullable)
};

enum class BinaryOp { Add, Sub, Mul, Div, FloorDiv, Mod, Pow };
enum class CompareOp { Eq, Ne, Lt, Le, Gt, Ge, In, NotIn };

struct Expr;
using ExprPtr = std::unique_ptr<Expr>;

struct Keyword {
    std::string name;
    ExprPtr value;
};

struct Expr {
    ExprKind kind = ExprKind::Literal;
    int line = 0;
    int height = 1;  // of the tree under it, which bounds evaluation's recursion
    Value literal;
    std::string name;
    std::vector<ExprPtr> children;
    std::vector<Keyword> keywords;
    ExprPtr starArgs;    // Call, Filter, Test: f(*args)
    ExprPtr starKwargs;  // f(**kwargs)
    BinaryOp op = BinaryOp::Add;
    std::vector<CompareOp> compares;
    bool negated = false;
    // jinja2's optimizer evaluates the expressions of constants when it
    // compiles the template, bottom up, slicing through environment.getitem,
    // where a bad slice is Undefined rather than an error. It keeps a result
    // that is a plain value (IfPlain) or, for what a {{ }} prints, any result
    // (Printed); otherwise the expression runs as usual. Marked on the
    // expressions that may be constant (`constant`) and hold a slice, where
    // the difference shows.
    enum class Fold { None, IfPlain, Printed };
    Fold fold = Fold::None;
    bool constant = false;
    FilterFunction filter = nullptr;
    TestFunction test = nullptr;
};

enum class NodeKind {
    Text,         // text
    Output,       // exprs printed one after the other
    If,           // exprs: the conditions; bodies: one per condition, then the else body if hasElse
    For,          // target in exprs[0] [if exprs[1]]: bodies[0], else bodies[1]
    Set,          // target = exprs[0]
    SetBlock,     // target = bodies[0] rendered, through the filters in exprs
    Macro,        // name(parameters): bodies[0]
    CallBlock,    // exprs[0] is the call; bodies[0] is the caller with its parameters
    FilterBlock,  // bodies[0] rendered through the filters in exprs
    With,         // targets = exprs (evaluated outside): bodies[0]
    Break,
    Continue,
    Scope,        // bodies[0] in a scope of its own ({% generation %})
};

// What an assignment binds: one name, names unpacked from a tuple, or a
// namespace's attribute (name.attribute).
struct Target {
    std::vector<std::string> names;
    bool unpack = false;
    std::string attribute;
};

struct Parameter {
    std::string name;
    ExprPtr defaultValue;  // nullable
};

struct Node;
using NodePtr = std::unique_ptr<Node>;
using Body = std::vector<NodePtr>;

struct Node {
    NodeKind kind = NodeKind::Text;
    int line = 0;
    std::string text;
    std::vector<ExprPtr> exprs;
    std::vector<Body> bodies;
    Target target;
    std::vector<Target> targets;
    bool hasElse = false;
    bool hasFilter = false;  // For: exprs[1] filters the items
    std::string name;
    std::vector<Parameter> parameters;
    // Macro: whether the body reads caller, varargs or kwargs, which decides
    // what extra arguments the macro accepts (as jinja2 decides it).
    bool usesCaller = false;
    bool usesVarargs = false;
    bool usesKwargs = false;
};

struct Template {
    Body body;
};

}  // namespace bd3::jinja::ast
