#include "cpu/cpu_backend.hpp"

#include "bd3/error.hpp"
#include "cpu/thread_pool.hpp"
#include "cpu/weight_matrix.hpp"
#include "stopwatch.hpp"

#include <cblas.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <thread>
#include <utility>

namespace bd3 {

namespace {

class CpuKvCache final : public KvCache {
public:
    CpuKvCache(int32_t capacity, int32_t layers, int32_t width)
        : KvCache(capacity), m_width(width),
          m_keys(static_cast<size_t>(layers), std::vector<float>(static_cast<size_t>(capacity) * width)),
          m_values(m_keys)
    {}

    // Rows [0, length) are cached; the rows after them are scratch for the
    // chunk being run, kept only when the pass asks for it.
    float* keys(int32_t layer) { return m_keys[static_cast<size_t>(layer)].data(); }
    float* values(int32_t layer) { return m_values[static_cast<size_t>(layer)].data(); }

    void append(int32_t count)
    {
        m_length += count;
        m_nextPosition += count;
    }

private:
    int32_t m_width;
    std::vector<std::vector<float>> m_keys;   // per layer [capacity, D]
    std::vector<std::vector<float>> m_values; // per layer [capacity, D]
};

// out = LayerNorm(x) * weight * (1 + scale) + shift, LayerNorm without bias.
void modulatedLayerNorm(const float* x, int32_t rows, int32_t width, const float* weight, const float* shift,
                        const float* scale, float* out)
{
    for (int32_t r = 0; r < rows; ++r) {
        const float* row = x + static_cast<size_t>(r) * width;
        double mean = 0.0;
        for (int32_t i = 0; i < width; ++i) mean += row[i];
        mean /= width;
        double variance = 0.0;
        for (int32_t i = 0; i < width; ++i) variance += (row[i] - mean) * (row[i] - mean);
        variance /= width;
        const auto inv = static_cast<float>(1.0 / std::sqrt(variance + 1e-5));
        const auto m = static_cast<float>(mean);
        float* o = out + static_cast<size_t>(r) * width;
        for (int32_t i = 0; i < width; ++i) o[i] = (row[i] - m) * inv * weight[i] * (1.0F + scale[i]) + shift[i];
    }
}

float geluTanh(float x)
{
    constexpr float k = 0.7978845608028654F; // sqrt(2 / pi)
    return 0.5F * x * (1.0F + std::tanh(k * (x + 0.044715F * x * x * x)));
}

// The large matrices of one layer, in the precision chosen at load.
struct LayerMatrices {
    WeightMatrix qkv, attnOut, mlpIn, mlpOut;
};

class CpuBackend final : public Backend {
public:
    CpuBackend(const ModelConfig& config, NetworkWeights weights, WeightPrecision precision)
        : m_config(config), m_weights(std::move(weights))
    {
        // The pool splits every product by output columns; OpenBLAS threads of
        // its own would spin against it.
        openblas_set_num_threads(1);
        const int32_t D = config.hiddenDim;
        for (LayerWeights& layer : m_weights.layers) {
            m_layers.push_back({WeightMatrix(std::exchange(layer.qkv, {}), 3 * D, D, precision),
                                WeightMatrix(std::exchange(layer.attnOut, {}), D, D, precision),
                                WeightMatrix(std::exchange(layer.mlpIn, {}), 4 * D, D, precision),
                                WeightMatrix(std::exchange(layer.mlpOut, {}), D, 4 * D, precision)});
        }
        m_output = WeightMatrix(std::exchange(m_weights.outputWeight, {}), config.vocabSize, D, precision);
        const int32_t half = m_config.headDim() / 2;
        m_inverseFrequency.resize(static_cast<size_t>(half));
        for (int32_t i = 0; i < half; ++i)
            m_inverseFrequency[static_cast<size_t>(i)] = std::pow(10000.0, -2.0 * i / m_config.headDim());
    }

    std::string_view name() const override { return "cpu"; }
    int64_t weightBytes() const override
    {
        int64_t bytes = m_weights.bytes() + m_output.bytes();
        for (const LayerMatrices& layer : m_layers)
            bytes += layer.qkv.bytes() + layer.attnOut.bytes() + layer.mlpIn.bytes() + layer.mlpOut.bytes();
        return bytes;
    }

    std::unique_ptr<KvCache> newCache(int32_t capacity) const override
    {
        return std::make_unique<CpuKvCache>(capacity, m_config.layers, m_config.hiddenDim);
    }

    void forward(const ForwardPass& pass, KvCache& cacheBase, std::span<float> logits) override;
    double measureProductGflops(int32_t rows, double seconds) override;
    double measureCopyBandwidth(double seconds) override;

private:
    void rotate(float* qk, int32_t rows, int64_t firstPosition, int32_t stride) const;
    void attend(const float* qkv, const ForwardPass& pass, CpuKvCache& cache, int32_t layer, float* out);

    ModelConfig m_config;
    NetworkWeights m_weights; // the small tensors; the matrices moved into m_layers and m_output
    std::vector<LayerMatrices> m_layers;
    WeightMatrix m_output;
    std::vector<double> m_inverseFrequency;
    std::vector<float> m_scores; // scratch, reused between passes
    ThreadPool m_pool;
};

double CpuBackend::measureProductGflops(int32_t rows, double seconds)
{
    // The first layer's products, as forward() makes them.
    const int32_t D = m_config.hiddenDim;
    const LayerMatrices& layer = m_layers.front();
    std::vector<float> x(static_cast<size_t>(rows) * 4 * D, 0.5F), y(static_cast<size_t>(rows) * 4 * D);
    double flops = 0.0;
    const auto start = Clock::now();
    do {
        for (const WeightMatrix* w : {&layer.qkv, &layer.attnOut, &layer.mlpIn, &layer.mlpOut}) {
            w->multiply(x.data(), rows, y.data(), nullptr, m_pool);
            flops += 2.0 * rows * w->rows() * w->columns();
        }
    } while (secondsSince(start) < seconds);
    return flops / secondsSince(start) / 1e9;
}

double CpuBackend::measureCopyBandwidth(double seconds)
{
    // Every core copies its own share of 256 MiB, far more than the caches
    // hold, as the pool's threads stream weights.
    constexpr size_t bytes = size_t{1} << 28;
    const unsigned threads = std::max(1U, std::thread::hardware_concurrency());
    const size_t share = bytes / threads;
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

// Rotary embedding, rotate-half style, on the q and k parts of rows of qkv.
void CpuBackend::rotate(float* qkv, int32_t rows, int64_t firstPosition, int32_t stride) const
{
    const int32_t D = m_config.hiddenDim, hd = m_config.headDim(), half = hd / 2;
    std::vector<float> cosines(static_cast<size_t>(half)), sines(static_cast<size_t>(half));
    for (int32_t r = 0; r < rows; ++r) {
        const double position = static_cast<double>(firstPosition + r);
        for (int32_t i = 0; i < half; ++i) {
            const double angle = position * m_inverseFrequency[static_cast<size_t>(i)];
            cosines[static_cast<size_t>(i)] = static_cast<float>(std::cos(angle));
            sines[static_cast<size_t>(i)] = static_cast<float>(std::sin(angle));
        }
        float* row = qkv + static_cast<size_t>(r) * stride;
        for (int32_t part = 0; part < 2; ++part) { // q, then k
            for (int32_t head = 0; head < m_config.heads; ++head) {
                float* x = row + part * D + head * hd;
                for (int32_t i = 0; i < half; ++i) {
                    const float a = x[i], b = x[i + half];
                    x[i] = a * cosines[static_cast<size_t>(i)] - b * sines[static_cast<size_t>(i)];
                    x[i + half] = b * cosines[static_cast<size_t>(i)] + a * sines[static_cast<size_t>(i)];
                }
            }
        }
    }
}

// Softmax attention of the chunk's queries against the cache and the chunk,
// block-causal inside the chunk. The chunk's keys and values were written to
// the cache rows after the cached ones.
void CpuBackend::attend(const float* qkv, const ForwardPass& pass, CpuKvCache& cache, int32_t layer, float* out)
{
    const auto rows = static_cast<int32_t>(pass.tokens.size());
    const int32_t first = pass.firstBlock > 0 ? pass.firstBlock : pass.blockSize;
    const int32_t D = m_config.hiddenDim, hd = m_config.headDim();
    const int32_t cached = cache.length(), keys = cached + rows;
    const auto scale = static_cast<float>(1.0 / std::sqrt(static_cast<double>(hd)));
    const size_t headScores = static_cast<size_t>(rows) * keys;
    m_scores.resize(headScores * static_cast<size_t>(m_config.heads));
    m_pool.parallelFor(m_config.heads, 1, [&](int64_t firstHead, int64_t lastHead) {
        for (auto head = static_cast<int32_t>(firstHead); head < lastHead; ++head) {
            float* scores = m_scores.data() + headScores * static_cast<size_t>(head);
            // scores (rows, keys) = q_h (rows, hd) K_h^T (hd, keys)
            cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, rows, keys, hd, scale, qkv + head * hd, 3 * D,
                        cache.keys(layer) + head * hd, D, 0.0F, scores, keys);
            for (int32_t r = 0; r < rows; ++r) {
                float* s = scores + static_cast<size_t>(r) * keys;
                // Keys of later blocks of the chunk are hidden from this query.
                const int32_t blockEnd =
                    r < first ? first : first + ((r - first) / pass.blockSize + 1) * pass.blockSize;
                const int32_t visible = cached + std::min(rows, blockEnd);
                float maximum = -std::numeric_limits<float>::infinity();
                for (int32_t k = 0; k < visible; ++k) maximum = std::max(maximum, s[k]);
                double sum = 0.0;
                for (int32_t k = 0; k < visible; ++k) {
                    s[k] = std::exp(s[k] - maximum);
                    sum += s[k];
                }
                const auto inv = static_cast<float>(1.0 / sum);
                for (int32_t k = 0; k < visible; ++k) s[k] *= inv;
                std::fill(s + visible, s + keys, 0.0F);
            }
            // out_h (rows, hd) = P (rows, keys) V_h (keys, hd)
            cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, rows, hd, keys, 1.0F, scores, keys,
                        cache.values(layer) + head * hd, D, 0.0F, out + head * hd, D);
        }
    });
}

void CpuBackend::forward(const ForwardPass& pass, KvCache& cacheBase, std::span<float> logits)
{
    auto& cache = static_cast<CpuKvCache&>(cacheBase);
    const int32_t D = m_config.hiddenDim, V = m_config.vocabSize;
    const auto rows = static_cast<int32_t>(pass.tokens.size());
    checkForwardPass(pass, cache, logits.size(), V);

    // h (rows, D): embedding lookup.
    std::vector<float> h(static_cast<size_t>(rows) * D);
    for (int32_t r = 0; r < rows; ++r) {
        const int32_t token = pass.tokens[static_cast<size_t>(r)];
        std::memcpy(&h[static_cast<size_t>(r) * D], &m_weights.embedding[static_cast<size_t>(token) * D],
                    D * sizeof(float));
    }

    std::vector<float> normed(static_cast<size_t>(rows) * D), qkv(static_cast<size_t>(rows) * 3 * D),
        attention(static_cast<size_t>(rows) * D), projected(static_cast<size_t>(rows) * D),
        wide(static_cast<size_t>(rows) * 4 * D);
    const int32_t cached = cache.length();
    for (int32_t l = 0; l < m_config.layers; ++l) {
        const LayerWeights& layer = m_weights.layers[static_cast<size_t>(l)];
        const LayerMatrices& matrices = m_layers[static_cast<size_t>(l)];
        const float* mod = layer.modulation.data();
        const float *shift1 = mod, *scale1 = mod + D, *gate1 = mod + 2 * D;
        const float *shift2 = mod + 3 * D, *scale2 = mod + 4 * D, *gate2 = mod + 5 * D;

        modulatedLayerNorm(h.data(), rows, D, layer.norm1.data(), shift1, scale1, normed.data());
        matrices.qkv.multiply(normed.data(), rows, qkv.data(), nullptr, m_pool); // (rows, 3D)
        rotate(qkv.data(), rows, cache.nextPosition(), 3 * D);
        for (int32_t r = 0; r < rows; ++r) {
            const float* row = &qkv[static_cast<size_t>(r) * 3 * D];
            std::memcpy(cache.keys(l) + static_cast<size_t>(cached + r) * D, row + D, D * sizeof(float));
            std::memcpy(cache.values(l) + static_cast<size_t>(cached + r) * D, row + 2 * D, D * sizeof(float));
        }
        attend(qkv.data(), pass, cache, l, attention.data());
        matrices.attnOut.multiply(attention.data(), rows, projected.data(), nullptr, m_pool);
        for (size_t i = 0; i < h.size(); ++i) h[i] += gate1[i % D] * projected[i];

        modulatedLayerNorm(h.data(), rows, D, layer.norm2.data(), shift2, scale2, normed.data());
        matrices.mlpIn.multiply(normed.data(), rows, wide.data(), &layer.mlpInBias, m_pool);
        for (float& x : wide) x = geluTanh(x);
        matrices.mlpOut.multiply(wide.data(), rows, projected.data(), &layer.mlpOutBias, m_pool);
        for (size_t i = 0; i < h.size(); ++i) h[i] += gate2[i % D] * projected[i];
    }
    cache.append(pass.keepRows);
    if (pass.outputRows.empty()) return;

    // The output layer only for the rows asked for: (outputs, D) -> (outputs, V).
    const auto outputs = static_cast<int32_t>(pass.outputRows.size());
    std::vector<float> selected(static_cast<size_t>(outputs) * D);
    for (int32_t i = 0; i < outputs; ++i) {
        const int32_t row = pass.outputRows[static_cast<size_t>(i)];
        std::memcpy(&selected[static_cast<size_t>(i) * D], &h[static_cast<size_t>(row) * D], D * sizeof(float));
    }
    const float* finalMod = m_weights.finalModulation.data();
    modulatedLayerNorm(selected.data(), outputs, D, m_weights.finalNorm.data(), finalMod, finalMod + D,
                       selected.data());
    m_output.multiply(selected.data(), outputs, logits.data(), &m_weights.outputBias, m_pool);
}

} // namespace

std::unique_ptr<Backend> makeCpuBackend(const ModelConfig& config, NetworkWeights weights, WeightPrecision precision)
{
    return std::make_unique<CpuBackend>(config, std::move(weights), precision);
}

} // namespace bd3
