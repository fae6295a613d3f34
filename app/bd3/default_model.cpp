#include "commands.hpp"

#include "bd3/default_model.hpp"

#include <iostream>

namespace bd3::cli {

void addComputeOptions(CLI::App& command, LoadOptions& load)
{
    command.add_option("--weights", load.precision, "Weight precision for compute: f32, or bf16 (half the memory traffic)")
        ->transform(CLI::CheckedTransformer(
            std::map<std::string, WeightPrecision>{{"f32", WeightPrecision::Float32}, {"bf16", WeightPrecision::BFloat16}}))
        ->default_str("f32");
    command.add_option("--device", load.device, "Compute device: cpu, or cuda (the CPU when no GPU can run it)")
        ->transform(CLI::CheckedTransformer(std::map<std::string, Device>{{"cpu", Device::Cpu}, {"cuda", Device::Cuda}}))
        ->default_str("cpu");
}

std::unique_ptr<Model> loadForCompute(const std::filesystem::path& folder, const LoadOptions& load)
{
    auto model = Model::load(folder, load);
    if (!model->deviceNote().empty()) std::cerr << "bd3: " << model->deviceNote() << '\n';
    return model;
}

void addModelOption(CLI::App& command, std::filesystem::path& folder)
{
    folder = defaultModelFolder();
    command.add_option("-m,--model", folder, "Model folder (config.json, model.safetensors, tokenizer files)")
        ->capture_default_str();
}

} // namespace bd3::cli
