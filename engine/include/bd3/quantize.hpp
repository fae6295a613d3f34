// Writing a model folder with block-quantized weights (bd3 quantize): the
// same folder with its large matrices in Q8_0 or Q4_0, which the loader
// reads and validates like any other.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace bd3 {

enum class QuantizedType { Q8_0, Q4_0 };
// "q8_0" or "q4_0" (either case); nullopt for anything else.
std::optional<QuantizedType> parseQuantizedType(std::string_view text);
std::string_view quantizedTypeName(QuantizedType type);

struct QuantizeOptions {
    QuantizedType type = QuantizedType::Q8_0;
    // Output files are cut into shards (with model.safetensors.index.json)
    // beyond this many bytes.
    uint64_t shardBytes = uint64_t{4} << 30;
    // Called after each tensor with the fraction of input bytes done.
    std::function<void(double fraction)> progress;
};

struct QuantizeReport {
    int32_t quantizedTensors = 0;
    // Matrices copied as they were, each with the reason.
    std::vector<std::string> kept;
    // Vectors (norms, biases), copied as they were.
    int32_t vectors = 0;
    uint64_t bytesIn = 0;
    uint64_t bytesOut = 0;
    int32_t shards = 1;
};

// Reads the model folder `in` (model.safetensors or a sharded index) and
// writes `out`, which must not exist: every matrix with whole blocks of 32
// columns quantized, the other tensors and every other file of the folder
// copied, and config.json given a "quantization_config". The folder appears
// whole or not at all. Throws bd3::Error naming the problem.
QuantizeReport quantizeModel(const std::filesystem::path& in, const std::filesystem::path& out,
                             const QuantizeOptions& options);

} // namespace bd3
