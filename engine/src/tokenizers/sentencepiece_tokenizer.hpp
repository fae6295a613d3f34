// SentencePiece models (the project's own tokenizers), through the library's
// processor; decode is done piece by piece so that it returns exact bytes.
#pragma once

#include "bd3/tokenizer.hpp"

#include <sentencepiece_processor.h>

#include <filesystem>

namespace bd3 {

class SentencePieceTokenizer final : public Tokenizer {
public:
    // Throws bd3::Error naming the file, with SentencePiece's reason, when the
    // model is missing or cannot be loaded.
    explicit SentencePieceTokenizer(const std::filesystem::path& modelFile);

    std::vector<int32_t> encode(std::string_view utf8) const override;
    std::string decode(std::span<const int32_t> ids) const override;
    int32_t size() const override { return m_processor.GetPieceSize(); }
    std::string_view kind() const override { return "sentencepiece"; }
    std::optional<int32_t> tokenId(std::string_view piece) const override;

private:
    sentencepiece::SentencePieceProcessor m_processor;
};

} // namespace bd3
