#include "bd3/roofline.hpp"

#include "cpu/thread_pool.hpp"
#include "cpu/weight_matrix.hpp"

#include "bd3/model.hpp"

#include <chrono>
#include <algorithm>
#include <cstring>
#include <thread>
#include <vector>

namespace bd3 {

namespace {

using Clock = std::chrono::steady_clock;

double secondsSince(Clock::time_point start)
{
    return std::chrono::duration<double>(Clock::now() - start).count();
}

// The weight matrices of one layer and the output layer, [out, in].
struct Shape {
    int32_t out;
    int32_t in;
};

} // namespace

ForwardCost forwardCost(const ModelConfig& c, int32_t rows, int32_t cached, int32_t outputRows, double bytesPerWeight)
{
    const double D = c.hiddenDim, V = c.vocabSize, n = rows, keys = cached + rows;
    const double layerWeights = 3 * D * D + D * D + 4 * D * D * 2;  // qkv, out, mlp in, mlp out
    ForwardCost cost;
    cost.flops = c.layers * (2 * n * layerWeights + 2 * 2 * n * keys * D) + 2 * outputRows * D * V;
    cost.weightBytes = bytesPerWeight * (c.layers * layerWeights + (outputRows > 0 ? V * D : 0));
    cost.cacheBytes = 4 * 2.0 * c.layers * cached * D;
    return cost;
}

double measureModelSgemmGflops(const ModelConfig& c, int32_t rows, double seconds)
{
    // The products run as the CPU backend runs them: fp32 sgemm split by
    // output columns over the thread pool.
    const int32_t D = c.hiddenDim;
    const std::vector<Shape> shapes = {{3 * D, D}, {D, D}, {4 * D, D}, {D, 4 * D}};
    std::vector<WeightMatrix> weights;
    for (const Shape& s : shapes)
        weights.emplace_back(std::vector<float>(static_cast<size_t>(s.out) * s.in, 0.01F), s.out, s.in,
                             WeightPrecision::Float32);
    std::vector<float> x(static_cast<size_t>(rows) * 4 * D, 0.5F), y(static_cast<size_t>(rows) * 4 * D);
    ThreadPool pool;

    double flops = 0.0;
    const auto start = Clock::now();
    do {
        for (size_t i = 0; i < shapes.size(); ++i) {
            weights[i].multiply(x.data(), rows, y.data(), nullptr, pool);
            flops += 2.0 * rows * shapes[i].out * shapes[i].in;
        }
    } while (secondsSince(start) < seconds);
    return flops / secondsSince(start) / 1e9;
}

double measureCopyBandwidth(int64_t bytes, double seconds)
{
    // Every core copies its own share, as the BLAS threads stream weights.
    const unsigned threads = std::max(1U, std::thread::hardware_concurrency());
    const size_t share = static_cast<size_t>(bytes) / threads;
    std::vector<std::vector<char>> from(threads, std::vector<char>(share, 1)), to(threads, std::vector<char>(share));
    double copied = 0.0;
    const auto start = Clock::now();
    do {
        std::vector<std::thread> workers;
        for (unsigned t = 0; t < threads; ++t)
            workers.emplace_back([&, t] { std::memcpy(to[t].data(), from[t].data(), share); });
        for (auto& w : workers) w.join();
        copied += static_cast<double>(share) * threads;
    } while (secondsSince(start) < seconds);
    return copied / secondsSince(start) / 1e9;
}

} // namespace bd3
