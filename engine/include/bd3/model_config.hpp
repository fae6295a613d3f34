// The architecture and special tokens of a BD3-LM, read from config.json.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace bd3 {

struct ModelConfig {
    std::string modelType = "bd3lm";
    int32_t vocabSize = 0;    // rows of the embedding and the output layer, [MASK] included
    int32_t hiddenDim = 0;    // D
    int32_t condDim = 0;      // C, width of the adaLN conditioning vector
    int32_t layers = 0;       // n_blocks
    int32_t heads = 0;        // n_heads; hiddenDim % heads == 0
    int32_t contextLength = 0;   // model_length: the most tokens attention ever sees
    int32_t blockSize = 0;       // the block size the checkpoint was trained at
    std::vector<int32_t> trainedBlockSizes;  // every block size the model was trained on
    int32_t bosId = 0;
    int32_t eosId = 0;
    int32_t padId = 0;
    int32_t maskId = 0;

    int32_t headDim() const { return hiddenDim / heads; }

    // Reads and validates config.json. Keys of the published checkpoints are
    // required; the special-token and block-size keys of the project's own
    // models are optional and default to the published layout
    // (mask = vocab_size - 1, BOS = EOS = PAD = vocab_size - 2).
    static ModelConfig fromJsonFile(const std::filesystem::path& configJson);
    static ModelConfig fromJsonText(const std::string& text, const std::string& origin);
};

} // namespace bd3
