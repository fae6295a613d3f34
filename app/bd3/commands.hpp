// The subcommands of bd3. Each registers its options on the CLI11 app and
// returns the function that runs it.
#pragma once

#include <CLI/CLI.hpp>

#include <filesystem>
#include <functional>

namespace bd3::cli {

using Command = std::function<int()>;

Command addGenerateCommand(CLI::App& app);
Command addInfoCommand(CLI::App& app);
Command addTokenizeCommand(CLI::App& app);
Command addLogitsCommand(CLI::App& app);

// The model used when --model is not given: the default model installed
// beside the program, else the one in the source tree.
std::filesystem::path defaultModelFolder();
// Adds -m/--model, defaulting to defaultModelFolder().
void addModelOption(CLI::App& command, std::filesystem::path& folder);

} // namespace bd3::cli
