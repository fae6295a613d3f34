#include "gpt2_tokenizer.hpp"

#include "bd3/error.hpp"
#include "gpt2_pretokenizer.hpp"
#include "json_document.hpp"
#include "bd3/utf8.hpp"

#include <nlohmann/json.hpp>
#include <unicode/utf8.h>

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <optional>
#include <queue>

namespace bd3 {

namespace {

namespace fs = std::filesystem;

// GPT-2 writes each byte as a printable character so that tokens are
// readable strings: the printable Latin-1 bytes stand for themselves and the
// other 68 bytes take U+0100 onwards, in byte order (bytes_to_unicode() in
// OpenAI's encoder.py).
constexpr std::array<UChar32, 256> makeByteCharacters()
{
    std::array<UChar32, 256> characters{};
    UChar32 next = 0x100;
    for (UChar32 byte = 0; byte < 256; ++byte) {
        const bool printable = (byte >= '!' && byte <= '~') || (byte >= 0xA1 && byte <= 0xAC) ||
                               (byte >= 0xAE && byte <= 0xFF);
        characters[byte] = printable ? byte : next++;
    }
    return characters;
}

constexpr std::array<UChar32, 256> kByteCharacters = makeByteCharacters();
constexpr UChar32 kByteCharacterEnd = 0x100 + 68;

// The inverse of kByteCharacters: -1 for characters that stand for no byte.
constexpr std::array<int, kByteCharacterEnd> makeCharacterBytes()
{
    std::array<int, kByteCharacterEnd> bytes{};
    bytes.fill(-1);
    for (int byte = 0; byte < 256; ++byte) bytes[kByteCharacters[byte]] = byte;
    return bytes;
}

constexpr std::array<int, kByteCharacterEnd> kCharacterBytes = makeCharacterBytes();

std::string readFile(const fs::path& path)
{
    std::error_code error;
    if (!fs::exists(path, error)) throw Error(path.string() + ": no such file");
    if (!fs::is_regular_file(path, error)) throw Error(path.string() + ": not a regular file");
    const auto size = fs::file_size(path, error);
    if (error) throw Error(path.string() + ": cannot read the file: " + error.message());
    std::ifstream in(path, std::ios::binary);
    std::string contents(size, '\0');
    if (!in || !in.read(contents.data(), static_cast<std::streamsize>(contents.size())))
        throw Error(path.string() + ": cannot read the file");
    return contents;
}

// The bytes a token string stands for; nothing when a character is not one
// of the 256 byte characters. The string is valid UTF-8 (the JSON parser
// checks that).
std::optional<std::string> tokenBytes(std::string_view token)
{
    std::string bytes;
    size_t offset = 0;
    while (offset < token.size()) {
        UChar32 c;
        U8_NEXT_UNSAFE(token.data(), offset, c);
        if (c >= kByteCharacterEnd || kCharacterBytes[c] < 0) return std::nullopt;
        bytes.push_back(static_cast<char>(kCharacterBytes[c]));
    }
    return bytes;
}

std::string utf8Of(UChar32 c)
{
    char buffer[U8_MAX_LENGTH];
    size_t length = 0;
    U8_APPEND_UNSAFE(buffer, length, c);
    return std::string(buffer, length);
}

// Symbols on a merges line are separated by spaces (tabs tolerated); a symbol
// itself never holds one, since GPT-2 writes the space byte as "Ġ".
std::vector<std::string_view> splitSymbols(std::string_view line)
{
    std::vector<std::string_view> symbols;
    size_t start = 0;
    while (true) {
        start = line.find_first_not_of(" \t", start);
        if (start == std::string_view::npos) break;
        const size_t end = std::min(line.find_first_of(" \t", start), line.size());
        symbols.push_back(line.substr(start, end - start));
        start = end;
    }
    return symbols;
}

uint64_t pairKey(int32_t left, int32_t right)
{
    return (static_cast<uint64_t>(static_cast<uint32_t>(left)) << 32) | static_cast<uint32_t>(right);
}

} // namespace

Gpt2Tokenizer::Gpt2Tokenizer(const fs::path& vocabJson, const fs::path& mergesTxt)
{
    std::unordered_map<std::string, int32_t> idOfToken;
    readVocabulary(vocabJson, idOfToken);
    readMerges(mergesTxt, idOfToken);
}

void Gpt2Tokenizer::readVocabulary(const fs::path& vocabJson,
                                   std::unordered_map<std::string, int32_t>& idOfToken)
{
    const std::string file = vocabJson.string();
    const nlohmann::json vocabulary = parseJsonDocument(readFile(vocabJson), file);
    if (!vocabulary.is_object() || vocabulary.empty())
        throw Error(file + ": expected a JSON object mapping token strings to ids");

    // Ids must be 0..n-1 so that size() is the id range and decode can index.
    const auto count = static_cast<int64_t>(vocabulary.size());
    m_tokenBytes.assign(static_cast<size_t>(count), {});
    std::vector<bool> taken(static_cast<size_t>(count), false);
    for (const auto& entry : vocabulary.items()) {
        const std::string& token = entry.key();
        const std::string where = file + ": token \"" + token + "\"";
        if (!entry.value().is_number_integer()) throw Error(where + " has an id that is not an integer");
        const auto id = entry.value().get<int64_t>();
        if (id < 0 || id >= count)
            throw Error(where + " has id " + std::to_string(id) + ", outside 0.." +
                        std::to_string(count - 1) + " (the ids must be 0 to entries - 1)");
        if (taken[static_cast<size_t>(id)])
            throw Error(where + " has id " + std::to_string(id) + ", which another token has too");
        auto bytes = tokenBytes(token);
        if (!bytes)
            throw Error(where + " has a character that stands for no byte in GPT-2's byte alphabet");
        taken[static_cast<size_t>(id)] = true;
        m_tokenBytes[static_cast<size_t>(id)] = std::move(*bytes);
        idOfToken.emplace(token, static_cast<int32_t>(id));
    }

    // Every byte needs a token of its own, or some texts could not be encoded.
    for (int byte = 0; byte < 256; ++byte) {
        const std::string token = utf8Of(kByteCharacters[byte]);
        const auto found = idOfToken.find(token);
        if (found == idOfToken.end()) {
            char hex[8];
            std::snprintf(hex, sizeof hex, "0x%02X", byte);
            throw Error(file + ": no token \"" + token + "\" for byte " + hex +
                        "; a byte-level vocabulary needs one for each of the 256 bytes");
        }
        m_byteTokens[byte] = found->second;
    }
}

void Gpt2Tokenizer::readMerges(const fs::path& mergesTxt,
                               const std::unordered_map<std::string, int32_t>& idOfToken)
{
    const std::string file = mergesTxt.string();
    const std::string text = readFile(mergesTxt);
    requireValidUtf8(text, file);

    auto idOf = [&](const std::string& token, const std::string& where) {
        const auto found = idOfToken.find(token);
        if (found == idOfToken.end())
            throw Error(where + ": \"" + token + "\" is not in the vocabulary");
        return found->second;
    };

    int32_t rank = 0;
    size_t lineNumber = 0;
    for (size_t lineStart = 0; lineStart < text.size();) {
        const size_t lineEnd = std::min(text.find('\n', lineStart), text.size());
        std::string_view line(text.data() + lineStart, lineEnd - lineStart);
        lineStart = lineEnd + 1;
        ++lineNumber;
        if (line.ends_with('\r')) line.remove_suffix(1);
        if (lineNumber == 1 && line.starts_with("#version")) continue;

        const std::string where = file + ":" + std::to_string(lineNumber);
        const auto symbols = splitSymbols(line);
        if (symbols.size() != 2)
            throw Error(where + ": expected two symbols separated by a space, found " +
                        std::to_string(symbols.size()));
        const std::string left(symbols[0]);
        const std::string right(symbols[1]);
        const int32_t leftId = idOf(left, where);
        const int32_t rightId = idOf(right, where);
        const int32_t mergedId = idOf(left + right, where);
        if (!m_merges.emplace(pairKey(leftId, rightId), Merge{rank, mergedId}).second)
            throw Error(where + ": the merge \"" + left + " " + right + "\" is listed twice");
        ++rank;
    }
}

const Gpt2Tokenizer::Merge* Gpt2Tokenizer::findMerge(int32_t left, int32_t right) const
{
    const auto found = m_merges.find(pairKey(left, right));
    return found == m_merges.end() ? nullptr : &found->second;
}

void Gpt2Tokenizer::encodeWord(std::string_view word, std::vector<int32_t>& ids) const
{
    // The word's symbols as a linked list over its bytes: a merge joins a
    // symbol with its right neighbour, which drops out (id -1).
    struct Symbol {
        int32_t id;
        int32_t prev;
        int32_t next;
    };
    // A pair that could be merged; stale once either symbol has changed.
    struct Candidate {
        int32_t rank;
        int32_t left;  // index of the left symbol
        int32_t leftId;
        int32_t rightId;
        int32_t mergedId;
    };

    const auto length = static_cast<int32_t>(word.size());
    std::vector<Symbol> symbols(word.size());
    for (int32_t i = 0; i < length; ++i)
        symbols[i] = {m_byteTokens[static_cast<unsigned char>(word[i])], i - 1, i + 1 < length ? i + 1 : -1};

    // Best rank first; among equal ranks (one pair, several places) leftmost first.
    auto after = [](const Candidate& a, const Candidate& b) {
        return a.rank != b.rank ? a.rank > b.rank : a.left > b.left;
    };
    std::priority_queue<Candidate, std::vector<Candidate>, decltype(after)> queue(after);
    auto consider = [&](int32_t left) {
        const int32_t right = symbols[left].next;
        if (right < 0) return;
        const int32_t leftId = symbols[left].id;
        const int32_t rightId = symbols[right].id;
        if (const Merge* merge = findMerge(leftId, rightId))
            queue.push({merge->rank, left, leftId, rightId, merge->merged});
    };
    for (int32_t i = 0; i + 1 < length; ++i) consider(i);

    // As in the reference: take the best-ranked pair present and merge every
    // place it occurs, left to right, before choosing the next pair. Pairs that
    // these merges create wait for the next round even when ranked better,
    // which matters only for merge lists where a token is used before the
    // merge that makes it. The heap makes long words n log n rather than n^2.
    std::vector<Candidate> round;
    while (!queue.empty()) {
        const int32_t rank = queue.top().rank;
        round.clear();
        while (!queue.empty() && queue.top().rank == rank) {
            round.push_back(queue.top());
            queue.pop();
        }
        for (const Candidate& candidate : round) {
            Symbol& left = symbols[candidate.left];
            if (left.id != candidate.leftId || left.next < 0 || symbols[left.next].id != candidate.rightId)
                continue;
            Symbol& right = symbols[left.next];
            left.id = candidate.mergedId;
            left.next = right.next;
            if (right.next >= 0) symbols[right.next].prev = candidate.left;
            right.id = -1;
            if (left.prev >= 0) consider(left.prev);
            consider(candidate.left);
        }
    }

    for (int32_t i = 0; i >= 0; i = symbols[i].next) ids.push_back(symbols[i].id);
}

std::vector<int32_t> Gpt2Tokenizer::encode(std::string_view utf8) const
{
    requireValidUtf8(utf8, "text");
    std::vector<int32_t> ids;
    for (const std::string_view word : splitGpt2Words(utf8)) encodeWord(word, ids);
    return ids;
}

std::string Gpt2Tokenizer::decode(std::span<const int32_t> ids) const
{
    std::string bytes;
    for (const int32_t id : ids) {
        if (id < 0 || id >= size())
            throw Error("token id " + std::to_string(id) + " is not in the GPT-2 vocabulary (ids 0.." +
                        std::to_string(size() - 1) + ")");
        bytes += m_tokenBytes[static_cast<size_t>(id)];
    }
    return bytes;
}

} // namespace bd3
