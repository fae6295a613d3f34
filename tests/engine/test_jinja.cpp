// The Jinja engine of the chat templates (engine/src/chat_templates):
// JinjaAgreement renders every case of tests/chat_templates (chat templates
// over many conversations, one template per construct family, snippets) and
// requires the bytes jinja2 gives, configured as transformers configures it:
// BD3_JINJA_EXPECTED names the JSON tools/chat_templates/render_reference.py
// wrote. The other tests check errors, limits and Undefined directly.
#include "error_message.hpp"
#include "test_support.hpp"

#include "bd3/error.hpp"
#include "chat_templates/jinja_template.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <chrono>
#include <cstdlib>
#include <ctime>
#include <string>
#include <vector>

namespace {

namespace fs = std::filesystem;
using bd3::Error;
using bd3::jinja::Template;
using bd3::test::errorMessage;
using nlohmann::ordered_json;

// The instant strftime_now sees, as render_reference.py's NOW:
// 2024-07-09 15:04:05.123456 UTC. Local time is made UTC for the tests.
std::chrono::system_clock::time_point testNow()
{
    static const bool utc = [] {
        setenv("TZ", "UTC", 1);
        tzset();
        return true;
    }();
    (void)utc;
    return std::chrono::system_clock::time_point(std::chrono::microseconds(1720537445123456LL));
}

fs::path casesDir() { return bd3::test::fixturesDir().parent_path() / "chat_templates"; }

ordered_json readJson(const fs::path& path) { return ordered_json::parse(bd3::test::readFile(path)); }

std::string render(std::string_view source, const ordered_json& variables = ordered_json::object())
{
    return Template(source, "test").render(variables, testNow());
}

std::string renderError(std::string_view source, const ordered_json& variables = ordered_json::object())
{
    return errorMessage([&] { render(source, variables); });
}

struct Case {
    std::string id;
    std::string source;
    ordered_json variables;
};

// The cases in the order and with the ids render_reference.py gives them.
std::vector<Case> allCases()
{
    const fs::path dir = casesDir();
    const ordered_json manifest = readJson(dir / "cases.json");
    const ordered_json conversations = readJson(dir / "conversations.json");
    const ordered_json variables = readJson(dir / "variables.json");
    std::vector<Case> cases;
    for (const auto& group : manifest["groups"]) {
        const ordered_json& sets = group["variables"] == "conversations" ? conversations : variables;
        for (const auto& name : group["templates"]) {
            const std::string source = bd3::test::readFile(dir / name.get<std::string>());
            for (const auto& entry : sets)
                cases.push_back({name.get<std::string>() + "/" + entry["name"].get<std::string>(), source, entry["variables"]});
        }
    }
    for (const auto& snippet : readJson(dir / "snippets.json"))
        cases.push_back({"snippet/" + snippet["name"].get<std::string>(), snippet["template"].get<std::string>(),
                         snippet.value("variables", ordered_json::object())});
    return cases;
}

// Control characters and non-ASCII bytes as escapes, so a diff is readable.
std::string visible(std::string_view s)
{
    std::string out;
    char buffer[8];
    for (const char c : s) {
        const auto u = static_cast<unsigned char>(c);
        if (c == '\n') {
            out += "\\n";
        } else if (c == '\t') {
            out += "\\t";
        } else if (c == '\\') {
            out += "\\\\";
        } else if (u < 0x20 || u == 0x7F) {
            std::snprintf(buffer, sizeof buffer, "\\x%02x", u);
            out += buffer;
        } else {
            out.push_back(c);
        }
    }
    return out;
}

// Where two outputs first differ, with some context on either side.
std::string describeMismatch(const std::string& expected, const std::string& actual)
{
    size_t at = 0;
    while (at < expected.size() && at < actual.size() && expected[at] == actual[at]) ++at;
    const size_t from = at > 60 ? at - 60 : 0;
    size_t line = 1;
    for (size_t i = 0; i < at; ++i) line += expected[i] == '\n';
    return "first difference at byte " + std::to_string(at) + " (output line " + std::to_string(line) + "), sizes " +
           std::to_string(expected.size()) + " (jinja2) and " + std::to_string(actual.size()) + " (engine)\n" +
           "  jinja2: ..." + visible(expected.substr(from, at - from)) + " >>> " + visible(expected.substr(at, 80)) +
           "\n  engine: ..." + visible(actual.substr(from, at - from)) + " >>> " + visible(actual.substr(at, 80));
}

// ---------------------------------------------------------------- agreement

TEST(JinjaAgreement, SameBytesAsJinja2)
{
    const char* expectedFile = std::getenv("BD3_JINJA_EXPECTED");
    if (!expectedFile || !*expectedFile)
        GTEST_SKIP() << "BD3_JINJA_EXPECTED does not name the output of tools/chat_templates/render_reference.py";
    const ordered_json expected = readJson(expectedFile);
    const std::vector<Case> cases = allCases();
    ASSERT_EQ(cases.size(), expected.size()) << "render_reference.py and this test see different cases";
    size_t outputs = 0;
    size_t errors = 0;
    int reported = 0;
    for (const Case& c : cases) {
        SCOPED_TRACE(c.id);
        ASSERT_TRUE(expected.contains(c.id)) << "no expected output for " << c.id;
        const ordered_json& want = expected[c.id];
        std::string actual;
        std::string failure;
        try {
            actual = Template(c.source, c.id).render(c.variables, testNow());
        } catch (const Error& e) {
            failure = e.what();
        }
        if (want.contains("error")) {
            ++errors;
            EXPECT_FALSE(failure.empty()) << c.id << ": jinja2 fails (" << want["error"].get<std::string>()
                                          << ") but the engine renders:\n"
                                          << visible(actual.substr(0, 400));
            continue;
        }
        ++outputs;
        const std::string wanted = want["output"].get<std::string>();
        if (!failure.empty()) {
            ADD_FAILURE() << c.id << ": the engine fails where jinja2 renders: " << failure;
        } else if (actual != wanted) {
            if (reported++ < 5)
                ADD_FAILURE() << c.id << ": " << describeMismatch(wanted, actual);
            else
                ADD_FAILURE() << c.id << ": output differs";
        }
    }
    std::printf("compared %zu outputs byte for byte and %zu error cases with jinja2\n", outputs, errors);
}

// ------------------------------------------------------------------ syntax

TEST(JinjaSyntax, ErrorsNameTheLine)
{
    EXPECT_EQ(renderError("line one\n{{ 1 + }}"), "test line 2: unexpected end of print statement");
    EXPECT_EQ(renderError("a\nb\n{{ x|foo }}"), "test line 3: unknown filter 'foo'");
    EXPECT_EQ(renderError("{{ x is foo }}"), "test line 1: unknown test 'foo'");
    EXPECT_EQ(renderError("{{ x|batch(2) }}"), "test line 1: unsupported filter 'batch'");
    EXPECT_EQ(renderError("\n\n{% frobnicate %}"), "test line 3: unknown tag 'frobnicate'");
    EXPECT_EQ(renderError("{% endif %}"), "test line 1: unknown tag 'endif'");
    EXPECT_EQ(renderError("{{ (1 }}"), "test line 1: unexpected '}', expected ')'");
    EXPECT_EQ(renderError("{{ 1) }}"), "test line 1: unexpected ')'");
    EXPECT_EQ(renderError("{{ 'open }}"), "test line 1: unterminated string literal");
    EXPECT_EQ(renderError("x\n{# never closed"), "test line 2: missing end of comment tag");
    EXPECT_EQ(renderError("{% break %}"), "test line 1: 'break' outside loop");
    EXPECT_EQ(renderError("{% for x in y recursive %}{% endfor %}"), "test line 1: recursive loops are not supported");
    EXPECT_EQ(renderError("{{ 99999999999999999999 }}"), "test line 1: integer literal 99999999999999999999 is beyond 64 bits");
    EXPECT_EQ(renderError("{{ '\\N{BULLET}' }}"), "test line 1: \\N{...} escapes are not supported in string literals");
    EXPECT_EQ(renderError("{{ f(**kw, 1) }}"), "test line 1: invalid syntax for function call expression");
    EXPECT_EQ(renderError("{{ }}"), "test line 1: expected an expression, got end of print statement");
}

TEST(JinjaSyntax, UnclosedBlocksSayWhereTheyOpened)
{
    EXPECT_EQ(renderError("{% if x %}\n\nbody"),
              "test line 3: unexpected end of template: the 'if' on line 1 is not closed (expected 'elif' or 'else' or "
              "'endif')");
    EXPECT_EQ(renderError("{% for x in y %}{% if x %}{% endfor %}"),
              "test line 1: unknown tag 'endfor'");
    EXPECT_EQ(renderError("a\n{% macro m() %}"),
              "test line 2: unexpected end of template: the 'macro' on line 2 is not closed (expected 'endmacro')");
}

TEST(JinjaSyntax, OtherFilesAreUnsupported)
{
    for (const char* tag : {"include 'x.jinja'", "extends 'base.jinja'", "import 'm.jinja' as m", "from 'm' import f",
                            "block body"})
        EXPECT_EQ(renderError(std::string("{% ") + tag + " %}"),
                  "test line 1: unsupported tag '" + std::string(tag).substr(0, std::string(tag).find(' ')) +
                      "' (chat templates are one file)");
}

TEST(JinjaSyntax, RejectsInvalidUtf8)
{
    EXPECT_EQ(errorMessage([] { Template("ab\xff", "t"); }), "t: not valid UTF-8 at byte 2");
    ordered_json bad = {{"x", "\xc3"}};
    EXPECT_NE(errorMessage([&] { render("{{ x }}", bad); }).find("not valid UTF-8"), std::string::npos);
    EXPECT_EQ(errorMessage([] { Template("x", "t").render(ordered_json::array(), testNow()); }),
              "t: the variables are not a JSON object");
}

// ------------------------------------------------------------------ limits

TEST(JinjaLimits, DeepNestingIsAnErrorNotACrash)
{
    EXPECT_NE(renderError("{{ " + std::string(100000, '(') + "1" + std::string(100000, ')') + " }}")
                  .find("nests deeper than 256 levels"),
              std::string::npos);
    // Unbalanced, the lexer stops it before the parser recurses.
    EXPECT_EQ(renderError("{{ " + std::string(100000, '(') + "1 }}"), "test line 1: unexpected '}', expected ')'");
    std::string ifs;
    for (int i = 0; i < 100000; ++i) ifs += "{% if true %}";
    EXPECT_NE(renderError(ifs).find("nests deeper than 256 levels"), std::string::npos);
    EXPECT_NE(renderError("{{ " + std::string(100000, '[') + std::string(100000, ']') + " }}").find("nests deeper"),
              std::string::npos);
    std::string calls = "{{ ";
    for (int i = 0; i < 100000; ++i) calls += "f(";
    EXPECT_NE(renderError(calls + std::string(100000, ')') + " }}").find("nests deeper"), std::string::npos);
    std::string items = "{{ ";
    for (int i = 0; i < 100000; ++i) items += "x[";
    EXPECT_NE(renderError(items + "0" + std::string(100000, ']') + " }}").find("nests deeper"), std::string::npos);
    std::string conditionals = "{{ 1";
    for (int i = 0; i < 100000; ++i) conditionals += " if x else 1";
    EXPECT_NE(renderError(conditionals + " }}").find("nests deeper"), std::string::npos);
    std::string negations = "{{ " + std::string(100000, '-') + "1 }}";
    EXPECT_NE(renderError(negations).find("nests deeper"), std::string::npos);
    std::string sum = "{{ 1";
    for (int i = 0; i < 100000; ++i) sum += " + 1";
    EXPECT_NE(renderError(sum + " }}").find("an expression nests deeper than 256 levels"), std::string::npos);
    std::string attributes = "{{ x";
    for (int i = 0; i < 100000; ++i) attributes += ".a";
    EXPECT_NE(renderError(attributes + " }}").find("nests deeper"), std::string::npos);
    std::string nots = "{{ ";
    for (int i = 0; i < 100000; ++i) nots += "not ";
    EXPECT_NE(renderError(nots + "x }}").find("nests deeper"), std::string::npos);
    // 256 levels of each are fine.
    EXPECT_EQ(render("{{ " + std::string(200, '(') + "1" + std::string(200, ')') + " }}"), "1");
}

TEST(JinjaLimits, EndlessMacroRecursionStops)
{
    EXPECT_NE(renderError("{% macro m(n) %}{{ m(n + 1) }}{% endmacro %}{{ m(0) }}").find("recurses deeper than"),
              std::string::npos);
    // Recursion that ends is fine.
    EXPECT_EQ(render("{% macro count(n) %}{{ n }}{% if n > 0 %}{{ count(n - 1) }}{% endif %}{% endmacro %}{{ count(50)|length }}"),
              "92");
}

TEST(JinjaLimits, OutputAndWorkAreBounded)
{
    EXPECT_NE(renderError("{% for i in range(100000) %}{{ 'x' * 1000 }}{% endfor %}").find("exceed 64 MiB"),
              std::string::npos);
    EXPECT_NE(renderError("{{ 'x' * 100000000 }}").find("64 MiB"), std::string::npos);
    EXPECT_NE(renderError("{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}{% endfor %}")
                  .find("more than 20 million steps"),
              std::string::npos);
    EXPECT_EQ(renderError("{{ range(100001)|length }}"),
              "test line 1: Range too big. The sandbox blocks ranges larger than MAX_RANGE (100000).");
    EXPECT_EQ(renderError("{{ 9223372036854775807 + 1 }}"), "test line 1: integer overflow (this engine's integers are 64-bit)");
}

TEST(JinjaLimits, CyclesAndChainsAreFreed)
{
    // LeakSanitizer and the stack see these: a namespace holding itself, a
    // loop object remembering itself, a chain of 100000 lists.
    EXPECT_EQ(render("{% set ns = namespace() %}{% set ns.me = ns %}{{ ns.me.me is defined }}"), "True");
    EXPECT_EQ(render("{% for i in [1] %}{{ loop.changed(loop) }}{% endfor %}"), "True");
    EXPECT_EQ(render("{% set ns = namespace(x=[]) %}{% for i in range(100000) %}{% set ns.x = [ns.x] if i % 150 else [] %}"
                     "{% endfor %}{{ ns.x|length }}"),
              "1");
    EXPECT_NE(renderError("{% set ns = namespace(x=[]) %}{% for i in range(1000) %}{% set ns.x = [ns.x] %}{% endfor %}")
                  .find("nested more than 200 deep"),
              std::string::npos);
    EXPECT_EQ(render("{% set ns = namespace(x=none) %}{% for i in range(100000) %}{% set ns.x = namespace(x=ns.x) %}"
                     "{% endfor %}done"),
              "done");
}

// ------------------------------------------------------- runtime semantics

TEST(JinjaRender, RaiseExceptionGivesItsMessage)
{
    EXPECT_EQ(renderError("a\n{% if true %}{{ raise_exception('Roles must alternate!') }}{% endif %}"),
              "test line 2: Roles must alternate!");
    EXPECT_EQ(renderError("{{ raise_exception() }}"), "test line 1: raise_exception() takes exactly one argument");
}

TEST(JinjaRender, UndefinedBehavesAsJinja2s)
{
    EXPECT_EQ(render("[{{ missing }}]{{ missing is defined }}{{ missing|length }}{{ missing|default('d') }}"
                     "{% for x in missing %}x{% else %}empty{% endfor %}{{ not missing }}"),
              "[]False0demptyTrue");
    EXPECT_EQ(renderError("{{ missing.attribute }}"), "test line 1: 'missing' is undefined");
    EXPECT_EQ(renderError("{{ missing + 1 }}"), "test line 1: 'missing' is undefined");
    EXPECT_EQ(renderError("{{ missing() }}"), "test line 1: 'missing' is undefined");
    EXPECT_EQ(renderError("{{ x.a.b }}", {{"x", ordered_json::object()}}), "test line 1: 'dict object' has no attribute 'a'");
    EXPECT_EQ(renderError("{{ x[3].y }}", {{"x", {1, 2}}}), "test line 1: list object has no element 3");
    EXPECT_EQ(render("{{ x.a is defined }}|{{ x['a'] }}|{{ x.items is defined }}", {{"x", ordered_json::object()}}),
              "False||True");
}

TEST(JinjaRender, TheSandboxKeepsListsAndDictsUnchanged)
{
    EXPECT_EQ(renderError("{{ x.append(1) }}", {{"x", {1}}}),
              "test line 1: access to attribute 'append' of 'list' object is unsafe.");
    EXPECT_EQ(renderError("{% set d = {} %}{{ d.update({'a': 1}) }}"),
              "test line 1: access to attribute 'update' of 'dict' object is unsafe.");
    EXPECT_EQ(render("[{{ x.pop }}]", {{"x", {1}}}), "[]");
    EXPECT_EQ(renderError("{{ 'a'.zfill(3) }}"), "test line 1: the str method 'zfill' is not supported");
    EXPECT_EQ(renderError("{% set x = 1 %}{% set x.a = 2 %}"), "test line 1: cannot assign attribute on non-namespace object");
}

TEST(JinjaRender, StrftimeNowFormatsTheGivenInstant)
{
    EXPECT_EQ(render("{{ strftime_now('%Y-%m-%d %H:%M:%S.%f %A %a %B %b %j %y %e %p %I %%') }}"),
              "2024-07-09 15:04:05.123456 Tuesday Tue July Jul 191 24  9 PM 03 %");
    EXPECT_EQ(render("{{ strftime_now('%-d %-m %-H') }}"), "9 7 15");
    EXPECT_EQ(renderError("{{ strftime_now('%Q') }}"), "test line 1: strftime_now: the format code %Q is not supported");
}

TEST(JinjaRender, ErrorsInsideMacrosNameTheirLine)
{
    EXPECT_EQ(renderError("{% macro m() %}\n{{ 1 / 0 }}\n{% endmacro %}\n{{ m() }}"), "test line 2: division by zero");
    EXPECT_EQ(renderError("{% macro m() %}x{% endmacro %}\n\n{{ m() + 1 }}"),
              "test line 3: unsupported operand type(s) for +: 'str' and 'int'");
}

TEST(JinjaRender, ParsesOnceRendersMany)
{
    const Template t("{{ greeting }}, {{ name }}!", "t");
    EXPECT_EQ(t.render({{"greeting", "Hi"}, {"name", "Ada"}}, testNow()), "Hi, Ada!");
    EXPECT_EQ(t.render({{"greeting", "Yo"}, {"name", "Bo"}}, testNow()), "Yo, Bo!");
    EXPECT_EQ(render("{{ a }} {{ b }}", ordered_json::parse(R"({"b": 2, "a": {"z": 1, "y": [1.0, null]}})")),
              "{'z': 1, 'y': [1.0, None]} 2");
}

} // namespace
