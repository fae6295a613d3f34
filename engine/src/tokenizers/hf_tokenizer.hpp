// Hugging Face's tokenizer.json with a byte-level BPE model: the tokenizer
// of the Qwen-family block-diffusion models (SDAR, TraDo, Fast-dLLM v2, dllm's
// BD3LM Qwen3) and of GPT-2's own tokenizer.json. The steps, as the file
// describes them and as the tokenizers library runs them:
//
//   1. added tokens (<|im_start|>, <|endoftext|>, <think>, ...) are cut out of
//      the raw text (tokenizers/added_tokens); those marked "normalized" are
//      looked for after step 2 instead;
//   2. the normalizer: none, NFC, NFD, NFKC, NFKD (ICU), or a Sequence of them;
//   3. the pre-tokenizer: Split (a regex from the file, "Isolated", not
//      inverted; tokenizers/split_pattern) and ByteLevel (add_prefix_space,
//      use_regex with GPT-2's regex), alone or in a Sequence that ends with
//      ByteLevel;
//   4. the BPE model on each piece's bytes (tokenizers/byte_pair_encoder),
//      with ignore_merges where the file sets it.
//
// Decoding is ByteLevel's: each token's bytes, an added token's content.
// Anything else in the file (another model type, normalizer, pre-tokenizer
// or decoder, byte_fallback, dropout, ...) is a bd3::Error naming the file and
// what it found. The post_processor, truncation and padding are not applied:
// encode gives the text's tokens only, and the model's config adds BOS where
// it wants one.
#pragma once

#include "bd3/tokenizer.hpp"
#include "tokenizers/added_tokens.hpp"
#include "tokenizers/byte_pair_encoder.hpp"
#include "tokenizers/split_pattern.hpp"

#include <filesystem>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include <unicode/uversion.h>

U_NAMESPACE_BEGIN
class Normalizer2;
U_NAMESPACE_END

namespace bd3 {

class HfTokenizer final : public Tokenizer {
public:
    // Throws bd3::Error naming the file and the problem: not JSON, a model or
    // step this reader does not run, a merge naming a piece the vocabulary
    // lacks, an added token whose id another token has, ...
    explicit HfTokenizer(const std::filesystem::path& tokenizerJson);

    std::vector<int32_t> encode(std::string_view utf8) const override { return encodeText(utf8, false); }
    std::vector<int32_t> encodeWithSpecialTokens(std::string_view utf8) const override
    {
        return encodeText(utf8, true);
    }
    std::string decode(std::span<const int32_t> ids) const override;
    int32_t size() const override { return static_cast<int32_t>(m_tokenBytes.size()); }
    std::string_view kind() const override { return "huggingface-bpe"; }
    std::optional<int32_t> tokenId(std::string_view content) const override;

private:
    // A pre-tokenizer step: a Split by pattern, or ByteLevel.
    struct PreTokenizerStep {
        std::optional<SplitPattern> split;
        bool addPrefixSpace = false;  // ByteLevel
        bool useRegex = false;        // ByteLevel
    };

    std::vector<int32_t> encodeText(std::string_view utf8, bool specialTokens) const;
    void encodePiece(std::string_view piece, std::vector<int32_t>& ids) const;
    // The text through the normalizers: text itself, or storage holding the change.
    std::string_view normalize(std::string_view text, std::string& storage) const;

    std::vector<std::string> m_tokenBytes;  // id -> the bytes it decodes to
    std::vector<bool> m_assigned;           // id -> whether a token has it
    // Looked up by string_view as well as by string.
    struct StringHash {
        using is_transparent = void;
        size_t operator()(std::string_view text) const { return std::hash<std::string_view>{}(text); }
    };
    using IdMap = std::unordered_map<std::string, int32_t, StringHash, std::equal_to<>>;

    IdMap m_idOfSpelling;  // vocabulary entry as spelt in the file -> id
    IdMap m_idOfAdded;     // added token's content -> id
    BytePairEncoder m_encoder;
    bool m_ignoreMerges = false;
    std::vector<const icu::Normalizer2*> m_normalizers;  // in order
    std::vector<PreTokenizerStep> m_preTokenizer;
    std::optional<SplitPattern> m_byteLevelPattern;     // GPT-2's, for ByteLevel's use_regex

    // The added tokens matched in the raw and in the normalized text, with
    // the special ones (encodeWithSpecialTokens) and without (encode).
    AddedTokenSet m_rawTokens, m_rawPlainTokens, m_normalizedTokens, m_normalizedPlainTokens;
};

} // namespace bd3
