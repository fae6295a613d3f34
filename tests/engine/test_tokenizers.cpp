// The engine's tokenizers: the UTF-8 checks they rely on, GPT-2 byte-level
// BPE on a small hand-made vocabulary (and on the real files when
// BD3_GPT2_DIR names them), agreement with an independent GPT-2
// implementation (BD3_GPT2_EXPECTED), and SentencePiece round trips on the
// tiny fixture model.
#include "error_message.hpp"
#include "test_support.hpp"

#include "bd3/error.hpp"
#include "bd3/tokenizer.hpp"
#include "tokenizers/gpt2_pretokenizer.hpp"
#include "bd3/utf8.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <map>
#include <optional>
#include <stdexcept>
#include <span>
#include <string>
#include <vector>

#ifndef BD3_FIXTURES_DIR
#error "BD3_FIXTURES_DIR must name the tests/fixtures folder"
#endif

namespace {

namespace fs = std::filesystem;
using bd3::Error;
using Ids = std::vector<int32_t>;

using bd3::test::errorMessage;

// Texts that stress byte-exact round trips: several scripts, emoji built from
// many code points, combining marks, and every kind of whitespace run.
const std::vector<std::string> kAwkwardTexts = {
    "",
    "Hello, world!",
    "  two leading spaces and three trailing   ",
    "tabs\tand\t\ttabs\nnewlines\n\n\r\nand carriage returns\r",
    "\u6771\u4eac\u306f\u65e5\u672c\u306e\u9996\u90fd\u3067\u3059\u3002 \ud55c\uad6d\uc5b4",
    "\u0627\u0644\u0633\u0644\u0627\u0645 \u0639\u0644\u064a\u0643\u0645 \u0928\u092e\u0938\u094d\u0924\u0947",
    "\U0001F469\u200D\U0001F469\u200D\U0001F467 \U0001F1EB\U0001F1F7 \U0001F44D\U0001F3FD \u2764\ufe0f",
    "cafe\u0301 a\u030a e\u0301\u0302\u0303 \u00e9",
    "\u00a0\u2003\u3000\ufeff\u200b mixed spaces",
    "1,234.56 2026-11-29 \u00bd \u2160",
    "\U0010FFFF\uE000\uD7FF last code points",
};

// ---------------------------------------------------------------- UTF-8

TEST(Utf8, AcceptsValidText)
{
    EXPECT_EQ(bd3::firstInvalidUtf8(""), std::nullopt);
    EXPECT_EQ(bd3::firstInvalidUtf8("plain ASCII\n"), std::nullopt);
    EXPECT_EQ(bd3::firstInvalidUtf8("\u00e9\u20ac\U0001F600"), std::nullopt);
    EXPECT_EQ(bd3::firstInvalidUtf8("\x7F\xC2\x80\xDF\xBF"), std::nullopt);
    EXPECT_EQ(bd3::firstInvalidUtf8("\xE0\xA0\x80\xED\x9F\xBF\xEE\x80\x80"), std::nullopt);  // U+0800 U+D7FF U+E000
    EXPECT_EQ(bd3::firstInvalidUtf8("\xF0\x90\x80\x80\xF4\x8F\xBF\xBF"), std::nullopt);      // U+10000 U+10FFFF
}

TEST(Utf8, ReportsWhereTheFirstBadSequenceStarts)
{
    EXPECT_EQ(bd3::firstInvalidUtf8("ab\x80"), 2u);               // lone continuation byte
    EXPECT_EQ(bd3::firstInvalidUtf8("a\xC0\x80"), 1u);            // overlong NUL
    EXPECT_EQ(bd3::firstInvalidUtf8("a\xC1\xBF"), 1u);            // overlong U+007F
    EXPECT_EQ(bd3::firstInvalidUtf8("\xE0\x80\x80"), 0u);         // overlong 3-byte
    EXPECT_EQ(bd3::firstInvalidUtf8("\xE0\x9F\xBF"), 0u);         // overlong U+07FF
    EXPECT_EQ(bd3::firstInvalidUtf8("\xF0\x8F\xBF\xBF"), 0u);     // overlong U+FFFF
    EXPECT_EQ(bd3::firstInvalidUtf8("ok\xED\xA0\x80"), 2u);       // surrogate U+D800
    EXPECT_EQ(bd3::firstInvalidUtf8("ok\xED\xBF\xBF"), 2u);       // surrogate U+DFFF
    EXPECT_EQ(bd3::firstInvalidUtf8("\xF4\x90\x80\x80"), 0u);     // U+110000
    EXPECT_EQ(bd3::firstInvalidUtf8("x\xF5\x80\x80\x80"), 1u);    // lead byte past U+10FFFF
    EXPECT_EQ(bd3::firstInvalidUtf8("x\xFF"), 1u);
    EXPECT_EQ(bd3::firstInvalidUtf8("\xE2\x82"), 0u);             // truncated at the end
    EXPECT_EQ(bd3::firstInvalidUtf8("\xE2\x82" "A"), 0u);         // truncated before ASCII
    EXPECT_EQ(bd3::firstInvalidUtf8("\u00e9\xF0\x9F\x98"), 2u);   // truncated 4-byte
    EXPECT_EQ(bd3::firstInvalidUtf8(std::string_view("a\0b\xC3", 4)), 3u);
}

TEST(Utf8, RequireNamesWhatAndTheByte)
{
    EXPECT_NO_THROW(bd3::requireValidUtf8("fine \u00e9", "text"));
    EXPECT_EQ(errorMessage([] { bd3::requireValidUtf8("abc\xFF", "prompt"); }),
              "prompt is not valid UTF-8 at byte 3");
}

TEST(Utf8, CompletePrefixHoldsBackOnlyUnfinishedCharacters)
{
    EXPECT_EQ(bd3::completeUtf8Prefix(""), 0u);
    EXPECT_EQ(bd3::completeUtf8Prefix("abc"), 3u);
    EXPECT_EQ(bd3::completeUtf8Prefix("a\xC3"), 1u);
    EXPECT_EQ(bd3::completeUtf8Prefix("a\xC3\xA9"), 3u);
    EXPECT_EQ(bd3::completeUtf8Prefix("a\xE2\x82"), 1u);
    EXPECT_EQ(bd3::completeUtf8Prefix("a\xE2\x82\xAC"), 4u);
    EXPECT_EQ(bd3::completeUtf8Prefix("\xF0\x9F\x98"), 0u);
    EXPECT_EQ(bd3::completeUtf8Prefix("\xF0"), 0u);
    EXPECT_EQ(bd3::completeUtf8Prefix("\xF0\x9F\x98\x80"), 4u);
    // Bytes that can never complete a character are not held back.
    EXPECT_EQ(bd3::completeUtf8Prefix("a\x80"), 2u);
    EXPECT_EQ(bd3::completeUtf8Prefix("a\xE0\x80"), 3u);   // overlong start
    EXPECT_EQ(bd3::completeUtf8Prefix("a\xED\xA0"), 3u);   // surrogate start
    EXPECT_EQ(bd3::completeUtf8Prefix("a\xFF"), 2u);
    EXPECT_EQ(bd3::completeUtf8Prefix("a\xC3" "b"), 3u);
}

TEST(Utf8, ValidUtf8ReplacesEachMaximalBadSubpart)
{
    const std::string replacement = "\xEF\xBF\xBD";
    EXPECT_EQ(bd3::validUtf8(""), "");
    EXPECT_EQ(bd3::validUtf8("caf\u00e9 \U0001F600"), "caf\u00e9 \U0001F600");
    EXPECT_EQ(bd3::validUtf8("a\xE2\x82" "b"), "a" + replacement + "b");        // one truncated character
    EXPECT_EQ(bd3::validUtf8("\xF0\x80\x80"), replacement + replacement + replacement);  // overlong: each byte
    EXPECT_EQ(bd3::validUtf8("\xED\xA0\x80x"), replacement + replacement + replacement + "x");  // surrogate
    EXPECT_EQ(bd3::validUtf8("\x80\xFF"), replacement + replacement);
    EXPECT_EQ(bd3::validUtf8("\xF0\x9F\x98"), replacement);
}

// ------------------------------------------------------ GPT-2 pre-tokenizer

std::vector<std::string> words(std::string_view text)
{
    const auto views = bd3::splitGpt2Words(text);
    return {views.begin(), views.end()};
}

using Words = std::vector<std::string>;

TEST(Gpt2Pretokenizer, SplitsAsTheReferenceRegex)
{
    EXPECT_EQ(words(""), Words{});
    EXPECT_EQ(words("Hello world"), (Words{"Hello", " world"}));
    EXPECT_EQ(words("I'm you'll we've they're he'd it's can't"),
              (Words{"I", "'m", " you", "'ll", " we", "'ve", " they", "'re", " he", "'d", " it", "'s",
                     " can", "'t"}));
    // The contractions are case-sensitive and ASCII-apostrophe only.
    EXPECT_EQ(words("IT'S it\u2019s"), (Words{"IT", "'", "S", " it", "\u2019", "s"}));
    EXPECT_EQ(words("!!!'s"), (Words{"!!!'", "s"}));
    EXPECT_EQ(words(" 1,234.56"), (Words{" 1", ",", "234", ".", "56"}));
    EXPECT_EQ(words("abc123def"), (Words{"abc", "123", "def"}));
    EXPECT_EQ(words("\u00bd\u2160x"), (Words{"\u00bd\u2160", "x"}));  // No and Nl are numbers
    EXPECT_EQ(words("cafe\u0301s"), (Words{"cafe", "\u0301", "s"}));  // marks are neither L nor N
}

TEST(Gpt2Pretokenizer, WhitespaceRunsLeaveTheirLastSpaceToTheNextWord)
{
    EXPECT_EQ(words("a  b"), (Words{"a", " ", " b"}));
    EXPECT_EQ(words("a   b"), (Words{"a", "  ", " b"}));
    EXPECT_EQ(words("a \n b"), (Words{"a", " \n", " b"}));
    EXPECT_EQ(words("a\n\nb"), (Words{"a", "\n", "\n", "b"}));
    EXPECT_EQ(words("x   "), (Words{"x", "   "}));
    EXPECT_EQ(words("   "), (Words{"   "}));
    EXPECT_EQ(words(" !"), (Words{" !"}));
    EXPECT_EQ(words("\t!"), (Words{"\t", "!"}));
    // JavaScript's \s: U+00A0, U+3000 and U+FEFF are spaces, U+0085 is not.
    EXPECT_EQ(words("a\u00a0\u3000b"), (Words{"a", "\u00a0", "\u3000", "b"}));
    EXPECT_EQ(words("a\ufeff\ufeff"), (Words{"a", "\ufeff\ufeff"}));
    EXPECT_EQ(words("a\u0085b"), (Words{"a", "\u0085", "b"}));
}

// ------------------------------------------------- GPT-2 on a tiny vocabulary

// bytes_to_unicode() of OpenAI's encoder.py, written out independently: the
// character GPT-2 uses for each byte.
std::string byteCharacter(int byte)
{
    const auto printable = [](int b) { return (b >= 0x21 && b <= 0x7E) || (b >= 0xA1 && b <= 0xAC) || b >= 0xAE; };
    int codePoint = byte;
    if (!printable(byte)) {
        codePoint = 0x100;
        for (int b = 0; b < byte; ++b)
            if (!printable(b)) ++codePoint;
    }
    std::string utf8;
    if (codePoint < 0x80) {
        utf8.push_back(static_cast<char>(codePoint));
    } else {
        utf8.push_back(static_cast<char>(0xC0 | (codePoint >> 6)));
        utf8.push_back(static_cast<char>(0x80 | (codePoint & 0x3F)));
    }
    return utf8;
}

// A byte-level vocabulary: the 256 byte tokens (id = byte) and then the
// results of the given merges, in order.
using MergeList = std::vector<std::pair<std::string, std::string>>;

struct TinyGpt2 {
    std::map<std::string, int32_t> vocabulary;
    std::string merges = "#version: 0.2\n";

    explicit TinyGpt2(const MergeList& mergeList = {})
    {
        for (int byte = 0; byte < 256; ++byte) vocabulary[byteCharacter(byte)] = byte;
        for (const auto& [left, right] : mergeList) {
            vocabulary.emplace(left + right, static_cast<int32_t>(vocabulary.size()));
            merges += left + " " + right + "\n";
        }
    }

    void write(const fs::path& folder, const std::string& vocabName = "vocab.json",
               const std::string& mergesName = "merges.txt") const
    {
        bd3::test::writeFile(folder / vocabName, nlohmann::json(vocabulary).dump());
        bd3::test::writeFile(folder / mergesName, merges);
    }

    int32_t id(const std::string& token) const { return vocabulary.at(token); }
};

const std::string kSpace = "\xC4\xA0";  // "Ġ", GPT-2's character for the space byte

class Gpt2Tiny : public ::testing::Test {
protected:
    std::unique_ptr<bd3::Tokenizer> load(const TinyGpt2& model)
    {
        model.write(m_dir.path());
        return bd3::loadGpt2Tokenizer(m_dir.path() / "vocab.json", m_dir.path() / "merges.txt");
    }

    const fs::path& dir() const { return m_dir.path(); }

private:
    bd3::test::ScratchDir m_dir;
};

TEST_F(Gpt2Tiny, MergesByRank)
{
    const TinyGpt2 model({{kSpace, "t"}, {"h", "e"}, {kSpace + "t", "he"}, {"t", "he"}});
    const auto tokenizer = load(model);
    EXPECT_EQ(tokenizer->kind(), "gpt2");
    EXPECT_EQ(tokenizer->size(), 256 + 4);
    EXPECT_EQ(tokenizer->encode("the"), (Ids{model.id("the")}));
    EXPECT_EQ(tokenizer->encode(" the"), (Ids{model.id(kSpace + "the")}));
    EXPECT_EQ(tokenizer->encode("the the"), (Ids{model.id("the"), model.id(kSpace + "the")}));
    EXPECT_EQ(tokenizer->encode("them"), (Ids{model.id("the"), 'm'}));
    EXPECT_EQ(tokenizer->encode("he"), (Ids{model.id("he")}));
}

TEST_F(Gpt2Tiny, TheBetterRankedPairWins)
{
    const auto bcFirst = load(TinyGpt2({{"b", "c"}, {"a", "b"}}));
    EXPECT_EQ(bcFirst->encode("abc"), (Ids{'a', 256}));
    const auto abFirst = load(TinyGpt2({{"a", "b"}, {"b", "c"}}));
    EXPECT_EQ(abFirst->encode("abc"), (Ids{256, 'c'}));
}

TEST_F(Gpt2Tiny, RepeatedPairsMergeLeftToRight)
{
    const TinyGpt2 model({{"a", "a"}, {"aa", "aa"}});
    const auto tokenizer = load(model);
    EXPECT_EQ(tokenizer->encode("aaa"), (Ids{model.id("aa"), 'a'}));
    EXPECT_EQ(tokenizer->encode("aaaaa"), (Ids{model.id("aaaa"), 'a'}));
    EXPECT_EQ(tokenizer->encode("aaaaaa"), (Ids{model.id("aaaa"), model.id("aa")}));
}

TEST_F(Gpt2Tiny, MergesStayInsideWords)
{
    const TinyGpt2 model({{"a", kSpace}, {"a", "b"}});
    const auto tokenizer = load(model);
    // "a " never merges: the space starts the next word.
    EXPECT_EQ(tokenizer->encode("a b"), (Ids{'a', ' ', 'b'}));
    EXPECT_EQ(tokenizer->encode("ab"), (Ids{model.id("ab")}));
}

TEST_F(Gpt2Tiny, RoundTripsArbitraryUtf8)
{
    const auto tokenizer = load(TinyGpt2({{kSpace, "t"}, {"h", "e"}, {byteCharacter(0xC3), byteCharacter(0xA9)}}));
    for (const std::string& text : kAwkwardTexts) {
        const Ids ids = tokenizer->encode(text);
        EXPECT_EQ(tokenizer->decode(ids), text) << text;
        // Each id on its own gives its bytes, even the halves of a character.
        std::string pieceByPiece;
        for (const int32_t id : ids) pieceByPiece += tokenizer->decode(std::span(&id, 1));
        EXPECT_EQ(pieceByPiece, text) << text;
    }
}

TEST_F(Gpt2Tiny, LongWordsEncodeQuickly)
{
    // One 200 KB word: the merge loop must not be quadratic.
    const TinyGpt2 model({{"a", "b"}, {"ab", "ab"}, {"abab", "abab"}});
    const auto tokenizer = load(model);
    std::string text;
    for (int i = 0; i < 100000; ++i) text += "ab";
    const Ids ids = tokenizer->encode(text);
    EXPECT_EQ(ids.size(), 25000u);
    EXPECT_EQ(tokenizer->decode(ids), text);
}

TEST_F(Gpt2Tiny, RejectsInvalidUtf8NamingTheByte)
{
    const auto tokenizer = load(TinyGpt2());
    EXPECT_EQ(errorMessage([&] { tokenizer->encode("ok \xED\xA0\x80"); }), "text is not valid UTF-8 at byte 3");
}

TEST_F(Gpt2Tiny, RejectsUnknownIdsNamingThem)
{
    const auto tokenizer = load(TinyGpt2());
    const Ids tooBig{'a', 256};
    EXPECT_NE(errorMessage([&] { tokenizer->decode(tooBig); }).find("256"), std::string::npos);
    const Ids negative{-7};
    EXPECT_NE(errorMessage([&] { tokenizer->decode(negative); }).find("-7"), std::string::npos);
}

TEST_F(Gpt2Tiny, MissingFilesAreNamed)
{
    TinyGpt2().write(dir());
    const std::string message =
        errorMessage([&] { bd3::loadGpt2Tokenizer(dir() / "absent.json", dir() / "merges.txt"); });
    EXPECT_NE(message.find("absent.json"), std::string::npos) << message;
    const std::string mergesMessage =
        errorMessage([&] { bd3::loadGpt2Tokenizer(dir() / "vocab.json", dir() / "absent.txt"); });
    EXPECT_NE(mergesMessage.find("absent.txt"), std::string::npos) << mergesMessage;
}

TEST_F(Gpt2Tiny, MalformedJsonNamesFileAndLine)
{
    TinyGpt2().write(dir());
    bd3::test::writeFile(dir() / "vocab.json", "{\n  \"a\": 0,\n  \"b\": \n}\n");
    const std::string message =
        errorMessage([&] { bd3::loadGpt2Tokenizer(dir() / "vocab.json", dir() / "merges.txt"); });
    EXPECT_NE(message.find("vocab.json"), std::string::npos) << message;
    EXPECT_NE(message.find("line 4"), std::string::npos) << message;
}

TEST_F(Gpt2Tiny, BadVocabularyEntriesAreNamed)
{
    TinyGpt2().write(dir());
    auto loadError = [&](const nlohmann::json& vocabulary) {
        bd3::test::writeFile(dir() / "vocab.json", vocabulary.dump());
        return errorMessage([&] { bd3::loadGpt2Tokenizer(dir() / "vocab.json", dir() / "merges.txt"); });
    };
    nlohmann::json vocabulary = TinyGpt2().vocabulary;

    nlohmann::json notInteger = vocabulary;
    notInteger["xy"] = "256";
    EXPECT_NE(loadError(notInteger).find("\"xy\""), std::string::npos);

    nlohmann::json outOfRange = vocabulary;
    outOfRange["xy"] = 999;
    EXPECT_NE(loadError(outOfRange).find("999"), std::string::npos);

    nlohmann::json missingByte = vocabulary;
    missingByte.erase("a");
    missingByte["xy"] = 'a';
    EXPECT_NE(loadError(missingByte).find("0x61"), std::string::npos);

    nlohmann::json notByteCharacters = vocabulary;
    notByteCharacters["a b"] = 256;  // a real space is not one of the byte characters
    EXPECT_NE(loadError(notByteCharacters).find("\"a b\""), std::string::npos);

    EXPECT_NE(loadError(nlohmann::json::array({1, 2})).find("object"), std::string::npos);
}

TEST_F(Gpt2Tiny, BadMergesLinesNameFileAndLine)
{
    TinyGpt2 model({{"a", "b"}, {"c", "d"}});
    auto loadError = [&](const std::string& merges) {
        model.merges = merges;
        model.write(dir());
        return errorMessage([&] { bd3::loadGpt2Tokenizer(dir() / "vocab.json", dir() / "merges.txt"); });
    };
    const std::string threeSymbols = loadError("#version: 0.2\na b\nc d e\n");
    EXPECT_NE(threeSymbols.find("merges.txt:3"), std::string::npos) << threeSymbols;
    EXPECT_NE(threeSymbols.find("two symbols"), std::string::npos) << threeSymbols;

    const std::string oneSymbol = loadError("a\n");
    EXPECT_NE(oneSymbol.find("merges.txt:1"), std::string::npos) << oneSymbol;

    const std::string blank = loadError("#version: 0.2\na b\n\nc d\n");
    EXPECT_NE(blank.find("merges.txt:3"), std::string::npos) << blank;

    const std::string unknownSymbol = loadError("#version: 0.2\na b\nc zz\n");
    EXPECT_NE(unknownSymbol.find("merges.txt:3"), std::string::npos) << unknownSymbol;
    EXPECT_NE(unknownSymbol.find("\"zz\""), std::string::npos) << unknownSymbol;

    const std::string unknownResult = loadError("a b\nb c\n");  // "bc" is not in the vocabulary
    EXPECT_NE(unknownResult.find("merges.txt:2"), std::string::npos) << unknownResult;
    EXPECT_NE(unknownResult.find("\"bc\""), std::string::npos) << unknownResult;

    const std::string twice = loadError("a b\nc d\na b\n");
    EXPECT_NE(twice.find("merges.txt:3"), std::string::npos) << twice;

    // A NUL in a symbol is escaped: raw, it would end the message there.
    const std::string nul = loadError(std::string("a b\nc\0d e\n", 10));
    EXPECT_NE(nul.find("merges.txt:2: \"c\\u0000d\" is not in the vocabulary"), std::string::npos) << nul;
    EXPECT_EQ(nul.find('\0'), std::string::npos);

    const std::string invalidUtf8 = loadError("a b\n\xC3(\n");
    EXPECT_NE(invalidUtf8.find("merges.txt is not valid UTF-8 at byte 4"), std::string::npos) << invalidUtf8;
}

TEST_F(Gpt2Tiny, MergesFileMayOmitTheVersionLineAndUseCrLf)
{
    TinyGpt2 model(MergeList{{"a", "b"}});
    model.merges = "a b\r\n";
    const auto tokenizer = load(model);
    EXPECT_EQ(tokenizer->encode("ab"), (Ids{256}));
}

// ------------------------------------------------------------ loadTokenizer

TEST(TokenizerLoader, PicksTheTokenizerFromTheFolderContents)
{
    const bd3::test::ScratchDir hfNames;
    TinyGpt2().write(hfNames.path());
    EXPECT_EQ(bd3::loadTokenizer(hfNames.path())->kind(), "gpt2");

    const bd3::test::ScratchDir openAiNames;
    TinyGpt2().write(openAiNames.path(), "encoder.json", "vocab.bpe");
    EXPECT_EQ(bd3::loadTokenizer(openAiNames.path())->kind(), "gpt2");

    const bd3::test::ScratchDir sentencePiece;
    fs::copy_file(fs::path(BD3_FIXTURES_DIR) / "tokenizer/tiny-sp.model", sentencePiece.path() / "tokenizer.model");
    TinyGpt2().write(sentencePiece.path());  // tokenizer.model takes precedence
    EXPECT_EQ(bd3::loadTokenizer(sentencePiece.path())->kind(), "sentencepiece");
}

TEST(TokenizerLoader, ListsWhatItLookedForWhenNothingIsThere)
{
    const bd3::test::ScratchDir empty;
    bd3::test::writeFile(empty.path() / "vocab.json", "{}");  // half a GPT-2 tokenizer is none
    const std::string message = errorMessage([&] { bd3::loadTokenizer(empty.path()); });
    EXPECT_NE(message.find(empty.path().string()), std::string::npos) << message;
    for (const char* name : {"tokenizer.model", "vocab.json", "merges.txt", "encoder.json", "vocab.bpe"})
        EXPECT_NE(message.find(name), std::string::npos) << message;
}

// ------------------------------------------------------------ SentencePiece

const fs::path kTinySentencePiece = fs::path(BD3_FIXTURES_DIR) / "tokenizer/tiny-sp.model";

TEST(SentencePiece, LoadsTheFixtureModel)
{
    const auto tokenizer = bd3::loadSentencePieceTokenizer(kTinySentencePiece);
    EXPECT_EQ(tokenizer->kind(), "sentencepiece");
    EXPECT_EQ(tokenizer->size(), 1000);
}

TEST(SentencePiece, RoundTripsArbitraryUtf8Exactly)
{
    const auto tokenizer = bd3::loadSentencePieceTokenizer(kTinySentencePiece);
    for (const std::string& text : kAwkwardTexts) {
        const Ids ids = tokenizer->encode(text);
        EXPECT_EQ(tokenizer->decode(ids), text) << text;
        std::string pieceByPiece;
        for (const int32_t id : ids) pieceByPiece += tokenizer->decode(std::span(&id, 1));
        EXPECT_EQ(pieceByPiece, text) << text;
    }
}

TEST(SentencePiece, SlicesDecodeToTheirExactBytes)
{
    const auto tokenizer = bd3::loadSentencePieceTokenizer(kTinySentencePiece);
    const std::string text = "\u6771\u4eac \U0001F600";  // no pieces for these: byte fallback
    const Ids ids = tokenizer->encode(text);
    ASSERT_GT(ids.size(), 2u);
    const std::span<const int32_t> all(ids);
    const std::string head = tokenizer->decode(all.first(1));
    const std::string rest = tokenizer->decode(all.subspan(1));
    EXPECT_EQ(head, "\xE6");  // the first byte of U+6771, not U+FFFD
    EXPECT_EQ(head + rest, text);
    EXPECT_EQ(bd3::completeUtf8Prefix(head), 0u);
}

TEST(SentencePiece, ControlIdsDecodeToNothing)
{
    const auto tokenizer = bd3::loadSentencePieceTokenizer(kTinySentencePiece);
    Ids ids = tokenizer->encode("hi");
    ids.insert(ids.begin(), 2);  // <s>
    ids.push_back(3);            // </s>
    EXPECT_EQ(tokenizer->decode(ids), "hi");
}

// SentencePiece writes spaces inside pieces as U+2581, so that character
// itself comes back as a space: the one text the model cannot round-trip.
TEST(SentencePiece, ItsSpaceMarkerCharacterDecodesAsASpace)
{
    const auto tokenizer = bd3::loadSentencePieceTokenizer(kTinySentencePiece);
    EXPECT_EQ(tokenizer->decode(tokenizer->encode("a\u2581b")), "a b");
}

TEST(SentencePiece, ErrorsNameTheProblem)
{
    const auto tokenizer = bd3::loadSentencePieceTokenizer(kTinySentencePiece);
    EXPECT_EQ(errorMessage([&] { tokenizer->encode("abc\xC0\xAF"); }), "text is not valid UTF-8 at byte 3");
    const Ids unknown{5, 1000};
    EXPECT_NE(errorMessage([&] { tokenizer->decode(unknown); }).find("1000"), std::string::npos);

    const bd3::test::ScratchDir dir;
    const std::string missing = errorMessage([&] { bd3::loadSentencePieceTokenizer(dir.path() / "none.model"); });
    EXPECT_NE(missing.find("none.model"), std::string::npos) << missing;

    bd3::test::writeFile(dir.path() / "corrupt.model", "this is not a protobuf \xFF\xFF\xFF\xFF");
    const std::string corrupt =
        errorMessage([&] { bd3::loadSentencePieceTokenizer(dir.path() / "corrupt.model"); });
    EXPECT_NE(corrupt.find("corrupt.model"), std::string::npos) << corrupt;

    bd3::test::writeFile(dir.path() / "empty.model", "");
    const std::string empty = errorMessage([&] { bd3::loadSentencePieceTokenizer(dir.path() / "empty.model"); });
    EXPECT_NE(empty.find("empty.model"), std::string::npos) << empty;
}

// ------------------------------------------- GPT-2 with the published files

// The folder of encoder.json + vocab.bpe, or empty when BD3_GPT2_DIR is unset.
fs::path gpt2Dir()
{
    const char* dir = std::getenv("BD3_GPT2_DIR");
    if (dir == nullptr || !fs::exists(fs::path(dir) / "encoder.json") || !fs::exists(fs::path(dir) / "vocab.bpe"))
        return {};
    return dir;
}

class Gpt2Published : public ::testing::Test {
protected:
    void SetUp() override
    {
        const fs::path dir = gpt2Dir();
        if (dir.empty()) GTEST_SKIP() << "BD3_GPT2_DIR does not name a folder with encoder.json and vocab.bpe";
        m_tokenizer = bd3::loadTokenizer(dir);
    }

    std::unique_ptr<bd3::Tokenizer> m_tokenizer;
};

TEST_F(Gpt2Published, KnownEncodings)
{
    EXPECT_EQ(m_tokenizer->kind(), "gpt2");
    EXPECT_EQ(m_tokenizer->size(), 50257);
    EXPECT_EQ(m_tokenizer->encode("Hello world"), (Ids{15496, 995}));
    EXPECT_EQ(m_tokenizer->encode(" the"), (Ids{262}));
    const Ids endOfText{50256};
    EXPECT_EQ(m_tokenizer->decode(endOfText), "<|endoftext|>");
}

TEST_F(Gpt2Published, RoundTripsAMegabyteOfMixedText)
{
    std::string text;
    while (text.size() < (1u << 20))
        for (const std::string& piece : kAwkwardTexts) text += piece + " The quick brown fox, 12345! ";
    const Ids ids = m_tokenizer->encode(text);
    EXPECT_EQ(m_tokenizer->decode(ids), text);
}

// Id-for-id agreement with gpt-3-encoder: BD3_GPT2_EXPECTED names the JSON
// that tests/tokenizer/gpt2_expected.mjs writes.
class Gpt2Agreement : public Gpt2Published {};

TEST_F(Gpt2Agreement, SameIdsAsGpt3Encoder)
{
    const char* expectedFile = std::getenv("BD3_GPT2_EXPECTED");
    if (expectedFile == nullptr || !fs::exists(expectedFile))
        GTEST_SKIP() << "BD3_GPT2_EXPECTED does not name the output of tests/tokenizer/gpt2_expected.mjs";
    const auto expected = nlohmann::json::parse(bd3::test::readFile(expectedFile));
    ASSERT_TRUE(expected.is_array() && !expected.empty());
    for (const auto& entry : expected) {
        const auto text = entry.at("text").get<std::string>();
        const auto want = entry.at("ids").get<Ids>();
        const Ids got = m_tokenizer->encode(text);
        size_t firstDifference = 0;
        while (firstDifference < std::min(got.size(), want.size()) && got[firstDifference] == want[firstDifference])
            ++firstDifference;
        EXPECT_EQ(got, want) << "text: " << nlohmann::json(text).dump() << "\nfirst difference at index "
                             << firstDifference;
        EXPECT_EQ(m_tokenizer->decode(got), text) << "text: " << nlohmann::json(text).dump();
    }
}

} // namespace
