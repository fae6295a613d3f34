#include "chat_templates/jinja_parser.hpp"

#include "chat_templates/jinja_expression_parser.hpp"

#include <algorithm>
#include <initializer_list>

namespace bd3::jinja {

namespace {

using ast::Body;
using ast::Expr;
using ast::ExprKind;
using ast::ExprPtr;
using ast::Node;
using ast::NodeKind;
using ast::NodePtr;

// Whether the body reads the name anywhere (jinja2 asks this of a macro's
// body for caller, varargs and kwargs).
bool readsName(const Expr* e, const std::string& name)
{
    if (!e) return false;
    if (e->kind == ExprKind::Name && e->name == name) return true;
    for (const auto& child : e->children)
        if (readsName(child.get(), name)) return true;
    for (const auto& keyword : e->keywords)
        if (readsName(keyword.value.get(), name)) return true;
    return readsName(e->starArgs.get(), name) || readsName(e->starKwargs.get(), name);
}

bool readsName(const Body& body, const std::string& name)
{
    for (const auto& node : body) {
        for (const auto& e : node->exprs)
            if (readsName(e.get(), name)) return true;
        for (const auto& p : node->parameters)
            if (readsName(p.defaultValue.get(), name)) return true;
        for (const auto& b : node->bodies)
            if (readsName(b, name)) return true;
    }
    return false;
}

class Parser : public ExpressionParser {
public:
    using ExpressionParser::ExpressionParser;

    std::unique_ptr<ast::Template> run()
    {
        auto tpl = std::make_unique<ast::Template>();
        std::string found;
        tpl->body = subparse({}, found);
        markFolding(tpl->body);
        return tpl;
    }

private:
    static void markFolding(Body& body)
    {
        for (auto& node : body) {
            for (auto& e : node->exprs) {
                if (node->kind == NodeKind::FilterBlock || node->kind == NodeKind::SetBlock) {
                    // Filters whose operand is the block: only their arguments.
                    for (size_t i = 1; i < e->children.size(); ++i) jinja::markFolding(*e->children[i], false);
                    for (auto& k : e->keywords) jinja::markFolding(*k.value, false);
                } else {
                    jinja::markFolding(*e, node->kind == NodeKind::Output);
                }
            }
            for (auto& p : node->parameters)
                if (p.defaultValue) jinja::markFolding(*p.defaultValue, false);
            for (auto& b : node->bodies) markFolding(b);
        }
    }

    // ---------------------------------------------------------- statements

    Body subparse(std::initializer_list<const char*> endTags, std::string& found)
    {
        Body body;
        while (true) {
            const Token& token = cur();
            if (token.type == TokenType::Text) {
                auto node = std::make_unique<Node>();
                node->kind = NodeKind::Text;
                node->line = token.line;
                node->text = token.text;
                body.push_back(std::move(node));
                next();
            } else if (token.type == TokenType::VariableBegin) {
                next();
                auto node = std::make_unique<Node>();
                node->kind = NodeKind::Output;
                node->line = token.line;
                node->exprs.push_back(parseTuple(true, {}, false));
                expect(TokenType::VariableEnd, "end of print statement");
                body.push_back(std::move(node));
            } else if (token.type == TokenType::BlockBegin) {
                next();
                if (cur().type == TokenType::Name &&
                    std::any_of(endTags.begin(), endTags.end(), [&](const char* t) { return cur().text == t; })) {
                    found = next().text;
                    return body;
                }
                body.push_back(parseStatement());
                expect(TokenType::BlockEnd, "end of statement block");
            } else if (token.type == TokenType::End) {
                found.clear();
                return body;
            } else {
                fail("unexpected " + describe(token));
            }
        }
    }

    // The body of a block tag opened on `line`, up to one of endTags.
    Body blockBody(std::initializer_list<const char*> endTags, std::string& found, const std::string& tag, int line)
    {
        skipOp(":");
        expect(TokenType::BlockEnd, "end of statement block");
        Body body = subparse(endTags, found);
        if (found.empty()) {
            std::string expected;
            for (const char* t : endTags) expected += (expected.empty() ? "'" : " or '") + std::string(t) + "'";
            fail("unexpected end of template: the '" + tag + "' on line " + std::to_string(line) +
                 " is not closed (expected " + expected + ")");
        }
        return body;
    }

    NodePtr node(NodeKind kind, int line)
    {
        auto n = std::make_unique<Node>();
        n->kind = kind;
        n->line = line;
        return n;
    }

    NodePtr parseStatement()
    {
        const Nest nest(*this);
        if (cur().type != TokenType::Name) fail("expected a tag name, got " + describe(cur()));
        const std::string tag = cur().text;
        const int line = cur().line;
        if (tag == "for") return parseFor();
        if (tag == "if") return parseIf();
        if (tag == "set") return parseSet();
        if (tag == "macro") return parseMacro();
        if (tag == "call") return parseCallBlock();
        if (tag == "filter") return parseFilterBlock();
        if (tag == "with") return parseWith();
        if (tag == "break" || tag == "continue") {
            if (m_loops == 0) fail("'" + tag + "' outside loop");
            next();
            return node(tag == "break" ? NodeKind::Break : NodeKind::Continue, line);
        }
        if (tag == "print") {
            next();
            auto n = node(NodeKind::Output, line);
            while (cur().type != TokenType::BlockEnd) {
                if (!n->exprs.empty()) expectOp(",");
                n->exprs.push_back(parseExpression(true));
            }
            return n;
        }
        if (tag == "generation") {
            next();
            auto n = node(NodeKind::Scope, line);
            std::string found;
            n->bodies.push_back(blockBody({"endgeneration"}, found, tag, line));
            markSpecialNames(*n);
            return n;
        }
        if (tag == "extends" || tag == "block" || tag == "include" || tag == "import" || tag == "from" ||
            tag == "autoescape")
            fail("unsupported tag '" + tag + "' (chat templates are one file)");
        fail("unknown tag '" + tag + "'");
    }

    // Names to assign to: a, or a, b, or (a, b); with allowNamespace also ns.attr.
    ast::Target parseTarget(bool allowNamespace, bool allowTuple)
    {
        ast::Target target;
        if (allowNamespace && cur().type == TokenType::Name && look().type == TokenType::Operator && look().text == ".") {
            target.names.push_back(next().text);
            next();
            target.attribute = expectName();
            return target;
        }
        const bool parens = allowTuple && skipOp("(");
        while (true) {
            if (cur().type != TokenType::Name) fail("can't assign to " + describe(cur()));
            const std::string& n = cur().text;
            if (n == "true" || n == "false" || n == "none" || n == "True" || n == "False" || n == "None")
                fail("can't assign to '" + n + "'");
            target.names.push_back(next().text);
            if (!allowTuple || !isOp(",")) break;
            next();
            target.unpack = true;
            if (parens ? isOp(")") : (cur().type != TokenType::Name)) break;
        }
        if (parens) expectOp(")");
        return target;
    }

    NodePtr parseFor()
    {
        const int line = next().line;
        auto n = node(NodeKind::For, line);
        n->target = parseTarget(false, true);
        if (!skipName("in")) fail("expected 'in', got " + describe(cur()));
        n->exprs.push_back(parseTuple(false, "recursive", false));
        if (skipName("if")) {
            n->hasFilter = true;
            n->exprs.push_back(parseExpression(true));
        }
        if (isName("recursive")) fail("recursive loops are not supported");
        std::string found;
        ++m_loops;
        n->bodies.push_back(blockBody({"endfor", "else"}, found, "for", line));
        --m_loops;
        if (found == "else") {
            n->hasElse = true;
            n->bodies.push_back(blockBody({"endfor"}, found, "for", line));
        }
        return n;
    }

    NodePtr parseIf()
    {
        const int line = next().line;
        auto n = node(NodeKind::If, line);
        n->exprs.push_back(parseTuple(false, {}, false));
        std::string found;
        n->bodies.push_back(blockBody({"elif", "else", "endif"}, found, "if", line));
        while (found == "elif") {
            n->exprs.push_back(parseTuple(false, {}, false));
            n->bodies.push_back(blockBody({"elif", "else", "endif"}, found, "if", line));
        }
        if (found == "else") {
            n->hasElse = true;
            n->bodies.push_back(blockBody({"endif"}, found, "if", line));
        }
        return n;
    }

    std::vector<ExprPtr> filterChain(bool startInline)
    {
        std::vector<ExprPtr> chain;
        while (isOp("|") || startInline) {
            if (!startInline) next();
            startInline = false;
            chain.push_back(parseFilter(nullptr));
        }
        return chain;
    }

    NodePtr parseSet()
    {
        const int line = next().line;
        auto target = parseTarget(true, true);
        if (skipOp("=")) {
            auto n = node(NodeKind::Set, line);
            n->target = std::move(target);
            n->exprs.push_back(parseTuple(true, {}, false));
            return n;
        }
        if (target.unpack) fail("a set block assigns to one name");
        auto n = node(NodeKind::SetBlock, line);
        n->target = std::move(target);
        n->exprs = filterChain(false);
        std::string found;
        n->bodies.push_back(blockBody({"endset"}, found, "set", line));
        return n;
    }

    std::vector<ast::Parameter> parseSignature()
    {
        std::vector<ast::Parameter> params;
        expectOp("(");
        bool defaults = false;
        while (!isOp(")")) {
            if (!params.empty()) expectOp(",");
            ast::Parameter p;
            p.name = expectName();
            if (skipOp("=")) {
                p.defaultValue = parseExpression(true);
                defaults = true;
            } else if (defaults) {
                fail("non-default argument follows default argument");
            }
            params.push_back(std::move(p));
        }
        expectOp(")");
        return params;
    }

    NodePtr parseMacro()
    {
        const int line = next().line;
        auto n = node(NodeKind::Macro, line);
        n->name = expectName();
        n->parameters = parseSignature();
        const int loops = m_loops;
        m_loops = 0;
        std::string found;
        n->bodies.push_back(blockBody({"endmacro"}, found, "macro", line));
        m_loops = loops;
        markSpecialNames(*n);
        return n;
    }

    NodePtr parseCallBlock()
    {
        const int line = next().line;
        auto n = node(NodeKind::CallBlock, line);
        if (isOp("(")) n->parameters = parseSignature();
        ExprPtr call = parseExpression(true);
        if (call->kind != ExprKind::Call) fail("expected call", line);
        n->exprs.push_back(std::move(call));
        const int loops = m_loops;
        m_loops = 0;
        std::string found;
        n->bodies.push_back(blockBody({"endcall"}, found, "call", line));
        m_loops = loops;
        markSpecialNames(*n);
        return n;
    }

    // What jinja2 gives a macro (and a call block's body) if its body reads them.
    static void markSpecialNames(Node& n)
    {
        n.usesCaller = readsName(n.bodies[0], "caller");
        n.usesVarargs = readsName(n.bodies[0], "varargs");
        n.usesKwargs = readsName(n.bodies[0], "kwargs");
    }

    NodePtr parseFilterBlock()
    {
        const int line = next().line;
        auto n = node(NodeKind::FilterBlock, line);
        n->exprs = filterChain(true);
        std::string found;
        n->bodies.push_back(blockBody({"endfilter"}, found, "filter", line));
        return n;
    }

    NodePtr parseWith()
    {
        const int line = next().line;
        auto n = node(NodeKind::With, line);
        while (cur().type != TokenType::BlockEnd) {
            if (!n->targets.empty()) expectOp(",");
            n->targets.push_back(parseTarget(false, true));
            expectOp("=");
            n->exprs.push_back(parseExpression(true));
        }
        std::string found;
        n->bodies.push_back(blockBody({"endwith"}, found, "with", line));
        return n;
    }

    int m_loops = 0;
};

}  // namespace

std::unique_ptr<ast::Template> parse(std::vector<Token> tokens, const std::string& origin)
{
    return Parser(std::move(tokens), origin).run();
}

}  // namespace bd3::jinja
