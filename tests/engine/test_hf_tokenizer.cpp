// The pieces of the tokenizers in engine/src/tokenizers: the pre-tokenizers'
// pattern matcher (on Qwen2's tokenizer.json pattern and others) and the BPE
// merge loop.
#include "bd3/error.hpp"
#include "tokenizers/byte_pair_encoder.hpp"
#include "tokenizers/split_pattern.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <map>
#include <random>
#include <string>
#include <vector>

namespace {

using bd3::Error;
using Ids = std::vector<int32_t>;
using Words = std::vector<std::string>;

template <typename Fn>
std::string errorMessage(Fn&& fn)
{
    try {
        fn();
    } catch (const Error& error) {
        return error.what();
    }
    ADD_FAILURE() << "expected a bd3::Error";
    return {};
}

// Qwen2's Split pattern, as its tokenizer.json writes it.
const std::string kQwen2Pattern =
    R"((?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+)";

Words split(const bd3::SplitPattern& pattern, std::string_view text)
{
    std::vector<std::string_view> pieces;
    pattern.split(text, pieces);
    return {pieces.begin(), pieces.end()};
}

// ------------------------------------------------------------ SplitPattern

// The expected pieces are what Node's RegExp gives for the same pattern (with
// (?i:...) written out as [sS]... since JavaScript lacks it).
TEST(SplitPattern, CutsAsQwen2sRegex)
{
    const bd3::SplitPattern qwen(kQwen2Pattern, bd3::WhiteSpace::Unicode);
    EXPECT_EQ(split(qwen, ""), Words{});
    EXPECT_EQ(split(qwen, "Hello world"), (Words{"Hello", " world"}));
    EXPECT_EQ(split(qwen, "I'M you'Re it's"), (Words{"I", "'M", " you", "'Re", " it", "'s"}));
    EXPECT_EQ(split(qwen, "abc123def"), (Words{"abc", "1", "2", "3", "def"}));  // digits one by one
    EXPECT_EQ(split(qwen, " 12 "), (Words{" ", "1", "2", " "}));
    EXPECT_EQ(split(qwen, "a\r\n\r\nb"), (Words{"a", "\r\n\r\n", "b"}));
    EXPECT_EQ(split(qwen, "x  \n  y"), (Words{"x", "  \n", " ", " y"}));
    EXPECT_EQ(split(qwen, "foo!!!\n\nbar"), (Words{"foo", "!!!\n\n", "bar"}));
    EXPECT_EQ(split(qwen, "$hello \"quoted\""), (Words{"$hello", " \"", "quoted", "\""}));
    EXPECT_EQ(split(qwen, "tabs\t\tx"), (Words{"tabs", "\t", "\tx"}));
    EXPECT_EQ(split(qwen, "end   "), (Words{"end", "   "}));
}

TEST(SplitPattern, CaseInsensitiveGroupsFoldCaseAsUnicodeDoes)
{
    const bd3::SplitPattern qwen(kQwen2Pattern, bd3::WhiteSpace::Unicode);
    EXPECT_EQ(split(qwen, "'LL'lL'D"), (Words{"'LL", "'lL", "'D"}));
    // Simple case folding, as Oniguruma's (?i): U+017F LONG S folds to "s".
    // (transformers.js writes the group as [sS], so it gives "'\u017Ft" here.)
    EXPECT_EQ(split(qwen, "x'\u017Ft"), (Words{"x", "'\u017F", "t"}));
}

TEST(SplitPattern, WhiteSpaceFollowsTheDialect)
{
    const bd3::SplitPattern unicode(R"(\s+|\S+)", bd3::WhiteSpace::Unicode);
    const bd3::SplitPattern javaScript(R"(\s+|\S+)", bd3::WhiteSpace::JavaScript);
    EXPECT_EQ(split(unicode, "a\u0085b\ufeffc"), (Words{"a", "\u0085", "b\ufeffc"}));
    EXPECT_EQ(split(javaScript, "a\u0085b\ufeffc"), (Words{"a\u0085b", "\ufeff", "c"}));
}

TEST(SplitPattern, StretchesWithoutAMatchArePiecesToo)
{
    const bd3::SplitPattern as(R"(a+)", bd3::WhiteSpace::Unicode);
    EXPECT_EQ(split(as, "xaayb\u00e9a"), (Words{"x", "aa", "yb\u00e9", "a"}));
    const bd3::SplitPattern counted(R"(\p{N}{1,3}|\p{Lu})", bd3::WhiteSpace::Unicode);
    EXPECT_EQ(split(counted, "1234567Ab"), (Words{"123", "456", "7", "A", "b"}));
    const bd3::SplitPattern ahead(R"(a(?=b)|[^\\\]x-z]+)", bd3::WhiteSpace::Unicode);
    EXPECT_EQ(split(ahead, "abacx]\\"), (Words{"a", "bac", "x]\\"}));
}

TEST(SplitPattern, RefusesWhatItDoesNotUnderstandNamingThePattern)
{
    for (const char* pattern : {".", "^a", "a$", "\\d+", "\\w", "a+?", "a*+", "(?<name>a)", "(?i)a", "\\p{Han}",
                                "[[a]]", "(a", "a)", "\\", "(?i:[a-z])", "x{2,1}", "x{1001}"}) {
        const std::string message = errorMessage([&] { bd3::SplitPattern(pattern, bd3::WhiteSpace::Unicode); });
        EXPECT_NE(message.find(std::string("pattern ") + pattern + ":"), std::string::npos) << message;
    }
    const std::string deep = std::string(65, '(') + "a" + std::string(65, ')');
    EXPECT_NE(errorMessage([&] { bd3::SplitPattern(deep, bd3::WhiteSpace::Unicode); }).find("nested more than 64"),
              std::string::npos);
    // Patterns that could match empty text would loop or cut nothing.
    for (const char* pattern : {"a*", "(?:a?)+", "(?!x)", "a|"}) {
        const std::string message = errorMessage([&] { bd3::SplitPattern(pattern, bd3::WhiteSpace::Unicode); });
        EXPECT_NE(message.find("empty"), std::string::npos) << message;
    }
}

TEST(SplitPattern, APathologicalPatternStillEndsQuickly)
{
    // Exponential for a plain backtracking matcher; bounded here.
    const bd3::SplitPattern nested(R"((?:a|a)+(?:a|a)+(?:a|a)+b|a)", bd3::WhiteSpace::Unicode);
    const std::string text(300, 'a');
    const auto start = std::chrono::steady_clock::now();
    EXPECT_EQ(split(nested, text).size(), 300u);
    EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(10));
}

// ------------------------------------------------------- BytePairEncoder

// Short words are merged by scanning an array, long ones through a heap: both
// must give the same ids, even for merge lists that use a token before the
// merge that makes it (where the order of rounds shows).
TEST(BytePairEncoder, ArrayAndHeapMergeAlike)
{
    std::mt19937 random(7);
    for (int trial = 0; trial < 50; ++trial) {
        bd3::BytePairEncoder encoder;
        for (int byte = 0; byte < 256; ++byte) encoder.setByteToken(static_cast<uint8_t>(byte), byte);
        std::map<std::string, int32_t> ids;
        std::vector<std::string> tokens = {"a", "b", "c", "d"};
        for (const std::string& token : tokens) ids[token] = static_cast<unsigned char>(token[0]);
        // Make some tokens first, then merge them in a shuffled order.
        std::vector<std::pair<std::string, std::string>> merges;
        for (int i = 0; i < 30; ++i) {
            const std::string left = tokens[random() % tokens.size()];
            const std::string right = tokens[random() % tokens.size()];
            if (!ids.count(left + right)) {
                ids[left + right] = static_cast<int32_t>(256 + ids.size());
                tokens.push_back(left + right);
            }
            merges.emplace_back(left, right);
        }
        std::shuffle(merges.begin(), merges.end(), random);
        for (const auto& [left, right] : merges) encoder.addMerge(ids[left], ids[right], ids[left + right]);

        for (int w = 0; w < 200; ++w) {
            std::string word(1 + random() % bd3::BytePairEncoder::kShortWord, ' ');
            for (char& c : word) c = static_cast<char>('a' + random() % 4);
            Ids byArray;
            Ids byHeap;
            encoder.encodeShortWord(word, byArray);
            encoder.encodeLongWord(word, byHeap);
            ASSERT_EQ(byArray, byHeap) << "trial " << trial << ", word " << word;
        }
    }
}

} // namespace
