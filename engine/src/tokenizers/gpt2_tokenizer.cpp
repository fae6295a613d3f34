#include "tokenizers/gpt2_tokenizer.hpp"

#include "bd3/error.hpp"
#include "tokenizers/gpt2_pretokenizer.hpp"
#include "json_document.hpp"
#include "tokenizers/byte_level.hpp"
#include "tokenizers/tokenizer_file.hpp"
#include "bd3/utf8.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <optional>

namespace bd3 {

namespace {

namespace fs = std::filesystem;

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

} // namespace

Gpt2Tokenizer::Gpt2Tokenizer(const fs::path& vocabJson, const fs::path& mergesTxt)
{
    readVocabulary(vocabJson);
    readMerges(mergesTxt);
}

void Gpt2Tokenizer::readVocabulary(const fs::path& vocabJson)
{
    const std::string file = vocabJson.string();
    const nlohmann::json vocabulary = parseJsonDocument(readTokenizerFile(vocabJson), file, kMaxTokenizerFileBytes);
    if (!vocabulary.is_object() || vocabulary.empty())
        throw Error(file + ": expected a JSON object mapping token strings to ids");

    // Ids must be 0..n-1 so that size() is the id range and decode can index.
    const auto count = static_cast<int64_t>(vocabulary.size());
    m_tokenBytes.assign(static_cast<size_t>(count), {});
    std::vector<bool> taken(static_cast<size_t>(count), false);
    for (const auto& entry : vocabulary.items()) {
        const std::string& token = entry.key();
        const std::string where = file + ": token " + quoteText(token);
        if (!entry.value().is_number_integer()) throw Error(where + " has an id that is not an integer");
        const auto id = entry.value().get<int64_t>();
        if (id < 0 || id >= count)
            throw Error(where + " has id " + std::to_string(id) + ", outside 0.." +
                        std::to_string(count - 1) + " (the ids must be 0 to entries - 1)");
        if (taken[static_cast<size_t>(id)])
            throw Error(where + " has id " + std::to_string(id) + ", which another token has too");
        auto bytes = byteLevelBytes(token);
        if (!bytes)
            throw Error(where + " has a character that stands for no byte in GPT-2's byte alphabet");
        taken[static_cast<size_t>(id)] = true;
        m_tokenBytes[static_cast<size_t>(id)] = std::move(*bytes);
        m_idOfToken.emplace(token, static_cast<int32_t>(id));
    }

    m_encoder.setByteTokens([&](const std::string& spelling) { return tokenId(spelling); }, file);
}

void Gpt2Tokenizer::readMerges(const fs::path& mergesTxt)
{
    const std::string file = mergesTxt.string();
    const std::string text = readTokenizerFile(mergesTxt);
    requireValidUtf8(text, file);

    auto idOf = [&](const std::string& token, const std::string& where) {
        const auto found = m_idOfToken.find(token);
        if (found == m_idOfToken.end())
            throw Error(where + ": " + quoteText(token) + " is not in the vocabulary");
        return found->second;
    };

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
        if (!m_encoder.addMerge(leftId, rightId, mergedId))
            throw Error(where + ": the merge " + quoteText(left + " " + right) + " is listed twice");
    }
}

std::vector<int32_t> Gpt2Tokenizer::encode(std::string_view utf8) const
{
    requireValidUtf8(utf8, "text");
    std::vector<int32_t> ids;
    for (const std::string_view word : splitGpt2Words(utf8)) m_encoder.encodeWord(word, ids);
    return ids;
}

std::optional<int32_t> Gpt2Tokenizer::tokenId(std::string_view spelling) const
{
    const auto found = m_idOfToken.find(std::string(spelling));
    if (found == m_idOfToken.end()) return std::nullopt;
    return found->second;
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
