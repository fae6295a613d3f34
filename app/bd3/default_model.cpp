#include "commands.hpp"

#include "bd3/default_model.hpp"

namespace bd3::cli {

void addPrecisionOption(CLI::App& command, WeightPrecision& precision)
{
    command.add_option("--weights", precision, "Weight precision for compute: f32, or bf16 (half the memory traffic)")
        ->transform(CLI::CheckedTransformer(
            std::map<std::string, WeightPrecision>{{"f32", WeightPrecision::Float32}, {"bf16", WeightPrecision::BFloat16}}))
        ->default_str("f32");
}

void addModelOption(CLI::App& command, std::filesystem::path& folder)
{
    folder = defaultModelFolder();
    command.add_option("-m,--model", folder, "Model folder (config.json, model.safetensors, tokenizer files)")
        ->capture_default_str();
}

} // namespace bd3::cli
