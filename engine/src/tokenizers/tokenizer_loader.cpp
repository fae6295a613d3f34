// Picks and loads the tokenizer a model folder ships.
#include "bd3/tokenizer.hpp"

#include "bd3/error.hpp"
#include "tokenizers/gpt2_tokenizer.hpp"
#include "tokenizers/sentencepiece_tokenizer.hpp"
#include "tokenizers/hf_tokenizer.hpp"

namespace bd3 {

std::unique_ptr<Tokenizer> loadTokenizer(const std::filesystem::path& modelDir)
{
    auto has = [&](const char* name) {
        std::error_code error;
        return std::filesystem::is_regular_file(modelDir / name, error);
    };
    if (has("tokenizer.model")) return loadSentencePieceTokenizer(modelDir / "tokenizer.model");
    // tokenizer.json holds the added tokens, which vocab.json + merges.txt
    // beside it lack; then GPT-2's files, the Hugging Face names first and
    // those of OpenAI's original release after.
    if (has("tokenizer.json")) return loadHuggingFaceTokenizer(modelDir / "tokenizer.json");
    if (has("vocab.json") && has("merges.txt"))
        return loadGpt2Tokenizer(modelDir / "vocab.json", modelDir / "merges.txt");
    if (has("encoder.json") && has("vocab.bpe"))
        return loadGpt2Tokenizer(modelDir / "encoder.json", modelDir / "vocab.bpe");
    throw Error(modelDir.string() + ": no tokenizer found; looked for tokenizer.model, tokenizer.json, "
                "vocab.json + merges.txt, and encoder.json + vocab.bpe");
}

std::unique_ptr<Tokenizer> loadGpt2Tokenizer(const std::filesystem::path& vocabJson,
                                             const std::filesystem::path& mergesTxt)
{
    return std::make_unique<Gpt2Tokenizer>(vocabJson, mergesTxt);
}

std::unique_ptr<Tokenizer> loadHuggingFaceTokenizer(const std::filesystem::path& tokenizerJson)
{
    return std::make_unique<HfTokenizer>(tokenizerJson);
}

std::unique_ptr<Tokenizer> loadSentencePieceTokenizer(const std::filesystem::path& modelFile)
{
    return std::make_unique<SentencePieceTokenizer>(modelFile);
}

} // namespace bd3
