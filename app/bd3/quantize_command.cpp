#include "commands.hpp"

#include "bd3/error.hpp"
#include "bd3/quantize.hpp"

#include <cstdio>
#include <iostream>
#include <unistd.h>

namespace bd3::cli {

namespace {

struct QuantizeSettings {
    std::filesystem::path in;
    std::filesystem::path out;
    std::string type;
    bool quiet = false;
};

std::string gigabytes(uint64_t bytes)
{
    char text[32];
    std::snprintf(text, sizeof text, "%.2f GB", static_cast<double>(bytes) / 1e9);
    return text;
}

int runQuantize(const QuantizeSettings& s)
{
    const std::optional<QuantizedType> type = parseQuantizedType(s.type);
    if (!type) throw Error("--type " + s.type + ": the quantized types are q8_0 and q4_0");
    QuantizeOptions options;
    options.type = *type;
    const bool tty = ::isatty(STDERR_FILENO) != 0;
    if (!s.quiet && tty)
        options.progress = [](double fraction) {
            std::fprintf(stderr, "\r  quantizing: %3.0f%%", 100.0 * fraction);
            std::fflush(stderr);
        };
    const QuantizeReport report = quantizeModel(s.in, s.out, options);
    if (!s.quiet && tty) std::fprintf(stderr, "\r\033[K");
    std::cout << "wrote " << s.out.string() << ": " << report.quantizedTensors << " matrices in "
              << quantizedTypeName(*type) << ", " << report.kept.size() << " matrices and " << report.vectors
              << " vectors as they were; "
              << gigabytes(report.bytesIn) << " -> " << gigabytes(report.bytesOut)
              << (report.shards > 1 ? " in " + std::to_string(report.shards) + " shards" : std::string()) << '\n';
    for (const std::string& kept : report.kept) std::cout << "  kept " << kept << '\n';
    return 0;
}

} // namespace

Command addQuantizeCommand(CLI::App& app)
{
    auto s = std::make_shared<QuantizeSettings>();
    app.add_option("input", s->in, "Model folder with float weights (f32, f16 or bf16)")->required();
    app.add_option("output", s->out, "New folder to write (must not exist)")->required();
    app.add_option("-t,--type", s->type, "Weight type: q8_0 (8-bit) or q4_0 (4-bit), blocks of 32")->required();
    app.add_flag("-q,--quiet", s->quiet, "No progress on stderr");
    return [s] { return runQuantize(*s); };
}

} // namespace bd3::cli
