// The expression half of the parser: jinja2's grammar for expressions
// (precedence from `x if c else y` down to literals, filters and tests with
// their one bare argument, calls, subscripts and slices), shared by the
// statement parser (jinja_parser.cpp) that derives from it.
#pragma once

#include "bd3/error.hpp"
#include "chat_templates/jinja_ast.hpp"
#include "chat_templates/jinja_lexer.hpp"

#include <algorithm>
#include <string>
#include <vector>

namespace bd3::jinja {

// How deep statements and expressions may nest; deeper gives an error
// rather than exhausting the stack (here or when rendering).
inline constexpr int kMaxNesting = 256;

// How a token is named in the messages.
std::string describe(const Token& token);

// Marks the expressions under e that jinja2's optimizer folds and whose
// folding matters (see Expr::Fold); printed: e is what a {{ }} prints.
void markFolding(ast::Expr& e, bool printed);

class ExpressionParser {
public:
    ExpressionParser(std::vector<Token> tokens, const std::string& origin) : m_tokens(std::move(tokens)), m_origin(origin)
    {
    }

protected:
    using Expr = ast::Expr;
    using ExprKind = ast::ExprKind;
    using ExprPtr = ast::ExprPtr;

    // Counts nesting on the way down; the limit keeps recursion bounded.
    class Nest {
    public:
        explicit Nest(ExpressionParser& p) : m_parser(p)
        {
            if (++m_parser.m_depth > kMaxNesting)
                m_parser.fail("the template nests deeper than " + std::to_string(kMaxNesting) + " levels");
        }
        ~Nest() { --m_parser.m_depth; }
        Nest(const Nest&) = delete;
        Nest& operator=(const Nest&) = delete;

    private:
        ExpressionParser& m_parser;
    };

    [[noreturn]] void fail(const std::string& message, int line = -1) const
    {
        throw Error(m_origin + " line " + std::to_string(line < 0 ? cur().line : line) + ": " + message);
    }

    const Token& cur() const { return m_tokens[m_pos]; }
    const Token& look() const { return m_tokens[std::min(m_pos + 1, m_tokens.size() - 1)]; }
    const Token& next()
    {
        const Token& t = m_tokens[m_pos];
        if (m_pos + 1 < m_tokens.size()) ++m_pos;
        return t;
    }

    bool isOp(const char* op) const { return cur().type == TokenType::Operator && cur().text == op; }
    bool isName(const char* name) const { return cur().type == TokenType::Name && cur().text == name; }
    bool skipOp(const char* op)
    {
        if (!isOp(op)) return false;
        next();
        return true;
    }
    bool skipName(const char* name)
    {
        if (!isName(name)) return false;
        next();
        return true;
    }
    void expectOp(const char* op)
    {
        if (!skipOp(op)) fail("expected '" + std::string(op) + "', got " + describe(cur()));
    }
    void expect(TokenType type, const char* what)
    {
        if (cur().type != type) fail("expected " + std::string(what) + ", got " + describe(cur()));
        next();
    }
    std::string expectName()
    {
        if (cur().type != TokenType::Name) fail("expected a name, got " + describe(cur()));
        return next().text;
    }

    ExprPtr make(ExprKind kind, int line, std::vector<ExprPtr> children = {})
    {
        auto e = std::make_unique<Expr>();
        e->kind = kind;
        e->line = line;
        e->children = std::move(children);
        for (const auto& c : e->children)
            if (c) e->height = std::max(e->height, c->height + 1);
        if (e->height > kMaxNesting)
            fail("an expression nests deeper than " + std::to_string(kMaxNesting) + " levels", line);
        return e;
    }

    void growHeight(Expr& e, const Expr* child)
    {
        if (!child) return;
        e.height = std::max(e.height, child->height + 1);
        if (e.height > kMaxNesting)
            fail("an expression nests deeper than " + std::to_string(kMaxNesting) + " levels", e.line);
    }

    bool isTupleEnd(const char* extraEnd) const;
    // Expressions separated by commas: a tuple when there is a comma.
    ExprPtr parseTuple(bool withCondexpr, const char* extraEnd, bool explicitParens);
    ExprPtr parseExpression(bool withCondexpr) { return withCondexpr ? parseCondexpr() : parseOr(); }
    ExprPtr parseCondexpr();
    ExprPtr binary(ExprKind kind, int line, ExprPtr a, ExprPtr b);
    ExprPtr parseOr();
    ExprPtr parseAnd();
    ExprPtr parseNot();
    ExprPtr parseCompare();
    ExprPtr arithmetic(ast::BinaryOp op, int line, ExprPtr a, ExprPtr b);
    ExprPtr parseMath1();
    ExprPtr parseConcat();
    ExprPtr parseMath2();
    ExprPtr parsePow();
    ExprPtr parseUnary(bool withFilter);
    ExprPtr literal(int line, Value v);
    ExprPtr parsePrimary();
    ExprPtr parseList();
    ExprPtr parseDict();
    ExprPtr parsePostfix(ExprPtr node);
    ExprPtr parseSubscript(ExprPtr node);
    // An index (one expression) or a slice (three, each nullable).
    std::vector<ExprPtr> parseSubscribed();
    // (args, name=value, ...) into e's children (after the first) and keywords.
    void parseCallArgs(Expr& e);
    ExprPtr parseCall(ExprPtr callee);
    ExprPtr parseFilterExpr(ExprPtr node);
    std::string dottedName();
    ExprPtr parseFilter(ExprPtr operand);
    ExprPtr parseTest(ExprPtr operand);

    std::vector<Token> m_tokens;
    size_t m_pos = 0;
    const std::string& m_origin;
    int m_depth = 0;
};

}  // namespace bd3::jinja
