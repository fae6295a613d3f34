// Text <-> token ids. Three families: GPT-2 byte-level BPE from vocab.json +
// merges.txt (the published checkpoints), Hugging Face's tokenizer.json with
// a byte-level BPE model and added tokens (the Qwen-family block-diffusion
// models), and SentencePiece (the project's own models).
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace bd3 {

class Tokenizer {
public:
    virtual ~Tokenizer() = default;

    // Throws bd3::Error naming the byte offset when the text is not valid
    // UTF-8. Never gives a special control token: a "<|im_end|>" typed in the
    // text is tokenized as the ordinary characters it is made of.
    virtual std::vector<int32_t> encode(std::string_view utf8) const = 0;
    // As encode, but special tokens written in the text (tokenizer.json's
    // added tokens marked "special", e.g. <|im_start|>, <|im_end|>) become
    // their ids: for text the program composes, such as a chat template, never
    // for what a user typed. Tokenizers without such tokens encode as encode.
    virtual std::vector<int32_t> encodeWithSpecialTokens(std::string_view utf8) const { return encode(utf8); }
    // The exact bytes of the tokens; a multi-byte character may be split at
    // either end when ids are a slice of a longer sequence.
    virtual std::string decode(std::span<const int32_t> ids) const = 0;
    // Number of ids the tokenizer itself defines (special ids may lie beyond).
    virtual int32_t size() const = 0;
    // "gpt2", "huggingface-bpe" or "sentencepiece".
    virtual std::string_view kind() const = 0;
    // The id of a token given as the tokenizer's files write it: an added
    // token's content ("<|MASK|>"), a vocabulary entry's spelling ("Ġthe" in a
    // byte-level vocabulary), a SentencePiece piece. Nothing when there is none.
    virtual std::optional<int32_t> tokenId(std::string_view content) const = 0;
};

// Picks the tokenizer from the files in a model folder, first found:
// tokenizer.model (SentencePiece), tokenizer.json (Hugging Face), vocab.json +
// merges.txt, encoder.json + vocab.bpe (GPT-2).
std::unique_ptr<Tokenizer> loadTokenizer(const std::filesystem::path& modelDir);

std::unique_ptr<Tokenizer> loadGpt2Tokenizer(const std::filesystem::path& vocabJson,
                                             const std::filesystem::path& mergesTxt);
std::unique_ptr<Tokenizer> loadHuggingFaceTokenizer(const std::filesystem::path& tokenizerJson);
std::unique_ptr<Tokenizer> loadSentencePieceTokenizer(const std::filesystem::path& modelFile);

} // namespace bd3
