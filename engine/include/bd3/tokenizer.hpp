// Text <-> token ids. Two families: GPT-2 byte-level BPE (the published
// checkpoints) and SentencePiece (the project's own models).
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace bd3 {

class Tokenizer {
public:
    virtual ~Tokenizer() = default;

    // Throws bd3::Error naming the byte offset when the text is not valid UTF-8.
    virtual std::vector<int32_t> encode(std::string_view utf8) const = 0;
    // The exact bytes of the tokens; a multi-byte character may be split at
    // either end when ids are a slice of a longer sequence.
    virtual std::string decode(std::span<const int32_t> ids) const = 0;
    // Number of ids the tokenizer itself defines (special ids may lie beyond).
    virtual int32_t size() const = 0;
    // "gpt2" or "sentencepiece".
    virtual std::string_view kind() const = 0;
};

// Picks the tokenizer from the files in a model folder: tokenizer.model
// (SentencePiece), vocab.json + merges.txt, or encoder.json + vocab.bpe.
std::unique_ptr<Tokenizer> loadTokenizer(const std::filesystem::path& modelDir);

std::unique_ptr<Tokenizer> loadGpt2Tokenizer(const std::filesystem::path& vocabJson,
                                             const std::filesystem::path& mergesTxt);
std::unique_ptr<Tokenizer> loadSentencePieceTokenizer(const std::filesystem::path& modelFile);

} // namespace bd3
