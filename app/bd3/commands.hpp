// The subcommands of bd3. Each registers its options on the CLI11 app and
// returns the function that runs it.
#pragma once

#include "bd3/model.hpp"

#include <CLI/CLI.hpp>

#include <filesystem>
#include <functional>

namespace bd3::cli {

using Command = std::function<int()>;

Command addGenerateCommand(CLI::App& app);
Command addInfoCommand(CLI::App& app);
Command addTokenizeCommand(CLI::App& app);
Command addLogitsCommand(CLI::App& app);
Command addBenchCommand(CLI::App& app);
Command addEvalCommand(CLI::App& app);

// Adds --weights f32|bf16.
void addPrecisionOption(CLI::App& command, WeightPrecision& precision);
// Adds -m/--model, defaulting to bd3::defaultModelFolder().
void addModelOption(CLI::App& command, std::filesystem::path& folder);

} // namespace bd3::cli
