#include "tokenizers/split_pattern.hpp"

#include "bd3/error.hpp"

#include <unicode/uchar.h>
#include <unicode/utf8.h>

#include <algorithm>
#include <array>
#include <bitset>
#include <optional>
#include <unordered_set>
#include <utility>

namespace bd3 {

namespace {

// \s as JavaScript defines it (WhiteSpace and LineTerminator in ECMA-262).
bool isJavaScriptSpace(UChar32 c)
{
    switch (c) {
    case 0x0009: case 0x000A: case 0x000B: case 0x000C: case 0x000D:
    case 0x0020: case 0x00A0: case 0x1680:
    case 0x2028: case 0x2029: case 0x202F: case 0x205F: case 0x3000: case 0xFEFF:
        return true;
    default:
        return c >= 0x2000 && c <= 0x200A;
    }
}

// A code point's general category as one bit of ICU's U_GC_*_MASK set (bits
// 0 to 29), with bit 31 set when it is a space in the pattern's sense of \s.
constexpr uint32_t kSpaceBit = 1u << 31;

constexpr int kMaxInstructions = 1 << 16;
constexpr int kMaxRepeat = 1000;
constexpr int kMaxNesting = 64;  // groups inside groups: the parser and matcher recurse on them

// A bracket class, \p{..} or \s: which characters it takes.
struct CharSet {
    uint32_t bits = 0;                        // members by category, or kSpaceBit for \s
    std::vector<uint32_t> complementBits;     // members: characters with none of these bits (\P{..}, \S)
    std::vector<std::pair<UChar32, UChar32>> ranges;
    bool negated = false;                     // [^...]

    bool contains(UChar32 c, uint32_t info) const
    {
        bool in = (info & bits) != 0;
        for (size_t i = 0; !in && i < complementBits.size(); ++i) in = (info & complementBits[i]) == 0;
        for (size_t i = 0; !in && i < ranges.size(); ++i) in = c >= ranges[i].first && c <= ranges[i].second;
        return in != negated;
    }
};

enum class Op : uint8_t {
    Char,      // the code point a
    CharFold,  // a code point whose simple case folding is a
    Set,       // a member of set a
    SetRun,    // as many members of set a as there are, at least b; gives them back one by one
    Split,     // go on at a; if that fails, at b
    Jump,      // go on at a
    Ahead,     // the sub-program at a matches here: go on at b
    NotAhead,  // the sub-program at a does not match here: go on at b
    Match,
};

struct Instruction {
    Op op;
    int32_t a = 0;
    int32_t b = 0;
};

// The parsed pattern, before it becomes instructions.
struct Node {
    enum class Kind : uint8_t { Empty, Char, Set, Concat, Alternate, Repeat, Look } kind = Kind::Empty;
    UChar32 c = 0;
    bool fold = false;        // Char under (?i:)
    int32_t set = 0;          // Set
    int32_t min = 0;          // Repeat
    int32_t max = 0;          // Repeat; -1 without bound
    bool negative = false;    // Look
    std::vector<Node> children;
};

bool canMatchEmpty(const Node& node)
{
    switch (node.kind) {
    case Node::Kind::Empty: case Node::Kind::Look:
        return true;
    case Node::Kind::Char: case Node::Kind::Set:
        return false;
    case Node::Kind::Concat:
        return std::all_of(node.children.begin(), node.children.end(), canMatchEmpty);
    case Node::Kind::Alternate:
        return std::any_of(node.children.begin(), node.children.end(), canMatchEmpty);
    case Node::Kind::Repeat:
        return node.min == 0 || canMatchEmpty(node.children[0]);
    }
    return true;
}

uint32_t categoryInfo(UChar32 c, WhiteSpace whiteSpace)
{
    uint32_t info = U_MASK(u_charType(c));
    const bool space = whiteSpace == WhiteSpace::JavaScript ? isJavaScriptSpace(c) : u_isUWhiteSpace(c) != 0;
    return space ? info | kSpaceBit : info;
}

} // namespace

// What can come next where the program is at an instruction: the ASCII
// characters a match can go on with, whether it can go on with any other,
// and whether it can end without another character. Split looks at both of
// its ways with this before taking either, so that alternatives which cannot
// start here cost nothing.
struct Start {
    std::bitset<128> ascii;
    bool other = false;
    bool end = false;

    void add(const Start& more)
    {
        ascii |= more.ascii;
        other = other || more.other;
        end = end || more.end;
    }
    bool allows(UChar32 c) const { return c < 128 ? ascii[static_cast<size_t>(c)] : other; }
};

struct SplitPattern::Program {
    std::vector<Instruction> code;
    std::vector<CharSet> sets;
    std::vector<Start> starts;         // per instruction
    int lookDepth = 0;                 // deepest nesting of look-aheads
    std::array<uint32_t, 128> ascii{}; // categoryInfo of each ASCII code point
};

namespace {

// Recursive descent over the pattern's code points.
class Parser {
public:
    Parser(std::string_view pattern, std::vector<CharSet>& sets) : m_pattern(pattern), m_sets(sets)
    {
        size_t offset = 0;
        while (offset < pattern.size()) {
            UChar32 c;
            U8_NEXT(pattern.data(), offset, pattern.size(), c);
            if (c < 0) fail("it is not valid UTF-8");
            m_chars.push_back(c);
        }
    }

    Node parse()
    {
        Node node = alternation(false);
        if (m_at < m_chars.size()) fail("an unmatched ')'");
        return node;
    }

    int lookDepth() const { return m_maxLookDepth; }

private:
    [[noreturn]] void fail(const std::string& what) const
    {
        throw Error("pattern " + std::string(m_pattern) + ": " + what + " at character " + std::to_string(m_at + 1) +
                    " (the pre-tokenizer understands alternatives, groups, (?i:...), look-aheads, greedy "
                    "quantifiers, classes, \\p{..}, \\s and escaped characters)");
    }

    bool atEnd() const { return m_at >= m_chars.size(); }
    UChar32 peek(size_t ahead = 0) const { return m_at + ahead < m_chars.size() ? m_chars[m_at + ahead] : -1; }
    bool accept(UChar32 c)
    {
        if (peek() != c) return false;
        ++m_at;
        return true;
    }

    Node alternation(bool fold)
    {
        Node first = sequence(fold);
        if (peek() != '|') return first;
        Node node;
        node.kind = Node::Kind::Alternate;
        node.children.push_back(std::move(first));
        while (accept('|')) node.children.push_back(sequence(fold));
        return node;
    }

    Node sequence(bool fold)
    {
        Node node;
        node.kind = Node::Kind::Concat;
        while (!atEnd() && peek() != '|' && peek() != ')') node.children.push_back(quantified(fold));
        if (node.children.size() == 1) return std::move(node.children[0]);
        if (node.children.empty()) node.kind = Node::Kind::Empty;
        return node;
    }

    int32_t number()
    {
        if (peek() < '0' || peek() > '9') fail("a number expected");
        int32_t value = 0;
        while (peek() >= '0' && peek() <= '9') {
            value = value * 10 + (peek() - '0');
            if (value > kMaxRepeat) fail("a repetition count above " + std::to_string(kMaxRepeat));
            ++m_at;
        }
        return value;
    }

    Node quantified(bool fold)
    {
        Node atom = this->atom(fold);
        while (true) {
            int32_t min = 0;
            int32_t max = -1;
            if (accept('?')) {
                max = 1;
            } else if (accept('*')) {
            } else if (accept('+')) {
                min = 1;
            } else if (peek() == '{') {
                ++m_at;
                min = number();
                max = min;
                if (accept(',')) max = peek() == '}' ? -1 : number();
                if (!accept('}')) fail("a '}' expected");
                if (max >= 0 && max < min) fail("a repetition {n,m} with m < n");
            } else {
                return atom;
            }
            if (peek() == '?' || peek() == '+') fail("a lazy or possessive quantifier");
            if (atom.kind == Node::Kind::Look || atom.kind == Node::Kind::Empty) fail("a quantifier on nothing");
            if (canMatchEmpty(atom)) fail("a repeated part that can match empty text");
            Node repeat;
            repeat.kind = Node::Kind::Repeat;
            repeat.min = min;
            repeat.max = max;
            repeat.children.push_back(std::move(atom));
            atom = std::move(repeat);
        }
    }

    Node atom(bool fold)
    {
        const UChar32 c = peek();
        if (c == '(') return group(fold);
        if (c == '[') return bracket(fold);
        if (c == '.' || c == '^' || c == '$') fail(std::string("'") + static_cast<char>(c) + "'");
        if (c == '*' || c == '+' || c == '?' || c == '{') fail("a quantifier with nothing before it");
        ++m_at;
        if (c == '\\') {
            CharSet set;
            if (std::optional<UChar32> literal = escape(set)) return character(*literal, fold);
            return setNode(std::move(set));
        }
        return character(c, fold);
    }

    Node character(UChar32 c, bool fold)
    {
        Node node;
        node.kind = Node::Kind::Char;
        // Only characters that have case take part in (?i:).
        node.fold = fold && (u_foldCase(c, U_FOLD_CASE_DEFAULT) != c || u_toupper(c) != c || u_tolower(c) != c);
        node.c = node.fold ? u_foldCase(c, U_FOLD_CASE_DEFAULT) : c;
        return node;
    }

    Node setNode(CharSet set)
    {
        Node node;
        node.kind = Node::Kind::Set;
        node.set = static_cast<int32_t>(m_sets.size());
        m_sets.push_back(std::move(set));
        return node;
    }

    Node group(bool fold)
    {
        ++m_at;  // '('
        if (++m_nesting > kMaxNesting) fail("groups nested more than " + std::to_string(kMaxNesting) + " deep");
        Node node;
        if (accept('?')) {
            if (accept(':')) {
                node = alternation(fold);
            } else if (peek() == 'i' && peek(1) == ':') {
                m_at += 2;
                node = alternation(true);
            } else if (peek() == '!' || peek() == '=') {
                const bool negative = peek() == '!';
                ++m_at;
                m_maxLookDepth = std::max(m_maxLookDepth, ++m_lookDepth);
                node.kind = Node::Kind::Look;
                node.negative = negative;
                node.children.push_back(alternation(fold));
                --m_lookDepth;
            } else {
                fail("a group kind other than (?:, (?i:, (?! and (?=");
            }
        } else {
            node = alternation(fold);  // a capturing group: nothing is captured here
        }
        if (!accept(')')) fail("a ')' expected");
        --m_nesting;
        return node;
    }

    // After a backslash: a literal character, or nothing when the escape
    // names a class, which is then added to set.
    std::optional<UChar32> escape(CharSet& set)
    {
        if (atEnd()) fail("a '\\' at the end");
        const UChar32 c = m_chars[m_at++];
        switch (c) {
        case 'r': return 0x0D;
        case 'n': return 0x0A;
        case 't': return 0x09;
        case 'f': return 0x0C;
        case 'v': return 0x0B;
        case 's': set.bits |= kSpaceBit; return std::nullopt;
        case 'S': set.complementBits.push_back(kSpaceBit); return std::nullopt;
        case 'p': case 'P': {
            const uint32_t mask = category();
            if (c == 'p') set.bits |= mask;
            else set.complementBits.push_back(mask);
            return std::nullopt;
        }
        default:
            if (c < 0x80 && !u_isalnum(c)) return c;  // \' \# \- \\ ...
            --m_at;
            fail(std::string("the escape \\") + (c < 0x80 ? std::string(1, static_cast<char>(c)) : "..."));
        }
    }

    // {Name} after \p or \P: a general category or group of them.
    uint32_t category()
    {
        if (!accept('{')) fail("a '{' expected after \\p");
        std::string name;
        while (!atEnd() && peek() != '}') {
            const UChar32 c = m_chars[m_at++];
            if (c >= 0x80) fail("a category name that is not ASCII");
            name.push_back(static_cast<char>(c));
        }
        if (!accept('}')) fail("a '}' expected");
        const int32_t mask = u_getPropertyValueEnum(UCHAR_GENERAL_CATEGORY_MASK, name.c_str());
        if (mask == UCHAR_INVALID_CODE || mask == 0) fail("\\p{" + name + "}, which is not a general category");
        return static_cast<uint32_t>(mask);
    }

    Node bracket(bool fold)
    {
        ++m_at;  // '['
        CharSet set;
        set.negated = accept('^');
        bool first = true;
        while (!accept(']')) {
            if (atEnd()) fail("a ']' expected");
            if (peek() == '[' || (peek() == ']' && first)) fail("a nested or empty class");
            first = false;
            std::optional<UChar32> low = classCharacter(set);
            if (!low) continue;
            UChar32 high = *low;
            if (peek() == '-' && peek(1) != ']' && peek(1) != -1) {
                ++m_at;
                const std::optional<UChar32> end = classCharacter(set);
                if (!end) fail("a range that ends in a class");
                if (*end < *low) fail("a range out of order");
                high = *end;
            }
            if (fold && hasCase(*low, high)) fail("a class with cased characters under (?i:)");
            set.ranges.emplace_back(*low, high);
        }
        return setNode(std::move(set));
    }

    static bool hasCase(UChar32 low, UChar32 high)
    {
        if (high - low > 0x10000) return true;
        for (UChar32 c = low; c <= high; ++c)
            if (u_foldCase(c, U_FOLD_CASE_DEFAULT) != c || u_toupper(c) != c || u_tolower(c) != c) return true;
        return false;
    }

    std::optional<UChar32> classCharacter(CharSet& set)
    {
        const UChar32 c = m_chars[m_at++];
        if (c != '\\') return c;
        return escape(set);
    }

    std::string_view m_pattern;
    std::vector<CharSet>& m_sets;
    std::vector<UChar32> m_chars;
    size_t m_at = 0;
    int m_nesting = 0;
    int m_lookDepth = 0;
    int m_maxLookDepth = 0;
};

class Compiler {
public:
    explicit Compiler(std::vector<Instruction>& code, const std::string& pattern) : m_code(code), m_pattern(pattern) {}

    void emit(const Node& node)
    {
        switch (node.kind) {
        case Node::Kind::Empty:
            break;
        case Node::Kind::Char:
            add({node.fold ? Op::CharFold : Op::Char, node.c});
            break;
        case Node::Kind::Set:
            add({Op::Set, node.set});
            break;
        case Node::Kind::Concat:
            for (const Node& child : node.children) emit(child);
            break;
        case Node::Kind::Alternate: {
            std::vector<int32_t> jumps;
            for (size_t i = 0; i < node.children.size(); ++i) {
                const bool last = i + 1 == node.children.size();
                const int32_t split = last ? -1 : add({Op::Split});
                if (split >= 0) m_code[split].a = here();
                emit(node.children[i]);
                if (!last) {
                    jumps.push_back(add({Op::Jump}));
                    m_code[split].b = here();
                }
            }
            for (const int32_t jump : jumps) m_code[jump].a = here();
            break;
        }
        case Node::Kind::Repeat: {
            const Node& body = node.children[0];
            if (node.max < 0 && body.kind == Node::Kind::Set) {
                // \p{L}+, \s*, [^\s\p{L}\p{N}]+ ...: one instruction, not a loop of three
                add({Op::SetRun, body.set, node.min});
                break;
            }
            for (int32_t i = 0; i < node.min; ++i) emit(body);
            if (node.max < 0) {
                // loop: Split body, out; body; Jump loop
                const int32_t loop = add({Op::Split});
                m_code[loop].a = here();
                emit(body);
                add({Op::Jump, loop});
                m_code[loop].b = here();
            } else {
                std::vector<int32_t> splits;
                for (int32_t i = node.min; i < node.max; ++i) {
                    const int32_t split = add({Op::Split});
                    m_code[split].a = here();
                    splits.push_back(split);
                    emit(body);
                }
                for (const int32_t split : splits) m_code[split].b = here();
            }
            break;
        }
        case Node::Kind::Look: {
            const int32_t look = add({node.negative ? Op::NotAhead : Op::Ahead});
            m_code[look].a = here();
            emit(node.children[0]);
            add({Op::Match});
            m_code[look].b = here();
            break;
        }
        }
    }

    int32_t add(Instruction instruction)
    {
        if (static_cast<int>(m_code.size()) >= kMaxInstructions)
            throw Error("pattern " + m_pattern + ": too large once its repetitions are written out");
        m_code.push_back(instruction);
        return static_cast<int32_t>(m_code.size() - 1);
    }

private:
    int32_t here() const { return static_cast<int32_t>(m_code.size()); }

    std::vector<Instruction>& m_code;
    const std::string& m_pattern;
};

// Runs of the program over one text, with the backtracking stacks kept from
// one match attempt to the next. Quantified parts can never match empty text
// (the parser refuses those), so a run can come back to the same instruction
// at the same position only after its earlier visit there has failed. Sane
// patterns take a few steps per character; once an attempt has taken far
// more, each run records the states it has been in and fails on a repeat,
// which bounds even a pathological pattern to (instructions x text) steps
// per run.
class Matcher {
public:
    Matcher(const SplitPattern::Program& program, std::string_view text, WhiteSpace whiteSpace)
        : m_program(program), m_text(text), m_whiteSpace(whiteSpace),
          m_stacks(static_cast<size_t>(program.lookDepth) + 1), m_seen(m_stacks.size())
    {
    }

    // End of the match at start, if the program matches there.
    std::optional<size_t> matchAt(size_t start)
    {
        m_start = start;
        m_farthest = start;
        m_steps = 0;
        m_recording = false;
        return run(0, start, 0);
    }

private:
    // Where to go on when the path taken fails. For a SetRun, the run's
    // characters given back one at a time down to floor; otherwise floor is
    // kNoRun.
    struct Backtrack {
        int32_t pc;
        size_t pos;
        size_t floor;
    };
    static constexpr size_t kNoRun = ~size_t{0};

    // The code point at pos: its value, the position after it, and its categoryInfo.
    void read(size_t pos, UChar32& c, size_t& next, uint32_t& info) const
    {
        const auto lead = static_cast<unsigned char>(m_text[pos]);
        if (lead < 0x80) {
            c = lead;
            next = pos + 1;
            info = m_program.ascii[lead];
            return;
        }
        next = pos;
        U8_NEXT_UNSAFE(m_text.data(), next, c);  // the caller has validated the text
        info = categoryInfo(c, m_whiteSpace);
    }

    // Whether this run of the given depth was in (pc, pos) before; records it.
    bool repeated(int depth, int32_t pc, size_t pos)
    {
        if (!m_recording) {
            const size_t budget = 1024 + 4 * m_program.code.size() * (m_farthest - m_start + 1);
            if (++m_steps <= budget) return false;
            m_recording = true;
        }
        const uint64_t state = (static_cast<uint64_t>(pos) << 20) ^ static_cast<uint64_t>(pc);
        return !m_seen[static_cast<size_t>(depth)].insert(state).second;
    }

    std::optional<size_t> run(int32_t pc, size_t pos, int depth)
    {
        std::vector<Backtrack>& stack = m_stacks[static_cast<size_t>(depth)];
        if (!m_seen[static_cast<size_t>(depth)].empty()) m_seen[static_cast<size_t>(depth)].clear();
        const size_t bottom = stack.size();
        const auto& code = m_program.code;
        while (true) {
            bool ok = !repeated(depth, pc, pos);
            if (ok) {
                const Instruction& in = code[static_cast<size_t>(pc)];
                switch (in.op) {
                case Op::Char: case Op::CharFold: case Op::Set: {
                    if (pos >= m_text.size()) {
                        ok = false;
                        break;
                    }
                    UChar32 c;
                    size_t next;
                    uint32_t info;
                    read(pos, c, next, info);
                    if (in.op == Op::Char) ok = c == in.a;
                    else if (in.op == Op::CharFold) ok = u_foldCase(c, U_FOLD_CASE_DEFAULT) == in.a;
                    else ok = m_program.sets[static_cast<size_t>(in.a)].contains(c, info);
                    if (ok) {
                        pos = next;
                        m_farthest = std::max(m_farthest, pos);
                        ++pc;
                    }
                    break;
                }
                case Op::SetRun: {
                    const CharSet& set = m_program.sets[static_cast<size_t>(in.a)];
                    size_t floor = pos;  // after the least the run must take
                    int32_t taken = 0;
                    while (pos < m_text.size()) {
                        UChar32 c;
                        size_t next;
                        uint32_t info;
                        read(pos, c, next, info);
                        if (!set.contains(c, info)) break;
                        pos = next;
                        if (++taken <= in.b) floor = pos;
                    }
                    if (taken < in.b) {
                        ok = false;
                        break;
                    }
                    m_farthest = std::max(m_farthest, pos);
                    ++pc;
                    if (pos > floor) stack.push_back({pc, pos, floor});
                    break;
                }
                case Op::Split: {
                    // Only the ways that can go on from here.
                    bool first = true;
                    bool second = true;
                    if (pos < m_text.size()) {
                        UChar32 c;
                        size_t next;
                        uint32_t info;
                        read(pos, c, next, info);
                        first = m_program.starts[static_cast<size_t>(in.a)].allows(c);
                        second = m_program.starts[static_cast<size_t>(in.b)].allows(c);
                    } else {
                        first = m_program.starts[static_cast<size_t>(in.a)].end;
                        second = m_program.starts[static_cast<size_t>(in.b)].end;
                    }
                    if (first && second) stack.push_back({in.b, pos, kNoRun});
                    if (first) pc = in.a;
                    else if (second) pc = in.b;
                    else ok = false;
                    break;
                }
                case Op::Jump:
                    pc = in.a;
                    break;
                case Op::Ahead: case Op::NotAhead: {
                    const bool matched = run(in.a, pos, depth + 1).has_value();
                    ok = matched == (in.op == Op::Ahead);
                    if (ok) pc = in.b;
                    break;
                }
                case Op::Match:
                    stack.resize(bottom);
                    return pos;
                }
            }
            if (!ok) {
                if (stack.size() == bottom) return std::nullopt;
                Backtrack& back = stack.back();
                pc = back.pc;
                if (back.floor == kNoRun) {
                    pos = back.pos;
                    stack.pop_back();
                } else {
                    // The run gives back its last character; the entry stays while it has more.
                    do --back.pos;
                    while ((static_cast<unsigned char>(m_text[back.pos]) & 0xC0) == 0x80);
                    pos = back.pos;
                    if (back.pos == back.floor) stack.pop_back();
                }
            }
        }
    }

    const SplitPattern::Program& m_program;
    std::string_view m_text;
    WhiteSpace m_whiteSpace;
    std::vector<std::vector<Backtrack>> m_stacks;     // one per look-ahead depth
    std::vector<std::unordered_set<uint64_t>> m_seen; // likewise
    size_t m_start = 0;
    size_t m_farthest = 0;
    size_t m_steps = 0;
    bool m_recording = false;
};

// Start of every instruction. What an instruction can go on with depends on
// the instructions it goes on to, and these lie after it but for the jump
// back at the end of a loop (reached only once the loop's body has taken a
// character). So two passes from the last instruction to the first: the
// first takes a jump back to allow anything, the second knows its target.
void findStarts(SplitPattern::Program& program)
{
    const auto& code = program.code;
    Start anything;
    anything.ascii.set();
    anything.other = anything.end = true;
    std::vector<Start>& starts = program.starts;
    starts.assign(code.size(), anything);

    std::vector<std::optional<Start>> setStarts(program.sets.size());
    auto ofSet = [&](int32_t index) -> const Start& {
        std::optional<Start>& start = setStarts[static_cast<size_t>(index)];
        if (!start) {
            const CharSet& set = program.sets[static_cast<size_t>(index)];
            start.emplace();
            for (UChar32 c = 0; c < 128; ++c)
                if (set.contains(c, program.ascii[static_cast<size_t>(c)])) start->ascii.set(static_cast<size_t>(c));
            start->other = true;
        }
        return *start;
    };
    for (int pass = 0; pass < 2; ++pass) {
        for (size_t pc = code.size(); pc-- > 0;) {
            const Instruction& in = code[pc];
            Start start;
            switch (in.op) {
            case Op::Char:
                if (in.a < 128) start.ascii.set(static_cast<size_t>(in.a));
                else start.other = true;
                break;
            case Op::CharFold:
                for (UChar32 c = 0; c < 128; ++c)
                    if (u_foldCase(c, U_FOLD_CASE_DEFAULT) == in.a) start.ascii.set(static_cast<size_t>(c));
                start.other = true;  // U+017F folds to "s", U+212A to "k", ...
                break;
            case Op::Set:
                start = ofSet(in.a);
                break;
            case Op::SetRun:
                start = ofSet(in.a);
                if (in.b == 0) start.add(starts[pc + 1]);
                break;
            case Op::Split:
                start = starts[static_cast<size_t>(in.a)];
                start.add(starts[static_cast<size_t>(in.b)]);
                break;
            case Op::Jump:
                start = starts[static_cast<size_t>(in.a)];
                break;
            case Op::Ahead: case Op::NotAhead:
                start = starts[static_cast<size_t>(in.b)];  // a look-ahead takes nothing
                break;
            case Op::Match:
                start = anything;
                break;
            }
            starts[pc] = start;
        }
    }
}

} // namespace

SplitPattern::SplitPattern(std::string_view pattern, WhiteSpace whiteSpace)
    : m_source(pattern), m_whiteSpace(whiteSpace)
{
    auto program = std::make_unique<Program>();
    Parser parser(pattern, program->sets);
    const Node root = parser.parse();
    if (canMatchEmpty(root))
        throw Error("pattern " + m_source + ": it can match empty text, which would cut nothing");
    program->lookDepth = parser.lookDepth();
    Compiler compiler(program->code, m_source);
    compiler.emit(root);
    compiler.add({Op::Match});
    for (UChar32 c = 0; c < 128; ++c) program->ascii[static_cast<size_t>(c)] = categoryInfo(c, whiteSpace);
    findStarts(*program);
    m_program = std::move(program);
}

SplitPattern::~SplitPattern() = default;
SplitPattern::SplitPattern(SplitPattern&&) noexcept = default;
SplitPattern& SplitPattern::operator=(SplitPattern&&) noexcept = default;

void SplitPattern::split(std::string_view text, std::vector<std::string_view>& pieces) const
{
    Matcher matcher(*m_program, text, m_whiteSpace);
    size_t pieceStart = 0;  // end of the last match
    size_t at = 0;
    while (at < text.size()) {
        if (const std::optional<size_t> end = matcher.matchAt(at)) {
            if (pieceStart < at) pieces.push_back(text.substr(pieceStart, at - pieceStart));
            pieces.push_back(text.substr(at, *end - at));
            pieceStart = at = *end;
        } else {
            at += static_cast<size_t>(U8_COUNT_TRAIL_BYTES_UNSAFE(static_cast<uint8_t>(text[at]))) + 1;
        }
    }
    if (pieceStart < text.size()) pieces.push_back(text.substr(pieceStart));
}

} // namespace bd3
