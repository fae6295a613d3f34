#include "chat_templates/jinja_expression_parser.hpp"

#include "chat_templates/jinja_text.hpp"

#include <optional>

namespace bd3::jinja {

using ast::Expr;
using ast::ExprKind;
using ast::ExprPtr;

std::string describe(const Token& token)
{
    switch (token.type) {
    case TokenType::Text: return "template text";
    case TokenType::VariableBegin: return "begin of print statement";
    case TokenType::VariableEnd: return "end of print statement";
    case TokenType::BlockBegin: return "begin of statement block";
    case TokenType::BlockEnd: return "end of statement block";
    case TokenType::Name: return "'" + token.text + "'";
    case TokenType::String: return "string " + text::repr(token.text);
    case TokenType::Integer: return "integer";
    case TokenType::Float: return "float";
    case TokenType::Operator: return "'" + token.text + "'";
    case TokenType::End: return "end of template";
    }
    return "token";
}

bool ExpressionParser::isTupleEnd(const char* extraEnd) const
{
    const TokenType t = cur().type;
    if (t == TokenType::VariableEnd || t == TokenType::BlockEnd || t == TokenType::End) return true;
    if (isOp(")")) return true;
    return extraEnd && isName(extraEnd);
}

// Expressions separated by commas: a tuple when there is a comma.
ExprPtr ExpressionParser::parseTuple(bool withCondexpr, const char* extraEnd, bool explicitParens)
{
    const int line = cur().line;
    std::vector<ExprPtr> items;
    bool isTuple = false;
    while (true) {
        if (!items.empty()) expectOp(",");
        if (isTupleEnd(extraEnd)) break;
        items.push_back(parseExpression(withCondexpr));
        if (isOp(","))
            isTuple = true;
        else
            break;
    }
    if (!isTuple) {
        if (!items.empty()) return std::move(items[0]);
        if (!explicitParens) fail("expected an expression, got " + describe(cur()));
    }
    return make(ExprKind::Tuple, line, std::move(items));
}

ExprPtr ExpressionParser::parseCondexpr()
{
    const int line = cur().line;
    ExprPtr expr = parseOr();
    while (skipName("if")) {
        ExprPtr cond = parseOr();
        ExprPtr otherwise;
        if (skipName("else")) {
            const Nest nest(*this);
            otherwise = parseCondexpr();
        }
        std::vector<ExprPtr> children;
        children.push_back(std::move(expr));
        children.push_back(std::move(cond));
        children.push_back(std::move(otherwise));
        expr = make(ExprKind::Conditional, line, std::move(children));
    }
    return expr;
}

ExprPtr ExpressionParser::binary(ExprKind kind, int line, ExprPtr a, ExprPtr b)
{
    std::vector<ExprPtr> children;
    children.push_back(std::move(a));
    children.push_back(std::move(b));
    return make(kind, line, std::move(children));
}

ExprPtr ExpressionParser::parseOr()
{
    ExprPtr left = parseAnd();
    while (isName("or")) {
        const int line = next().line;
        left = binary(ExprKind::Or, line, std::move(left), parseAnd());
    }
    return left;
}

ExprPtr ExpressionParser::parseAnd()
{
    ExprPtr left = parseNot();
    while (isName("and")) {
        const int line = next().line;
        left = binary(ExprKind::And, line, std::move(left), parseNot());
    }
    return left;
}

ExprPtr ExpressionParser::parseNot()
{
    if (isName("not")) {
        const Nest nest(*this);
        const int line = next().line;
        std::vector<ExprPtr> children;
        children.push_back(parseNot());
        return make(ExprKind::Not, line, std::move(children));
    }
    return parseCompare();
}

ExprPtr ExpressionParser::parseCompare()
{
    const int line = cur().line;
    ExprPtr first = parseMath1();
    std::vector<ExprPtr> operands;
    std::vector<ast::CompareOp> ops;
    operands.push_back(std::move(first));
    while (true) {
        using ast::CompareOp;
        std::optional<CompareOp> op;
        if (isOp("=="))
            op = CompareOp::Eq;
        else if (isOp("!="))
            op = CompareOp::Ne;
        else if (isOp("<"))
            op = CompareOp::Lt;
        else if (isOp("<="))
            op = CompareOp::Le;
        else if (isOp(">"))
            op = CompareOp::Gt;
        else if (isOp(">="))
            op = CompareOp::Ge;
        if (op) {
            next();
        } else if (isName("in")) {
            next();
            op = CompareOp::In;
        } else if (isName("not") && look().type == TokenType::Name && look().text == "in") {
            next();
            next();
            op = CompareOp::NotIn;
        } else {
            break;
        }
        ops.push_back(*op);
        operands.push_back(parseMath1());
    }
    if (ops.empty()) return std::move(operands[0]);
    auto e = make(ExprKind::Compare, line, std::move(operands));
    e->compares = std::move(ops);
    return e;
}

ExprPtr ExpressionParser::arithmetic(ast::BinaryOp op, int line, ExprPtr a, ExprPtr b)
{
    auto e = binary(ExprKind::Binary, line, std::move(a), std::move(b));
    e->op = op;
    return e;
}

ExprPtr ExpressionParser::parseMath1()
{
    ExprPtr left = parseConcat();
    while (isOp("+") || isOp("-")) {
        const auto op = cur().text == "+" ? ast::BinaryOp::Add : ast::BinaryOp::Sub;
        const int line = next().line;
        left = arithmetic(op, line, std::move(left), parseConcat());
    }
    return left;
}

ExprPtr ExpressionParser::parseConcat()
{
    const int line = cur().line;
    std::vector<ExprPtr> parts;
    parts.push_back(parseMath2());
    while (skipOp("~")) parts.push_back(parseMath2());
    if (parts.size() == 1) return std::move(parts[0]);
    return make(ExprKind::Concat, line, std::move(parts));
}

ExprPtr ExpressionParser::parseMath2()
{
    ExprPtr left = parsePow();
    while (isOp("*") || isOp("/") || isOp("//") || isOp("%")) {
        const std::string& o = cur().text;
        const auto op = o == "*"   ? ast::BinaryOp::Mul
                        : o == "/" ? ast::BinaryOp::Div
                        : o == "//" ? ast::BinaryOp::FloorDiv
                                    : ast::BinaryOp::Mod;
        const int line = next().line;
        left = arithmetic(op, line, std::move(left), parsePow());
    }
    return left;
}

ExprPtr ExpressionParser::parsePow()
{
    ExprPtr left = parseUnary(true);
    while (isOp("**")) {
        const int line = next().line;
        left = arithmetic(ast::BinaryOp::Pow, line, std::move(left), parseUnary(true));
    }
    return left;
}

ExprPtr ExpressionParser::parseUnary(bool withFilter)
{
    const int line = cur().line;
    ExprPtr node;
    if (isOp("-") || isOp("+")) {
        const Nest nest(*this);
        const auto kind = cur().text == "-" ? ExprKind::Negate : ExprKind::Plus;
        next();
        std::vector<ExprPtr> children;
        children.push_back(parseUnary(false));
        node = make(kind, line, std::move(children));
    } else {
        node = parsePrimary();
    }
    node = parsePostfix(std::move(node));
    if (withFilter) node = parseFilterExpr(std::move(node));
    return node;
}

ExprPtr ExpressionParser::literal(int line, Value v)
{
    auto e = make(ExprKind::Literal, line);
    e->literal = std::move(v);
    return e;
}

ExprPtr ExpressionParser::parsePrimary()
{
    const Token& token = cur();
    const int line = token.line;
    switch (token.type) {
    case TokenType::Name: {
        const std::string n = next().text;
        if (n == "true" || n == "True") return literal(line, Value::boolean(true));
        if (n == "false" || n == "False") return literal(line, Value::boolean(false));
        if (n == "none" || n == "None") return literal(line, Value::none());
        auto e = make(ExprKind::Name, line);
        e->name = n;
        return e;
    }
    case TokenType::String: {
        std::string s = next().text;
        while (cur().type == TokenType::String) s += next().text;  // adjacent literals join
        return literal(line, Value::string(std::move(s)));
    }
    case TokenType::Integer: return literal(line, Value::integer(next().integer));
    case TokenType::Float: return literal(line, Value::floating(next().number));
    case TokenType::Operator: {
        // Brackets are where expressions nest.
        const Nest nest(*this);
        if (token.text == "(") {
            next();
            ExprPtr e = parseTuple(true, {}, true);
            expectOp(")");
            return e;
        }
        if (token.text == "[") return parseList();
        if (token.text == "{") return parseDict();
        break;
    }
    default: break;
    }
    fail("unexpected " + describe(token));
}

ExprPtr ExpressionParser::parseList()
{
    const int line = next().line;
    std::vector<ExprPtr> items;
    while (!isOp("]")) {
        if (!items.empty()) expectOp(",");
        if (isOp("]")) break;
        items.push_back(parseExpression(true));
    }
    expectOp("]");
    return make(ExprKind::List, line, std::move(items));
}

ExprPtr ExpressionParser::parseDict()
{
    const int line = next().line;
    std::vector<ExprPtr> items;
    while (!isOp("}")) {
        if (!items.empty()) expectOp(",");
        if (isOp("}")) break;
        items.push_back(parseExpression(true));
        expectOp(":");
        items.push_back(parseExpression(true));
    }
    expectOp("}");
    return make(ExprKind::Dict, line, std::move(items));
}

ExprPtr ExpressionParser::parsePostfix(ExprPtr node)
{
    while (true) {
        if (isOp(".") || isOp("["))
            node = parseSubscript(std::move(node));
        else if (isOp("("))
            node = parseCall(std::move(node));
        else
            return node;
    }
}

namespace {

// Marks the expressions jinja2's optimizer may evaluate at compile time: no
// names, calls or filters that need the context where evaluation goes (a
// conditional, `and` and `or` may decide without the other operands).
bool markConstant(Expr* e)
{
    if (!e) return true;
    bool children = true;
    for (const auto& c : e->children) children = markConstant(c.get()) && children;
    for (const auto& k : e->keywords) children = markConstant(k.value.get()) && children;
    bool constant = children;
    switch (e->kind) {
    case ExprKind::Name:
    case ExprKind::Call: constant = false; break;
    case ExprKind::Conditional:
        constant = e->children[1]->constant &&
                   (e->children[0]->constant || (e->children[2] && e->children[2]->constant));
        break;
    case ExprKind::And:
    case ExprKind::Or: constant = e->children[0]->constant; break;
    case ExprKind::Filter:
        if (e->name == "map" || e->name == "select" || e->name == "reject" || e->name == "selectattr" ||
            e->name == "rejectattr")
            constant = false;
        break;
    default: break;
    }
    if (e->starArgs || e->starKwargs) constant = false;
    e->constant = constant;
    return constant;
}

bool holdsSlice(const Expr* e)
{
    if (!e) return false;
    if (e->kind == ExprKind::Slice) return true;
    for (const auto& c : e->children)
        if (holdsSlice(c.get())) return true;
    for (const auto& k : e->keywords)
        if (holdsSlice(k.value.get())) return true;
    return false;
}

}  // namespace

namespace {

void markFoldingOf(Expr& e, Expr::Fold fold)
{
    if (e.constant && holdsSlice(&e)) e.fold = fold;
    for (auto& c : e.children)
        if (c) markFoldingOf(*c, Expr::Fold::IfPlain);
    for (auto& k : e.keywords) markFoldingOf(*k.value, Expr::Fold::IfPlain);
    if (e.starArgs) markFoldingOf(*e.starArgs, Expr::Fold::IfPlain);
    if (e.starKwargs) markFoldingOf(*e.starKwargs, Expr::Fold::IfPlain);
}

}  // namespace

void markFolding(Expr& e, bool printed)
{
    markConstant(&e);
    markFoldingOf(e, printed ? Expr::Fold::Printed : Expr::Fold::IfPlain);
}

ExprPtr ExpressionParser::parseSubscript(ExprPtr node)
{
    const Nest nest(*this);
    const Token& token = next();
    const int line = token.line;
    if (token.text == ".") {
        const Token& attr = cur();
        if (attr.type == TokenType::Name) {
            auto e = make(ExprKind::GetAttr, line, {});
            e->children.push_back(std::move(node));
            growHeight(*e, e->children[0].get());
            e->name = next().text;
            return e;
        }
        if (attr.type != TokenType::Integer) fail("expected name or number after '.'");
        std::vector<ExprPtr> children;
        children.push_back(std::move(node));
        children.push_back(literal(attr.line, Value::integer(next().integer)));
        return make(ExprKind::GetItem, line, std::move(children));
    }
    std::vector<std::vector<ExprPtr>> args;  // each: one index, or three slice bounds
    while (!isOp("]")) {
        if (!args.empty()) expectOp(",");
        args.push_back(parseSubscribed());
    }
    expectOp("]");
    std::vector<ExprPtr> children;
    children.push_back(std::move(node));
    if (args.size() == 1 && args[0].size() == 3) {
        for (auto& bound : args[0]) children.push_back(std::move(bound));
        return make(ExprKind::Slice, line, std::move(children));
    }
    if (args.size() == 1) {
        children.push_back(std::move(args[0][0]));
        return make(ExprKind::GetItem, line, std::move(children));
    }
    std::vector<ExprPtr> items;
    for (auto& a : args) {
        if (a.size() == 3) fail("slices inside a tuple subscript are not supported", line);
        items.push_back(std::move(a[0]));
    }
    children.push_back(make(ExprKind::Tuple, line, std::move(items)));
    return make(ExprKind::GetItem, line, std::move(children));
}

// An index (one expression) or a slice (three, each nullable).
std::vector<ExprPtr> ExpressionParser::parseSubscribed()
{
    std::vector<ExprPtr> args;
    if (isOp(":")) {
        next();
        args.push_back(nullptr);
    } else {
        ExprPtr e = parseExpression(true);
        if (!isOp(":")) {
            args.push_back(std::move(e));
            return args;
        }
        next();
        args.push_back(std::move(e));
    }
    if (isOp(":") || isOp("]") || isOp(","))
        args.push_back(nullptr);
    else
        args.push_back(parseExpression(true));
    if (skipOp(":")) {
        if (isOp("]") || isOp(","))
            args.push_back(nullptr);
        else
            args.push_back(parseExpression(true));
    } else {
        args.push_back(nullptr);
    }
    return args;
}

// (args, name=value, ...) into e's children (after the first) and keywords.
void ExpressionParser::parseCallArgs(Expr& e)
{
    const Nest nest(*this);
    expectOp("(");
    bool requireComma = false;
    // jinja2's order: positional, *args, keywords, **kwargs.
    const auto invalid = [&](bool bad) {
        if (bad) fail("invalid syntax for function call expression");
    };
    while (!isOp(")")) {
        if (requireComma) {
            expectOp(",");
            if (isOp(")")) break;
        }
        if (skipOp("*")) {
            invalid(e.starArgs || e.starKwargs);
            e.starArgs = parseExpression(true);
            growHeight(e, e.starArgs.get());
        } else if (skipOp("**")) {
            invalid(e.starKwargs != nullptr);
            e.starKwargs = parseExpression(true);
            growHeight(e, e.starKwargs.get());
        } else if (cur().type == TokenType::Name && look().type == TokenType::Operator && look().text == "=") {
            invalid(e.starKwargs != nullptr);
            ast::Keyword k;
            k.name = next().text;
            next();
            k.value = parseExpression(true);
            growHeight(e, k.value.get());
            e.keywords.push_back(std::move(k));
        } else {
            invalid(e.starArgs || e.starKwargs || !e.keywords.empty());
            e.children.push_back(parseExpression(true));
            growHeight(e, e.children.back().get());
        }
        requireComma = true;
    }
    expectOp(")");
}

ExprPtr ExpressionParser::parseCall(ExprPtr callee)
{
    const int line = cur().line;
    std::vector<ExprPtr> children;
    children.push_back(std::move(callee));
    auto e = make(ExprKind::Call, line, std::move(children));
    parseCallArgs(*e);
    return e;
}

ExprPtr ExpressionParser::parseFilterExpr(ExprPtr node)
{
    while (true) {
        if (isOp("|")) {
            next();
            node = parseFilter(std::move(node));
        } else if (isName("is")) {
            node = parseTest(std::move(node));
        } else if (isOp("(")) {
            node = parseCall(std::move(node));
        } else {
            return node;
        }
    }
}

std::string ExpressionParser::dottedName()
{
    std::string n = expectName();
    while (skipOp(".")) n.append(".").append(expectName());
    return n;
}

ExprPtr ExpressionParser::parseFilter(ExprPtr operand)
{
    const int line = cur().line;
    const std::string name = dottedName();
    std::vector<ExprPtr> children;
    children.push_back(std::move(operand));
    auto e = make(ExprKind::Filter, line, std::move(children));
    e->name = name;
    e->filter = findFilter(name);
    if (!e->filter) fail((jinjaHasFilter(name) ? "unsupported filter '" : "unknown filter '") + name + "'", line);
    if (isOp("(")) parseCallArgs(*e);
    return e;
}

ExprPtr ExpressionParser::parseTest(ExprPtr operand)
{
    const int line = next().line;  // "is"
    const bool negated = skipName("not");
    const std::string name = dottedName();
    std::vector<ExprPtr> children;
    children.push_back(std::move(operand));
    auto e = make(ExprKind::Test, line, std::move(children));
    e->name = name;
    e->negated = negated;
    e->test = findTest(name);
    if (!e->test) fail((jinjaHasTest(name) ? "unsupported test '" : "unknown test '") + name + "'", line);
    if (isOp("(")) {
        parseCallArgs(*e);
    } else {
        // jinja2 takes one bare argument: x is divisibleby 3, x is sameas none
        const Token& t = cur();
        const bool startsArg = t.type == TokenType::Name || t.type == TokenType::String ||
                               t.type == TokenType::Integer || t.type == TokenType::Float ||
                               (t.type == TokenType::Operator && (t.text == "(" || t.text == "[" || t.text == "{"));
        if (startsArg && !isName("else") && !isName("or") && !isName("and")) {
            if (isName("is")) fail("you cannot chain multiple tests with is");
            ExprPtr arg = parsePostfix(parsePrimary());
            growHeight(*e, arg.get());
            e->children.push_back(std::move(arg));
        }
    }
    return e;
}

}  // namespace bd3::jinja
