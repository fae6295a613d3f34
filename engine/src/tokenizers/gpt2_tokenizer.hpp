// GPT-2's byte-level BPE: the text is cut into words (gpt2_pretokenizer), each
// word's UTF-8 bytes start as one symbol per byte, and adjacent symbols are
// merged by the rank of the pair in merges.txt until no ranked pair is left
// (tokenizers/byte_pair_encoder).
#pragma once

#include "bd3/tokenizer.hpp"
#include "tokenizers/byte_pair_encoder.hpp"

#include <cstdint>
#include <filesystem>
#include <optional>
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
    // The id of a vocabulary entry, spelt as in vocab.json ("Ġthe" for " the").
    std::optional<int32_t> tokenId(std::string_view spelling) const override;

private:
    void readVocabulary(const std::filesystem::path& vocabJson);
    void readMerges(const std::filesystem::path& mergesTxt);

    std::vector<std::string> m_tokenBytes;                     // id -> the bytes it stands for
    std::unordered_map<std::string, int32_t> m_idOfToken;      // spelling in vocab.json -> id
    BytePairEncoder m_encoder;
};

} // namespace bd3
