// Google Benchmark of the CPU backend's weight products at the published
// 12 x 768 shapes, in fp32 and bf16, for the row counts of small and large
// blocks.
//
//   build/release/tests/bench/bd3_kernel_benchmarks
#include "cpu/thread_pool.hpp"
#include "cpu/weight_matrix.hpp"

#include "bd3/model.hpp"

#include <benchmark/benchmark.h>

#include <random>

namespace {

std::vector<float> randomValues(size_t count)
{
    std::mt19937 rng(1);
    std::normal_distribution<float> normal(0.0F, 0.02F);
    std::vector<float> values(count);
    for (float& v : values) v = normal(rng);
    return values;
}

// y = x W^T for W [out, in]; arguments: rows, out, in, bf16 (0 or 1).
void weightProduct(benchmark::State& state)
{
    const auto rows = static_cast<int32_t>(state.range(0));
    const auto out = static_cast<int32_t>(state.range(1));
    const auto in = static_cast<int32_t>(state.range(2));
    const auto stored = bd3::StoredTensor::fromFloats("w", {out, in}, randomValues(static_cast<size_t>(out) * in));
    const bd3::WeightMatrix w(state.range(3) ? stored.toBf16() : stored);
    const std::vector<float> x = randomValues(static_cast<size_t>(rows) * in);
    std::vector<float> y(static_cast<size_t>(rows) * out);
    bd3::ThreadPool pool;
    for (auto _ : state) {
        w.multiply(x.data(), rows, y.data(), nullptr, pool);
        benchmark::DoNotOptimize(y.data());
    }
    state.counters["GFLOP/s"] =
        benchmark::Counter(2.0 * rows * out * in, benchmark::Counter::kIsIterationInvariantRate, benchmark::Counter::kIs1000);
    state.counters["GB/s"] =
        benchmark::Counter(static_cast<double>(w.bytes()), benchmark::Counter::kIsIterationInvariantRate, benchmark::Counter::kIs1000);
}

void productArguments(benchmark::internal::Benchmark* b)
{
    for (int bf16 : {0, 1})
        for (int rows : {4, 16, 64})
            for (auto [out, in] : {std::pair{2304, 768}, std::pair{3072, 768}, std::pair{768, 3072}})
                b->Args({rows, out, in, bf16});
    b->ArgNames({"rows", "out", "in", "bf16"});
}

BENCHMARK(weightProduct)->Apply(productArguments)->UseRealTime();

} // namespace

BENCHMARK_MAIN();
