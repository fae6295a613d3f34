// The architecture and special tokens of a block-diffusion model, read from
// a Hugging Face folder's config.json (and generation_config.json). The
// fields every family shares sit at the top; each family's own settings are
// in its struct, chosen by model_type / architectures.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <variant>
#include <vector>

namespace bd3 {

// The BD3-LM diffusion transformer (Arriola et al.): adaLN with the constant
// t = 0 conditioning, LayerNorm, fused qkv, GELU MLP, SUBS output.
struct DitConfig {
    int32_t condDim = 0;  // C, width of the adaLN conditioning vector
};

// A Qwen-family decoder trained with the block-diffusion recipe: RMSNorm,
// grouped-query attention, SwiGLU, no time conditioning. Qwen3 (SDAR, TraDo,
// dllm's a2d) has per-head q/k RMSNorm; Qwen2 (Fast-dLLM v2) has q/k/v biases.
struct DecoderConfig {
    int32_t intermediateDim = 0;  // SwiGLU width
    double ropeTheta = 10000.0;
    double rmsNormEps = 1e-6;
    bool qkNorm = false;
    bool qkvBias = false;
    bool tiedEmbeddings = false;  // lm_head is the embedding table
    int32_t subBlockSize = 0;     // Fast-dLLM v2 decodes a block in sub-blocks of this size; 0: none
};

// How a row's logits relate to positions: unshifted, row i predicts token i;
// shifted (Fast-dLLM v2, an AR model adapted), row i - 1 predicts token i and
// a block's first token comes from the previous block's last row.
enum class LogitAlignment { SamePosition, NextPosition };

// Sampling defaults a checkpoint ships in generation_config.json.
struct GenerationDefaults {
    std::optional<double> temperature;
    std::optional<int32_t> topK;
    std::optional<double> topP;
};

struct ModelConfig {
    std::string modelType = "bd3lm";
    std::string familyName = "bd3lm";  // the engine's family: "bd3lm", "qwen3", "qwen2"
    int32_t vocabSize = 0;    // rows of the embedding and the output layer, the mask included
    int32_t hiddenDim = 0;    // D
    int32_t layers = 0;
    int32_t heads = 0;        // query heads
    int32_t kvHeads = 0;      // key/value heads; heads % kvHeads == 0
    int32_t headDim = 0;
    int32_t contextLength = 0;   // the most tokens attention ever sees
    int32_t blockSize = 0;       // the block size the checkpoint was trained at
    std::vector<int32_t> trainedBlockSizes;  // every block size the model was trained on
    int32_t bosId = 0;
    int32_t eosId = 0;
    int32_t padId = 0;
    int32_t maskId = 0;
    bool prependBos = true;           // the Qwen families' prompts start with their own text
    std::vector<int32_t> stopIds;     // ids that end a generation; eosId first
    LogitAlignment logits = LogitAlignment::SamePosition;
    GenerationDefaults defaults;
    std::variant<DitConfig, DecoderConfig> family;

    const DitConfig* dit() const { return std::get_if<DitConfig>(&family); }
    const DecoderConfig* decoder() const { return std::get_if<DecoderConfig>(&family); }
    bool isStopId(int32_t id) const;

    // Reads and validates config.json, then generation_config.json beside
    // it when there is one (stop ids, sampling defaults).
    static ModelConfig fromFolder(const std::filesystem::path& folder);
    static ModelConfig fromJsonFile(const std::filesystem::path& configJson);
    static ModelConfig fromJsonText(const std::string& text, const std::string& origin);
    // generation_config.json: eos_token_id (an id or a list) becomes the stop
    // ids; temperature, top_k and top_p the defaults.
    void applyGenerationConfig(const std::string& text, const std::string& origin);
};

} // namespace bd3
