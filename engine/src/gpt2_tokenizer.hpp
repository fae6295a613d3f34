// GPT-2's byte-level BPE: the text is cut into words (gpt2_pretokenizer), each
// word's UTF-8 bytes start as one symbol per byte, and adjacent symbols are
// merged by the rank of the pair in merges.txt until no ranked pair is left.
#pragma once

#include "bd3/tokenizer.hpp"

#include <array>
#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace bd3 {

class Gpt2Tokenizer final : public Tokenizer {
public:
    // vocabJson maps token strings to ids (vocab.json or encoder.json);
    // mergesTxt lists the merges, best first (merges.txt or vocab.bpe). Throws
    // bd3::Error naming the file, and the line or entry, of any problem.
    Gpt2Tokenizer(const std::filesystem::path& vocabJson, const std::filesystem::path& mergesTxt);

    std::vector<int32_t> encode(std::string_view utf8) const override;
    std::string decode(std::span<const int32_t> ids) const override;
    int32_t size() const override { return static_cast<int32_t>(m_tokenBytes.size()); }
    std::string_view kind() const override { return "gpt2"; }

private:
    struct Merge {
        int32_t rank;    // line order in the merges file: lower merges first
        int32_t merged;  // id of the token the pair becomes
    };

    void readVocabulary(const std::filesystem::path& vocabJson,
                        std::unordered_map<std::string, int32_t>& idOfToken);
    void readMerges(const std::filesystem::path& mergesTxt,
                    const std::unordered_map<std::string, int32_t>& idOfToken);
    void encodeWord(std::string_view word, std::vector<int32_t>& ids) const;
    const Merge* findMerge(int32_t left, int32_t right) const;

    std::vector<std::string> m_tokenBytes;          // id -> the bytes it stands for
    std::array<int32_t, 256> m_byteTokens{};        // byte -> id of its one-byte token
    std::unordered_map<uint64_t, Merge> m_merges;   // (left id, right id) -> merge
};

} // namespace bd3
