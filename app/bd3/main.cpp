// bd3: generate with, inspect and debug block diffusion language models.
#include "commands.hpp"

#include "bd3/error.hpp"

#include <iostream>

int main(int argc, char** argv)
{
    CLI::App app{"bd3: block diffusion language models on the command line"};
    app.set_version_flag("--version", std::string("bd3 ") + BD3_VERSION);
    app.require_subcommand(1);

    struct Subcommand {
        CLI::App* parser;
        bd3::cli::Command run;
    };
    std::vector<Subcommand> subcommands;
    auto add = [&](const char* name, const char* description, auto addCommand) {
        CLI::App* parser = app.add_subcommand(name, description);
        subcommands.push_back({parser, addCommand(*parser)});
    };
    add("generate", "Continue a prompt block by block", bd3::cli::addGenerateCommand);
    add("chat", "Talk with a chat model in its own template", bd3::cli::addChatCommand);
    add("info", "Summarise a model folder", bd3::cli::addInfoCommand);
    add("tokenize", "Show the token ids of a text, or the text of ids", bd3::cli::addTokenizeCommand);
    add("logits", "Write the network's log-probabilities for token ids as .npy", bd3::cli::addLogitsCommand);
    add("eval", "Perplexity bound (NELBO) of a text file at given block sizes", bd3::cli::addEvalCommand);
    add("quantize", "Write a copy of a model folder with 8- or 4-bit weights", bd3::cli::addQuantizeCommand);
    add("bench", "Measure speed against the machine's ceilings", bd3::cli::addBenchCommand);
    CLI11_PARSE(app, argc, argv);

    try {
        for (const Subcommand& subcommand : subcommands) {
            if (subcommand.parser->parsed()) return subcommand.run();
        }
    } catch (const bd3::Error& error) {
        std::cerr << "bd3: error: " << error.what() << '\n';
    } catch (const std::bad_alloc&) {
        std::cerr << "bd3: error: out of memory\n";
    }
    return 1;
}
