// The subcommands of bd3. Each registers its options on the CLI11 app and
// returns the function that runs it.
#pragma once

#include "bd3/model.hpp"

#include <CLI/CLI.hpp>

#include <filesystem>
#include <functional>
#include <memory>

namespace bd3::cli {

using Command = std::function<int()>;

Command addGenerateCommand(CLI::App& app);
Command addChatCommand(CLI::App& app);
Command addInfoCommand(CLI::App& app);
Command addTokenizeCommand(CLI::App& app);
Command addLogitsCommand(CLI::App& app);
Command addBenchCommand(CLI::App& app);
Command addEvalCommand(CLI::App& app);
Command addQuantizeCommand(CLI::App& app);

// Adds --weights f32|bf16 and --device cpu|cuda.
void addComputeOptions(CLI::App& command, LoadOptions& load);
// Loads a model for generation; when no GPU can run it, says so on stderr
// and runs it on the CPU.
std::unique_ptr<Model> loadForCompute(const std::filesystem::path& folder, const LoadOptions& load);
// Adds -m/--model, defaulting to bd3::defaultModelFolder().
void addModelOption(CLI::App& command, std::filesystem::path& folder);

} // namespace bd3::cli
