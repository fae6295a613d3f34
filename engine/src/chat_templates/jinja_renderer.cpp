#include "chat_templates/jinja_renderer.hpp"

#include "bd3/error.hpp"
#include "chat_templates/jinja_globals.hpp"
#include "chat_templates/jinja_methods.hpp"
#include "chat_templates/jinja_operators.hpp"

#include <algorithm>

namespace bd3::jinja {

Value* Scope::find(std::string_view name)
{
    for (auto& [n, v] : names)
        if (n == name) return &v;
    return nullptr;
}

void Scope::set(const std::string& name, Value value)
{
    if (Value* v = find(name))
        *v = std::move(value);
    else
        names.emplace_back(name, std::move(value));
}

namespace {

using ast::Expr;
using ast::ExprKind;
using ast::Node;
using ast::NodeKind;
using ScopePtr = std::shared_ptr<Scope>;
using Type = Value::Type;

enum class Flow { Normal, Break, Continue };

ScopePtr childOf(const ScopePtr& parent)
{
    auto s = makeShared<Scope>();
    s->parent = parent;
    return s;
}

void emit(std::string& out, std::string_view text)
{
    if (out.size() + text.size() > kMaxStringBytes) throw RenderError("the output would exceed 64 MiB");
    chargeWork(text.size() / 256);
    out += text;
}

class Renderer {
public:
    Renderer(std::chrono::system_clock::time_point now) : m_now(now) {}

    ~Renderer()
    {
        // Break the cycles a template can make: ns.self = ns, loop.changed(loop),
        // and every macro with the scope that holds it.
        for (const auto& weak : m_namespaces)
            if (const auto ns = weak.lock()) ns->attributes = Dict();
        for (const auto& weak : m_loops)
            if (const auto loop = weak.lock()) loop->lastChanged = Value();
        for (const auto& weak : m_macros)
            if (const auto macro = weak.lock()) macro->definedIn.reset();
    }

    std::string run(const ast::Template& tpl, const Value& variables)
    {
        const BudgetScope budgetScope(m_budget);
        auto root = makeShared<Scope>();
        for (const auto& [key, value] : variables.dict().entries()) root->set(key.str(), value);
        std::string out;
        execBody(tpl.body, root, out);
        return out;
    }

    int line() const { return m_line; }

private:
    class Deeper {
    public:
        explicit Deeper(Renderer& r) : m_r(r)
        {
            if (++m_r.m_depth > kMaxRenderDepth)
                throw RenderError("the template recurses deeper than " + std::to_string(kMaxRenderDepth) + " levels");
        }
        ~Deeper() { --m_r.m_depth; }
        Deeper(const Deeper&) = delete;
        Deeper& operator=(const Deeper&) = delete;

    private:
        Renderer& m_r;
    };

    // ---------------------------------------------------------- statements

    Flow execBody(const ast::Body& body, const ScopePtr& scope, std::string& out)
    {
        const Deeper deeper(*this);
        for (const auto& node : body) {
            const Flow flow = exec(*node, scope, out);
            if (flow != Flow::Normal) return flow;
        }
        return Flow::Normal;
    }

    Flow exec(const Node& node, const ScopePtr& scope, std::string& out)
    {
        m_line = node.line;
        m_budget.charge(1);
        switch (node.kind) {
        case NodeKind::Text: emit(out, node.text); return Flow::Normal;
        case NodeKind::Output:
            for (const auto& e : node.exprs) emit(out, toStr(eval(*e, scope)));
            return Flow::Normal;
        case NodeKind::If:
            for (size_t i = 0; i < node.exprs.size(); ++i)
                if (truthy(eval(*node.exprs[i], scope))) return execBody(node.bodies[i], scope, out);
            if (node.hasElse) return execBody(node.bodies.back(), scope, out);
            return Flow::Normal;
        case NodeKind::For: return execFor(node, scope, out);
        case NodeKind::Set: assign(node.target, eval(*node.exprs[0], scope), scope); return Flow::Normal;
        case NodeKind::SetBlock: {
            std::string captured;
            const Flow flow = execBody(node.bodies[0], childOf(scope), captured);
            if (flow != Flow::Normal) return flow;
            assign(node.target, applyChain(node, Value::string(std::move(captured)), scope), scope);
            return Flow::Normal;
        }
        case NodeKind::FilterBlock: {
            std::string captured;
            const Flow flow = execBody(node.bodies[0], childOf(scope), captured);
            if (flow != Flow::Normal) return flow;
            emit(out, toStr(applyChain(node, Value::string(std::move(captured)), scope)));
            return Flow::Normal;
        }
        case NodeKind::Macro: {
            auto macro = makeShared<Callable>();
            macro->kind = Callable::Kind::Macro;
            macro->name = node.name;
            macro->node = &node;
            macro->definedIn = scope;
            remember(m_macros, macro);
            scope->set(node.name, Value::callable(std::move(macro)));
            return Flow::Normal;
        }
        case NodeKind::CallBlock: {
            const Expr& call = *node.exprs[0];
            const Value callee = eval(*call.children[0], scope);
            const Arguments args = arguments(call, scope);
            auto caller = makeShared<Callable>();
            caller->kind = Callable::Kind::Caller;
            caller->name = "caller";
            caller->node = &node;
            caller->callerScope = scope;
            const Value result = callValue(callee, args, Value::callable(std::move(caller)));
            emit(out, toStr(result));
            return Flow::Normal;
        }
        case NodeKind::With: {
            std::vector<Value> values;
            for (const auto& e : node.exprs) values.push_back(eval(*e, scope));
            const ScopePtr inner = childOf(scope);
            for (size_t i = 0; i < values.size(); ++i) assign(node.targets[i], values[i], inner);
            return execBody(node.bodies[0], inner, out);
        }
        case NodeKind::Scope: {
            // {% generation %} is a call block: its body a macro of no arguments.
            const ScopePtr inner = childOf(scope);
            bindParameters(node, "caller", Arguments(), inner, Value());
            return execBody(node.bodies[0], inner, out);
        }
        case NodeKind::Break: return Flow::Break;
        case NodeKind::Continue: return Flow::Continue;
        }
        return Flow::Normal;
    }

    Flow execFor(const Node& node, const ScopePtr& scope, std::string& out)
    {
        std::vector<Value> items = iterate(eval(*node.exprs[0], scope));
        m_budget.charge(items.size());
        if (node.hasFilter) {
            std::vector<Value> kept;
            for (const Value& item : items) {
                const ScopePtr probe = childOf(scope);
                assign(node.target, item, probe);
                if (truthy(eval(*node.exprs[1], probe))) kept.push_back(item);
            }
            items = std::move(kept);
        }
        auto loop = makeShared<Loop>();
        loop->items = makeShared<std::vector<Value>>(std::move(items));
        remember(m_loops, loop);
        const Value loopValue = Value::loop(loop);
        // jinja2 runs the else body unless some turn reached the end of the
        // body: a break or continue in every turn leaves it to run.
        bool completed = false;
        for (size_t i = 0; i < loop->items->size(); ++i) {
            m_budget.charge(1);
            loop->index0 = i;
            const ScopePtr inner = childOf(scope);
            assign(node.target, (*loop->items)[i], inner);
            inner->set("loop", loopValue);
            const Flow flow = execBody(node.bodies[0], inner, out);
            if (flow == Flow::Break) break;
            completed = completed || flow == Flow::Normal;
        }
        if (!completed && node.hasElse) return execBody(node.bodies[1], childOf(scope), out);
        return Flow::Normal;
    }

    void assign(const ast::Target& target, const Value& value, const ScopePtr& scope)
    {
        if (!target.attribute.empty()) {
            const Value ns = lookup(target.names[0], scope);
            if (!ns.is(Type::Namespace)) throw RenderError("cannot assign attribute on non-namespace object");
            ns.ns().attributes.set(Value::string(target.attribute), value);
            return;
        }
        if (!target.unpack) {
            scope->set(target.names[0], value);
            return;
        }
        const std::vector<Value> items = iterate(value);
        const size_t n = target.names.size();
        if (items.size() > n)
            throw RenderError("too many values to unpack (expected " + std::to_string(n) + ")");
        if (items.size() < n)
            throw RenderError("not enough values to unpack (expected " + std::to_string(n) + ", got " +
                              std::to_string(items.size()) + ")");
        for (size_t i = 0; i < n; ++i) scope->set(target.names[i], items[i]);
    }

    Value applyChain(const Node& node, Value v, const ScopePtr& scope)
    {
        for (const auto& f : node.exprs) v = f->filter(m_budget, v, arguments(*f, scope));
        return v;
    }

    template <typename T>
    static void remember(std::vector<std::weak_ptr<T>>& registry, const std::shared_ptr<T>& object)
    {
        // Forget the ones already gone now and then, so the list stays short.
        if (registry.size() >= 64 && registry.size() == registry.capacity())
            std::erase_if(registry, [](const auto& w) { return w.expired(); });
        registry.push_back(object);
    }

    // --------------------------------------------------------- expressions

    Value lookup(const std::string& name, const ScopePtr& scope)
    {
        for (Scope* s = scope.get(); s; s = s->parent.get())
            if (Value* v = s->find(name)) return *v;
        if (isSupportedGlobal(name)) {
            auto f = makeShared<Callable>();
            f->kind = Callable::Kind::Global;
            f->name = name;
            return Value::callable(std::move(f));
        }
        if (isGlobal(name)) return Value::undefined("the global '" + name + "' is not supported");
        return Value::undefined("'" + name + "' is undefined");
    }

    Arguments arguments(const Expr& e, const ScopePtr& scope)
    {
        Arguments args;
        for (size_t i = 1; i < e.children.size(); ++i) args.positional.push_back(eval(*e.children[i], scope));
        if (e.starArgs)
            for (Value& v : iterate(eval(*e.starArgs, scope))) args.positional.push_back(std::move(v));
        for (const auto& k : e.keywords) args.keywords.emplace_back(k.name, eval(*k.value, scope));
        if (e.starKwargs) {
            const Value extra = eval(*e.starKwargs, scope);
            if (!extra.is(Type::Dict)) throw RenderError("argument after ** must be a mapping, not " + typeName(extra));
            for (const auto& [key, value] : extra.dict().entries()) {
                if (!key.is(Type::String)) throw RenderError("keywords must be strings");
                args.keywords.emplace_back(key.str(), value);
            }
        }
        return args;
    }

    // What jinja2's optimizer meets and cannot evaluate at compile time.
    struct NotConstant {};

    // An expression jinja2 folds when it compiles the template: evaluated as
    // the optimizer does (names, calls and context filters stop it), kept as
    // jinja2 keeps it, else evaluated as usual, its parts folded on their own.
    Value evalFolded(const Expr& e, const ScopePtr& scope)
    {
        m_folding = true;
        try {
            Value v = evaluate(e, scope);
            m_folding = false;
            if (e.fold == Expr::Fold::Printed || plainValue(v)) return v;
        } catch (const NotConstant&) {
        } catch (const RenderError&) {
        }
        m_folding = false;
        return evaluate(e, scope);
    }

    Value eval(const Expr& e, const ScopePtr& scope)
    {
        if (e.fold != Expr::Fold::None && !m_folding) return evalFolded(e, scope);
        return evaluate(e, scope);
    }

    Value evaluate(const Expr& e, const ScopePtr& scope)
    {
        const Deeper deeper(*this);
        m_budget.charge(1);
        m_line = e.line;
        switch (e.kind) {
        case ExprKind::Literal: return e.literal;
        case ExprKind::List:
        case ExprKind::Tuple: {
            std::vector<Value> items;
            items.reserve(e.children.size());
            for (const auto& c : e.children) items.push_back(eval(*c, scope));
            return makeSequence(std::move(items), e.kind == ExprKind::List ? SequenceKind::List : SequenceKind::Tuple);
        }
        case ExprKind::Dict: {
            Dict dict;
            for (size_t i = 0; i + 1 < e.children.size(); i += 2) {
                const Value key = eval(*e.children[i], scope);
                if (!hashable(key)) throw RenderError("unhashable type: '" + typeName(key) + "'");
                dict.set(key, eval(*e.children[i + 1], scope));
            }
            return makeDict(std::move(dict));
        }
        case ExprKind::Name:
            if (m_folding) throw NotConstant{};
            return lookup(e.name, scope);
        case ExprKind::GetAttr: return getAttribute(eval(*e.children[0], scope), e.name);
        case ExprKind::GetItem: {
            const Value obj = eval(*e.children[0], scope);
            return getItem(obj, eval(*e.children[1], scope));
        }
        case ExprKind::Slice: {
            const Value obj = eval(*e.children[0], scope);
            const auto bound = [&](size_t i) { return e.children[i] ? eval(*e.children[i], scope) : Value::none(); };
            const Value start = bound(1);
            const Value stop = bound(2);
            return getSlice(obj, start, stop, bound(3), m_folding);
        }
        case ExprKind::Call: {
            if (m_folding) throw NotConstant{};
            const Value callee = eval(*e.children[0], scope);
            return callValue(callee, arguments(e, scope), Value());
        }
        case ExprKind::Filter: {
            if (m_folding && !e.constant) throw NotConstant{};  // a filter that needs the context
            const Value operand = eval(*e.children[0], scope);
            return e.filter(m_budget, operand, arguments(e, scope));
        }
        case ExprKind::Test: {
            const Value operand = eval(*e.children[0], scope);
            return Value::boolean(e.test(m_budget, operand, arguments(e, scope)) != e.negated);
        }
        case ExprKind::Not: return Value::boolean(!truthy(eval(*e.children[0], scope)));
        case ExprKind::Negate: return negate(eval(*e.children[0], scope));
        case ExprKind::Plus: return unaryPlus(eval(*e.children[0], scope));
        case ExprKind::Binary: return binary(e, scope);
        case ExprKind::Concat: {
            std::string s;
            for (const auto& c : e.children) {
                s += toStr(eval(*c, scope));
                checkStringSize(s.size());
            }
            return Value::string(std::move(s));
        }
        case ExprKind::And: {
            Value a = eval(*e.children[0], scope);
            return truthy(a) ? eval(*e.children[1], scope) : a;
        }
        case ExprKind::Or: {
            Value a = eval(*e.children[0], scope);
            return truthy(a) ? a : eval(*e.children[1], scope);
        }
        case ExprKind::Compare: return compare(e, scope);
        case ExprKind::Conditional:
            if (truthy(eval(*e.children[1], scope))) return eval(*e.children[0], scope);
            if (e.children[2]) return eval(*e.children[2], scope);
            if (m_folding) throw NotConstant{};
            return Value::undefined("the inline if-expression on line " + std::to_string(e.line) +
                                    " evaluated to false and no else section was defined.");
        }
        return Value();
    }

    Value binary(const Expr& e, const ScopePtr& scope)
    {
        const Value a = eval(*e.children[0], scope);
        const Value b = eval(*e.children[1], scope);
        switch (e.op) {
        case ast::BinaryOp::Add: return add(a, b);
        case ast::BinaryOp::Sub: return subtract(a, b);
        case ast::BinaryOp::Mul: return multiply(a, b);
        case ast::BinaryOp::Div: return trueDivide(a, b);
        case ast::BinaryOp::FloorDiv: return floorDivide(a, b);
        case ast::BinaryOp::Mod: return modulo(a, b);
        case ast::BinaryOp::Pow: return power(a, b);
        }
        return Value();
    }

    // a < b < c: each pair in turn, stopping at the first false one.
    Value compare(const Expr& e, const ScopePtr& scope)
    {
        Value left = eval(*e.children[0], scope);
        for (size_t i = 0; i < e.compares.size(); ++i) {
            Value right = eval(*e.children[i + 1], scope);
            bool holds = false;
            switch (e.compares[i]) {
            case ast::CompareOp::Eq: holds = equals(left, right); break;
            case ast::CompareOp::Ne: holds = !equals(left, right); break;
            case ast::CompareOp::Lt: holds = ordered(left, right, Order::Lt); break;
            case ast::CompareOp::Le: holds = ordered(left, right, Order::Le); break;
            case ast::CompareOp::Gt: holds = ordered(left, right, Order::Gt); break;
            case ast::CompareOp::Ge: holds = ordered(left, right, Order::Ge); break;
            case ast::CompareOp::In: holds = contains(right, left); break;
            case ast::CompareOp::NotIn: holds = !contains(right, left); break;
            }
            if (!holds) return Value::boolean(false);
            left = std::move(right);
        }
        return Value::boolean(true);
    }

    // ---------------------------------------------------------------- calls

    Value callValue(const Value& callee, const Arguments& args, const Value& caller)
    {
        if (callee.isUndefined()) failUndefined(callee);
        if (!callee.is(Type::Callable)) throw RenderError("'" + typeName(callee) + "' object is not callable");
        const Callable& c = callee.callable();
        if (c.kind == Callable::Kind::Macro) return callMacro(c, args, caller);
        if (!caller.isUndefined()) throw RenderError("'" + c.name + "' does not take a caller ({% call %} needs a macro)");
        switch (c.kind) {
        case Callable::Kind::Method: return callMethod(m_budget, c, args);
        case Callable::Kind::Caller: return callCaller(c, args);
        default: return callGlobal(c.name, args);
        }
    }

    Value callGlobal(const std::string& name, const Arguments& args)
    {
        if (name == "range") return callRange(m_budget, args);
        if (name == "dict") return makeDict(callDict(args, "dict"));
        if (name == "namespace") {
            auto ns = makeShared<Namespace>();
            ns->attributes = callDict(args, "namespace");
            remember(m_namespaces, ns);
            return Value::nameSpace(std::move(ns));
        }
        const auto a = bindArguments(args, name + "()", {name == "raise_exception" ? "message" : "format"});
        if (!a[0]) throw RenderError(name + "() takes exactly one argument");
        if (name == "raise_exception") throw RenderError(toStr(*a[0]));
        if (!a[0]->is(Type::String)) throw RenderError("strftime_now() takes a str, not " + typeName(*a[0]));
        return Value::string(strftimeNow(a[0]->str(), m_now));
    }

    // Binds a macro's (or a caller's) parameters as jinja2 does: positional,
    // then keywords, then defaults evaluated in the call's own scope; the
    // rest goes to varargs and kwargs, and the caller (a call block's, or a
    // caller= keyword) to caller, if the body reads them.
    void bindParameters(const Node& node, const std::string& name, const Arguments& args, const ScopePtr& scope,
                        const Value& blockCaller)
    {
        Value caller = blockCaller;
        const auto& params = node.parameters;
        std::vector<bool> given(params.size(), false);
        std::vector<Value> extra;
        for (size_t i = 0; i < args.positional.size(); ++i) {
            if (i < params.size()) {
                scope->set(params[i].name, args.positional[i]);
                given[i] = true;
            } else if (node.usesVarargs) {
                extra.push_back(args.positional[i]);
            } else {
                throw RenderError("macro '" + name + "' takes not more than " + std::to_string(params.size()) +
                                  " argument(s)");
            }
        }
        Dict kwargs;
        for (const auto& keyword : args.keywords) {
            const std::string& key = keyword.first;
            const Value& value = keyword.second;
            const auto it = std::find_if(params.begin(), params.end(), [&](const auto& p) { return p.name == key; });
            if (it == params.end() && key == "caller" && node.usesCaller) {
                if (!caller.isUndefined())
                    throw RenderError("macro '" + name + "' was invoked with two values for the special caller argument");
                caller = value;
            } else if (it != params.end()) {
                const auto i = static_cast<size_t>(it - params.begin());
                if (given[i]) throw RenderError("macro '" + name + "' got multiple values for argument '" + key + "'");
                scope->set(key, value);
                given[i] = true;
            } else if (node.usesKwargs) {
                kwargs.set(Value::string(key), value);
            } else {
                throw RenderError("macro '" + name + "' takes no keyword argument '" + key + "'");
            }
        }
        for (size_t i = 0; i < params.size(); ++i) {
            if (given[i]) continue;
            scope->set(params[i].name, params[i].defaultValue
                                           ? eval(*params[i].defaultValue, scope)
                                           : Value::undefined("parameter '" + params[i].name + "' was not provided"));
        }
        if (node.usesVarargs) scope->set("varargs", makeSequence(std::move(extra), SequenceKind::Tuple));
        if (node.usesKwargs) scope->set("kwargs", makeDict(std::move(kwargs)));
        if (node.usesCaller) {
            scope->set("caller", caller.isUndefined() ? Value::undefined("No caller defined") : caller);
        } else if (!caller.isUndefined()) {
            throw RenderError("macro '" + name + "' was invoked with a caller but does not use one");
        }
    }

    Value callMacro(const Callable& macro, const Arguments& args, const Value& caller)
    {
        const Deeper deeper(*this);
        m_budget.charge(1);
        const Node& node = *macro.node;
        const ScopePtr scope = childOf(macro.definedIn);
        bindParameters(node, macro.name, args, scope, caller);
        const int line = m_line;  // errors after the call belong to the caller's line
        std::string out;
        execBody(node.bodies[0], scope, out);
        m_line = line;
        return Value::string(std::move(out));
    }

    Value callCaller(const Callable& caller, const Arguments& args)
    {
        const Deeper deeper(*this);
        m_budget.charge(1);
        const Node& node = *caller.node;
        const ScopePtr scope = childOf(caller.callerScope);
        bindParameters(node, "caller", args, scope, Value());
        const int line = m_line;
        std::string out;
        execBody(node.bodies[0], scope, out);
        m_line = line;
        return Value::string(std::move(out));
    }

    std::chrono::system_clock::time_point m_now;
    Budget m_budget;
    int m_depth = 0;
    int m_line = 0;
    bool m_folding = false;
    std::vector<std::weak_ptr<Namespace>> m_namespaces;
    std::vector<std::weak_ptr<Loop>> m_loops;
    std::vector<std::weak_ptr<Callable>> m_macros;
};

}  // namespace

std::string render(const ast::Template& tpl, const std::string& origin, const Value& variables,
                   std::chrono::system_clock::time_point now)
{
    Renderer renderer(now);
    try {
        return renderer.run(tpl, variables);
    } catch (const RenderError& e) {
        throw Error(origin + " line " + std::to_string(renderer.line()) + ": " + e.what());
    }
}

}  // namespace bd3::jinja
