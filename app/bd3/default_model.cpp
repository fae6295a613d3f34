#include "commands.hpp"

#include "bd3/default_model.hpp"

namespace bd3::cli {

void addModelOption(CLI::App& command, std::filesystem::path& folder)
{
    folder = defaultModelFolder();
    command.add_option("-m,--model", folder, "Model folder (config.json, model.safetensors, tokenizer files)")
        ->capture_default_str();
}

} // namespace bd3::cli
