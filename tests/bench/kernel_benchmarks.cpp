// Google Benchmark of the CPU backend's weight products at the published
// 12 x 768 shapes, in fp32, bf16, q8_0 and q4_0, for the row counts of one
// token and of small and large blocks. The quantized products print the
// kernel path they ran.
//
//   build/release/tests/bench/bd3_kernel_benchmarks
#include "cpu/quantized_product.hpp"
#include "cpu/thread_pool.hpp"
#include "cpu/weight_matrix.hpp"
#include "formats/quantized_blocks.hpp"

#include "bd3/model.hpp"

#include <benchmark/benchmark.h>

#include <random>
#include <string>

namespace {

std::vector<float> randomValues(size_t count)
{
    std::mt19937 rng(1);
    std::normal_distribution<float> normal(0.0F, 0.02F);
    std::vector<float> values(count);
    for (float& v : values) v = normal(rng);
    return values;
}

// The weight types benchmarked, by the index of the "type" argument.
constexpr bd3::DType benchTypes[] = {bd3::DType::F32, bd3::DType::BF16, bd3::DType::Q8_0, bd3::DType::Q4_0};

bd3::StoredTensor storedAs(bd3::DType type, int32_t out, int32_t in)
{
    auto stored = bd3::StoredTensor::fromFloats("w", {out, in}, randomValues(static_cast<size_t>(out) * in));
    if (type == bd3::DType::BF16) return stored.toBf16();
    if (!bd3::isQuantized(type)) return stored;
    const std::vector<float> values = stored.toFloat();
    const size_t rowBytes = bd3::rowBytes(type, in);
    stored.dtype = type;
    stored.bytes.assign(static_cast<size_t>(out) * rowBytes, std::byte{0});
    for (int32_t r = 0; r < out; ++r)
        bd3::quantizeRow(type, values.data() + static_cast<size_t>(r) * in, in, stored.bytes.data() + r * rowBytes);
    return stored;
}

// y = x W^T for W [out, in]; arguments: rows, out, in, type (an index of benchTypes).
void weightProduct(benchmark::State& state)
{
    const auto rows = static_cast<int32_t>(state.range(0));
    const auto out = static_cast<int32_t>(state.range(1));
    const auto in = static_cast<int32_t>(state.range(2));
    const bd3::DType type = benchTypes[state.range(3)];
    const bd3::WeightMatrix w(storedAs(type, out, in));
    const std::vector<float> x = randomValues(static_cast<size_t>(rows) * in);
    std::vector<float> y(static_cast<size_t>(rows) * out);
    bd3::ThreadPool pool;
    for (auto _ : state) {
        w.multiply(x.data(), rows, y.data(), nullptr, pool);
        benchmark::DoNotOptimize(y.data());
    }
    std::string label(bd3::dtypeName(type));
    if (bd3::isQuantized(type)) label.append(" ").append(bd3::kernelPathName(bd3::bestKernelPath()));
    state.SetLabel(label);
    state.counters["GFLOP/s"] =
        benchmark::Counter(2.0 * rows * out * in, benchmark::Counter::kIsIterationInvariantRate, benchmark::Counter::kIs1000);
    state.counters["GB/s"] =
        benchmark::Counter(static_cast<double>(w.bytes()), benchmark::Counter::kIsIterationInvariantRate, benchmark::Counter::kIs1000);
}

void productArguments(benchmark::internal::Benchmark* b)
{
    for (int type = 0; type < static_cast<int>(std::size(benchTypes)); ++type)
        for (int rows : {1, 4, 16, 64})
            for (auto [out, in] : {std::pair{2304, 768}, std::pair{3072, 768}, std::pair{768, 3072}})
                b->Args({rows, out, in, type});
    b->ArgNames({"rows", "out", "in", "type"});
}

BENCHMARK(weightProduct)->Apply(productArguments)->UseRealTime();

} // namespace

BENCHMARK_MAIN();
