#include "tokenizers/hf_tokenizer.hpp"

#include "bd3/error.hpp"
#include "bd3/utf8.hpp"
#include "tokenizers/gpt2_pretokenizer.hpp"
#include "json_document.hpp"
#include "tokenizers/byte_level.hpp"
#include "tokenizers/tokenizer_file.hpp"

#include <nlohmann/json.hpp>
#include <unicode/bytestream.h>
#include <unicode/normalizer2.h>
#include <unicode/stringpiece.h>

#include <algorithm>
#include <deque>

namespace bd3 {

namespace {

namespace fs = std::filesystem;
using nlohmann::json;

// Reading the file: every complaint names the file first.
class Reader {
public:
    explicit Reader(std::string file) : m_file(std::move(file)) {}

    [[noreturn]] void fail(const std::string& what) const { throw Error(m_file + ": " + what); }

    const json& member(const json& object, const char* key, const std::string& where) const
    {
        const auto found = object.find(key);
        if (found == object.end()) fail(where + " has no \"" + key + "\"");
        return *found;
    }

    // A boolean member; absent or null gives the default.
    bool flag(const json& object, const char* key, bool byDefault, const std::string& where) const
    {
        const auto found = object.find(key);
        if (found == object.end() || found->is_null()) return byDefault;
        if (!found->is_boolean()) fail(where + ": \"" + key + "\" is not true or false");
        return found->get<bool>();
    }

    std::string type(const json& step, const std::string& where) const
    {
        if (!step.is_object()) fail(where + " is not an object");
        const json& type = member(step, "type", where);
        if (!type.is_string()) fail(where + ": \"type\" is not a string");
        return type.get<std::string>();
    }

    // The steps of a Sequence ("normalizers", "pretokenizers", ...), or the
    // step alone.
    std::vector<const json*> steps(const json& step, const char* listKey, const std::string& where) const
    {
        if (type(step, where) != "Sequence") return {&step};
        const json& list = member(step, listKey, where + " (Sequence)");
        if (!list.is_array()) fail(where + ": \"" + listKey + "\" is not an array");
        std::vector<const json*> steps;
        for (const json& inner : list) {
            if (type(inner, where) == "Sequence") {
                for (const json* nested : this->steps(inner, listKey, where)) steps.push_back(nested);
            } else {
                steps.push_back(&inner);
            }
        }
        return steps;
    }

    // where() names the entry; it is called only to complain.
    template <typename Where>
    int32_t id(const json& value, const Where& where) const
    {
        if (!value.is_number_integer()) fail(where() + " has an id that is not an integer");
        const auto id = value.get<int64_t>();
        if (id < 0 || id > (int64_t{1} << 30)) fail(where() + " has id " + std::to_string(id) + ", outside 0..2^30");
        return static_cast<int32_t>(id);
    }

    const std::string& file() const { return m_file; }

private:
    std::string m_file;
};

std::string jsonQuoted(std::string_view text) { return json(std::string(text)).dump(); }

} // namespace

HfTokenizer::HfTokenizer(const fs::path& tokenizerJson)
{
    const Reader reader(tokenizerJson.string());
    const json document = parseJsonDocument(readTokenizerFile(tokenizerJson), reader.file(), kMaxTokenizerFileBytes);
    if (!document.is_object()) reader.fail("expected a JSON object (a Hugging Face tokenizer.json)");

    // ---- the model: BPE over the 256 bytes
    const json& model = reader.member(document, "model", "the file");
    const std::string modelType = reader.type(model, "the model");
    if (modelType != "BPE")
        reader.fail("the model is of type " + jsonQuoted(modelType) + "; only byte-level BPE is read");
    if (reader.flag(model, "byte_fallback", false, "the model"))
        reader.fail("the BPE model has byte_fallback on; only byte-level BPE is read");
    for (const char* affix : {"continuing_subword_prefix", "end_of_word_suffix"}) {
        const auto found = model.find(affix);
        if (found != model.end() && !found->is_null() && (!found->is_string() || !found->get<std::string>().empty()))
            reader.fail(std::string("the BPE model has a ") + affix + "; byte-level BPE has none");
    }
    if (const auto dropout = model.find("dropout");
        dropout != model.end() && !dropout->is_null() && !(dropout->is_number() && dropout->get<double>() == 0.0))
        reader.fail("the BPE model has dropout " + dropout->dump() + ", which would make encoding random");
    m_ignoreMerges = reader.flag(model, "ignore_merges", false, "the model");

    const json& vocabulary = reader.member(model, "vocab", "the model");
    if (!vocabulary.is_object() || vocabulary.empty())
        reader.fail("the model's \"vocab\" is not an object mapping token strings to ids");
    const json addedTokens = document.contains("added_tokens") && !document["added_tokens"].is_null()
                                 ? document["added_tokens"]
                                 : json::array();
    if (!addedTokens.is_array()) reader.fail("\"added_tokens\" is not an array");

    // Ids index a table, so they may not run past the number of entries the
    // file has (a hole is allowed, and decoding it is an error).
    const size_t entries = vocabulary.size() + addedTokens.size();
    auto place = [&](int32_t id, const auto& where) {
        if (static_cast<size_t>(id) >= entries)
            reader.fail(where() + " has id " + std::to_string(id) + ", beyond the " + std::to_string(entries) +
                        " entries of the vocabulary and the added tokens");
        if (m_tokenBytes.size() <= static_cast<size_t>(id)) {
            m_tokenBytes.resize(static_cast<size_t>(id) + 1);
            m_assigned.resize(static_cast<size_t>(id) + 1, false);
        }
    };

    m_idOfSpelling.reserve(vocabulary.size());
    for (const auto& entry : vocabulary.items()) {
        const std::string& spelling = entry.key();
        const auto where = [&] { return "vocabulary entry " + jsonQuoted(spelling); };
        const int32_t id = reader.id(entry.value(), where);
        place(id, where);
        if (m_assigned[static_cast<size_t>(id)])
            reader.fail(where() + " has id " + std::to_string(id) + ", which another entry has too");
        // An entry outside the byte alphabet stands for its own text, as the
        // ByteLevel decoder has it; BPE never makes one.
        std::optional<std::string> bytes = byteLevelBytes(spelling);
        m_tokenBytes[static_cast<size_t>(id)] = bytes ? std::move(*bytes) : spelling;
        m_assigned[static_cast<size_t>(id)] = true;
        m_idOfSpelling.emplace(spelling, id);
    }
    m_encoder.setByteTokens([&](const std::string& spelling) { return tokenId(spelling); }, reader.file());

    // ---- merges: "a b" strings, or ["a", "b"] pairs (tokenizers 0.20 on)
    const json& merges = reader.member(model, "merges", "the model");
    if (!merges.is_array()) reader.fail("the model's \"merges\" is not an array");
    std::string joined;  // left + right, reused
    for (size_t i = 0; i < merges.size(); ++i) {
        const json& merge = merges[i];
        const auto where = [&] { return "merge " + std::to_string(i + 1) + " " + quoteJson(merge); };
        std::string_view left;
        std::string_view right;
        if (merge.is_string()) {
            const std::string_view text = merge.get_ref<const std::string&>();
            const size_t space = text.find(' ');
            if (space == std::string_view::npos || space == 0 || space + 1 == text.size() ||
                text.find(' ', space + 1) != std::string_view::npos)
                reader.fail(where() + ": expected two pieces separated by one space");
            left = text.substr(0, space);
            right = text.substr(space + 1);
        } else if (merge.is_array() && merge.size() == 2 && merge[0].is_string() && merge[1].is_string()) {
            left = merge[0].get_ref<const std::string&>();
            right = merge[1].get_ref<const std::string&>();
        } else {
            reader.fail(where() + ": expected \"a b\" or [\"a\", \"b\"]");
        }
        joined.assign(left).append(right);
        int32_t ids[3];
        const std::string_view pieces[3] = {left, right, joined};
        for (int k = 0; k < 3; ++k) {
            const auto found = m_idOfSpelling.find(pieces[k]);
            if (found == m_idOfSpelling.end())
                reader.fail(where() + ": " + jsonQuoted(pieces[k]) + " is not in the vocabulary");
            ids[k] = found->second;
        }
        if (!m_encoder.addMerge(ids[0], ids[1], ids[2])) reader.fail(where() + " is listed twice");
    }

    // ---- the normalizer
    if (const auto found = document.find("normalizer"); found != document.end() && !found->is_null()) {
        for (const json* step : reader.steps(*found, "normalizers", "the normalizer")) {
            const std::string type = reader.type(*step, "the normalizer");
            UErrorCode status = U_ZERO_ERROR;
            const icu::Normalizer2* normalizer = nullptr;
            if (type == "NFC") normalizer = icu::Normalizer2::getNFCInstance(status);
            else if (type == "NFD") normalizer = icu::Normalizer2::getNFDInstance(status);
            else if (type == "NFKC") normalizer = icu::Normalizer2::getNFKCInstance(status);
            else if (type == "NFKD") normalizer = icu::Normalizer2::getNFKDInstance(status);
            else
                reader.fail("the normalizer " + jsonQuoted(type) +
                            " is not supported (NFC, NFD, NFKC, NFKD and Sequence are)");
            if (U_FAILURE(status) || normalizer == nullptr)
                reader.fail("ICU cannot give the " + type + " normalizer: " + u_errorName(status));
            m_normalizers.push_back(normalizer);
        }
    }

    // ---- the pre-tokenizer
    const json& preTokenizer = reader.member(document, "pre_tokenizer", "the file");
    if (preTokenizer.is_null()) reader.fail("there is no pre_tokenizer; byte-level BPE needs ByteLevel");
    const std::vector<const json*> steps = reader.steps(preTokenizer, "pretokenizers", "the pre_tokenizer");
    for (size_t i = 0; i < steps.size(); ++i) {
        const json& step = *steps[i];
        const std::string type = reader.type(step, "the pre_tokenizer");
        const bool last = i + 1 == steps.size();
        PreTokenizerStep parsed;
        if (type == "Split") {
            const std::string where = "the pre_tokenizer's Split";
            const json& pattern = reader.member(step, "pattern", where);
            const auto regex = pattern.is_object() ? pattern.find("Regex") : pattern.end();
            if (!pattern.is_object() || regex == pattern.end() || !regex->is_string())
                reader.fail(where + " has a pattern " + quoteJson(pattern) + "; only {\"Regex\": ...} is supported");
            const json& behavior = reader.member(step, "behavior", where);
            if (!behavior.is_string() || behavior.get<std::string>() != "Isolated")
                reader.fail(where + " has behavior " + quoteJson(behavior) + "; only \"Isolated\" is supported");
            if (reader.flag(step, "invert", false, where))
                reader.fail(where + " has invert true; only false is supported");
            try {
                parsed.split.emplace(regex->get<std::string>(), WhiteSpace::Unicode);
            } catch (const Error& error) {
                reader.fail(where + ": " + error.what());
            }
        } else if (type == "ByteLevel") {
            if (!last) reader.fail("the pre_tokenizer has steps after ByteLevel; ByteLevel must be the last");
            parsed.addPrefixSpace = reader.flag(step, "add_prefix_space", true, "the pre_tokenizer's ByteLevel");
            parsed.useRegex = reader.flag(step, "use_regex", true, "the pre_tokenizer's ByteLevel");
            if (parsed.useRegex) m_byteLevelPattern.emplace(kGpt2WordPattern, WhiteSpace::Unicode);
        } else {
            reader.fail("the pre-tokenizer " + jsonQuoted(type) +
                        " is not supported (Split, ByteLevel and Sequence are)");
        }
        m_preTokenizer.push_back(std::move(parsed));
    }
    if (m_preTokenizer.empty() || m_preTokenizer.back().split)
        reader.fail("the pre_tokenizer does not end with ByteLevel, which byte-level BPE needs");

    // ---- the decoder
    const json& decoder = reader.member(document, "decoder", "the file");
    if (decoder.is_null()) reader.fail("there is no decoder; byte-level BPE needs ByteLevel");
    for (const json* step : reader.steps(decoder, "decoders", "the decoder")) {
        const std::string type = reader.type(*step, "the decoder");
        if (type != "ByteLevel") reader.fail("the decoder " + jsonQuoted(type) + " is not supported (ByteLevel is)");
    }

    // ---- added tokens
    std::vector<AddedToken> all;
    for (size_t i = 0; i < addedTokens.size(); ++i) {
        const json& entry = addedTokens[i];
        std::string where = "added token " + std::to_string(i + 1);
        if (!entry.is_object()) reader.fail(where + " is not an object");
        const json& content = reader.member(entry, "content", where);
        if (!content.is_string() || content.get_ref<const std::string&>().empty())
            reader.fail(where + " has a \"content\" that is not a string of at least one character");
        AddedToken token;
        token.content = content.get<std::string>();
        where = "added token " + jsonQuoted(token.content);
        const auto named = [&] { return where; };
        token.id = reader.id(reader.member(entry, "id", where), named);
        token.special = reader.flag(entry, "special", false, where);
        token.singleWord = reader.flag(entry, "single_word", false, where);
        token.lstrip = reader.flag(entry, "lstrip", false, where);
        token.rstrip = reader.flag(entry, "rstrip", false, where);
        token.normalized = reader.flag(entry, "normalized", !token.special, where);

        const auto known = m_idOfAdded.find(token.content);
        if (known != m_idOfAdded.end()) {
            if (known->second != token.id)
                reader.fail(where + " is listed with ids " + std::to_string(known->second) + " and " +
                            std::to_string(token.id));
            continue;
        }
        place(token.id, named);
        const auto size = static_cast<size_t>(token.id);
        if (m_assigned[size]) {
            // The one id a token may share: its own entry in the vocabulary.
            const auto spelling = m_idOfSpelling.find(token.content);
            const bool same = spelling != m_idOfSpelling.end() && spelling->second == token.id;
            if (!same) {
                std::string owner;
                for (const auto& [other, id] : m_idOfAdded)
                    if (id == token.id) owner = "added token " + jsonQuoted(other);
                if (owner.empty())
                    for (const auto& [other, id] : m_idOfSpelling)
                        if (id == token.id) owner = "vocabulary entry " + jsonQuoted(other);
                reader.fail(where + " has id " + std::to_string(token.id) + ", which " + owner + " has too");
            }
        } else if (const auto spelling = m_idOfSpelling.find(token.content); spelling != m_idOfSpelling.end()) {
            reader.fail(where + " has id " + std::to_string(token.id) + " but the vocabulary gives it id " +
                        std::to_string(spelling->second));
        }
        m_tokenBytes[size] = token.content;
        m_assigned[size] = true;
        m_idOfAdded.emplace(token.content, token.id);
        if (token.normalized) {
            std::string storage;
            token.content = std::string(normalize(token.content, storage));
        }
        all.push_back(std::move(token));
    }
    auto set = [&](bool normalized, bool withSpecial) {
        std::vector<AddedToken> chosen;
        for (const AddedToken& token : all)
            if (token.normalized == normalized && (withSpecial || !token.special)) chosen.push_back(token);
        return AddedTokenSet(std::move(chosen));
    };
    m_rawTokens = set(false, true);
    m_rawPlainTokens = set(false, false);
    m_normalizedTokens = set(true, true);
    m_normalizedPlainTokens = set(true, false);
}

std::string_view HfTokenizer::normalize(std::string_view text, std::string& storage) const
{
    std::string_view current = text;
    for (const icu::Normalizer2* normalizer : m_normalizers) {
        UErrorCode status = U_ZERO_ERROR;
        const icu::StringPiece piece(current.data(), static_cast<int32_t>(current.size()));
        if (normalizer->isNormalizedUTF8(piece, status) && U_SUCCESS(status)) continue;
        status = U_ZERO_ERROR;
        std::string normalized;
        icu::StringByteSink<std::string> sink(&normalized, static_cast<int32_t>(current.size()));
        normalizer->normalizeUTF8(0, piece, sink, nullptr, status);
        if (U_FAILURE(status)) throw Error(std::string("ICU could not normalize the text: ") + u_errorName(status));
        storage = std::move(normalized);
        current = storage;
    }
    return current;
}

std::vector<int32_t> HfTokenizer::encodeText(std::string_view text, bool specialTokens) const
{
    requireValidUtf8(text, "text");
    const AddedTokenSet& raw = specialTokens ? m_rawTokens : m_rawPlainTokens;
    const AddedTokenSet& normalized = specialTokens ? m_normalizedTokens : m_normalizedPlainTokens;
    std::vector<int32_t> ids;
    std::vector<AddedTokenSet::Segment> segments;
    std::vector<AddedTokenSet::Segment> inner;
    raw.split(text, segments);
    for (const AddedTokenSet::Segment& segment : segments) {
        if (segment.id >= 0) {
            ids.push_back(segment.id);
            continue;
        }
        std::string_view piece = text.substr(segment.begin, segment.end - segment.begin);
        std::string normalizedPiece;
        piece = normalize(piece, normalizedPiece);
        inner.clear();
        normalized.split(piece, inner);
        for (const AddedTokenSet::Segment& part : inner) {
            if (part.id >= 0) ids.push_back(part.id);
            else encodePiece(piece.substr(part.begin, part.end - part.begin), ids);
        }
    }
    return ids;
}

void HfTokenizer::encodePiece(std::string_view piece, std::vector<int32_t>& ids) const
{
    if (piece.empty()) return;
    std::vector<std::string_view> pieces{piece};
    std::vector<std::string_view> next;
    std::deque<std::string> prefixed;  // pieces that ByteLevel gave a leading space
    for (const PreTokenizerStep& step : m_preTokenizer) {
        next.clear();
        for (std::string_view part : pieces) {
            if (step.split) {
                step.split->split(part, next);
                continue;
            }
            if (step.addPrefixSpace && !part.starts_with(' ')) {
                std::string& withSpace = prefixed.emplace_back(1, ' ');
                withSpace.append(part);
                part = withSpace;
            }
            if (step.useRegex) m_byteLevelPattern->split(part, next);
            else next.push_back(part);
        }
        pieces.swap(next);
    }
    for (const std::string_view word : pieces) {
        if (m_ignoreMerges) {
            const auto found = m_idOfSpelling.find(byteLevelSpelling(word));
            if (found != m_idOfSpelling.end()) {
                ids.push_back(found->second);
                continue;
            }
        }
        m_encoder.encodeWord(word, ids);
    }
}

std::string HfTokenizer::decode(std::span<const int32_t> ids) const
{
    std::string bytes;
    for (const int32_t id : ids) {
        if (id < 0 || id >= size() || !m_assigned[static_cast<size_t>(id)])
            throw Error("token id " + std::to_string(id) + " is not in the tokenizer's vocabulary (ids 0.." +
                        std::to_string(size() - 1) + (id >= 0 && id < size() ? ", this one unassigned)" : ")"));
        bytes += m_tokenBytes[static_cast<size_t>(id)];
    }
    return bytes;
}

std::optional<int32_t> HfTokenizer::tokenId(std::string_view content) const
{
    if (const auto found = m_idOfAdded.find(content); found != m_idOfAdded.end()) return found->second;
    if (const auto found = m_idOfSpelling.find(content); found != m_idOfSpelling.end()) return found->second;
    return std::nullopt;
}

} // namespace bd3
