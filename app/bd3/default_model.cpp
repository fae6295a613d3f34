#include "commands.hpp"

#include "bd3/default_model.hpp"

#include <iostream>

#include <unistd.h>

namespace bd3::cli {

void addComputeOptions(CLI::App& command, LoadOptions& load)
{
    command
        .add_option("--weights", load.precision,
                    "Weights for compute: as stored (f32, f16, bf16, or q8_0/q4_0 from bd3 quantize), or bf16 "
                    "(float weights rounded at load: half an f32 checkpoint's memory traffic); f32 is a synonym of stored")
        ->transform(CLI::CheckedTransformer(std::map<std::string, WeightPrecision>{
            {"stored", WeightPrecision::Float32}, {"f32", WeightPrecision::Float32}, {"bf16", WeightPrecision::BFloat16}}))
        ->default_str("stored");
    command.add_option("--device", load.device, "Compute device: cpu, or cuda (the CPU when no GPU can run it)")
        ->transform(CLI::CheckedTransformer(std::map<std::string, Device>{{"cpu", Device::Cpu}, {"cuda", Device::Cuda}}))
        ->default_str("cpu");
    command.add_option("--threads", load.threads, "CPU threads for compute (default: one per core)")
        ->check(CLI::Range(1U, 1024U));
}

std::unique_ptr<Model> loadForCompute(const std::filesystem::path& folder, const LoadOptions& load)
{
    // A multi-gigabyte model takes a while: on a terminal, say how far it is.
    LoadOptions options = load;
    int shown = -1;
    if (::isatty(STDERR_FILENO) != 0)
        options.progress = [&](double fraction) {
            const int percent = static_cast<int>(fraction * 100);
            if (percent != shown) std::cerr << "\rbd3: loading " << folder.filename().string() << ' ' << percent << '%' << std::flush;
            shown = percent;
            return true;
        };
    auto model = Model::load(folder, options);
    if (shown >= 0) std::cerr << "\r\033[K" << std::flush;
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
