#include "cpu/cpu_backend.hpp"

#include "bd3/error.hpp"
#include "block_layout.hpp"
#include "cpu/thread_pool.hpp"
#include "cpu/weight_matrix.hpp"
#include "families/family_registry.hpp"
#include "memory_budget.hpp"
#include "stopwatch.hpp"

#include <cblas.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstring>
#include <limits>
#include <map>
#include <numeric>
#include <thread>
#include <utility>
#include <unistd.h>

namespace bd3 {

namespace {

// A read of every word, in four independent sums so the loads need not wait
// on one another.
uint64_t sumWords(const std::vector<uint64_t>& words)
{
    uint64_t a = 0, b = 0, c = 0, d = 0;
    size_t i = 0;
    for (; i + 4 <= words.size(); i += 4) {
        a += words[i];
        b += words[i + 1];
        c += words[i + 2];
        d += words[i + 3];
    }
    for (; i < words.size(); ++i) a += words[i];
    return a + b + c + d;
}

// Keys and values per layer, [rows, width] each. Rows [0, length) are
// cached; the rows after them are scratch for the chunk being run, kept only
// when the pass asks for it. Memory grows with the rows used, up to the
// capacity, so a long context costs only what a generation reaches.
class CpuKvCache final : public KvCache {
public:
    CpuKvCache(int32_t capacity, CacheLayout layout)
        : KvCache(capacity), m_width(layout.width), m_keys(static_cast<size_t>(layout.layers)),
          m_values(static_cast<size_t>(layout.layers))
    {}

    int32_t width() const { return m_width; }
    float* keys(int32_t layer) { return m_keys[static_cast<size_t>(layer)].data(); }
    float* values(int32_t layer) { return m_values[static_cast<size_t>(layer)].data(); }

    // Room for `rows` rows in every layer.
    void reserveRows(int32_t rows)
    {
        const size_t needed = static_cast<size_t>(rows) * static_cast<size_t>(m_width);
        if (!m_keys.empty() && m_keys.front().size() >= needed) return;
        const size_t grown = std::min(static_cast<size_t>(m_capacity) * m_width,
                                      std::max(needed, m_keys.empty() ? 0 : 2 * m_keys.front().size()));
        // Checked like the weights, so a context larger than memory is an
        // error naming the sizes, not the out-of-memory killer.
        const size_t extra = (grown - (m_keys.empty() ? 0 : m_keys.front().size())) * 2 * m_keys.size() * sizeof(float);
        requireAvailableMemory(extra, "the key/value cache for " + std::to_string(grown / m_width) + " tokens",
                               "free memory, or shorten the text");
        for (auto* store : {&m_keys, &m_values})
            for (std::vector<float>& layer : *store) layer.resize(grown);
    }

    void append(int32_t count)
    {
        m_length += count;
        m_nextPosition += count;
    }

private:
    int32_t m_width;
    std::vector<std::vector<float>> m_keys;
    std::vector<std::vector<float>> m_values;
};

float geluTanh(float x)
{
    constexpr float k = 0.7978845608028654F; // sqrt(2 / pi)
    return 0.5F * x * (1.0F + std::tanh(k * (x + 0.044715F * x * x * x)));
}

float* rowOf(const Rows& x, int32_t r) { return x.data + static_cast<size_t>(r) * x.stride; }

class CpuBackend final : public Backend, private NetworkOps {
public:
    CpuBackend(const ModelConfig& config, ModelWeights& weights, WeightPrecision precision, unsigned threads)
        : m_config(config), m_pool(threads > 0 ? threads : std::max(1U, std::thread::hardware_concurrency()))
    {
        // The pool splits every product by output columns; OpenBLAS threads of
        // its own would spin against it.
        openblas_set_num_threads(1);
        m_network = familyNamed(config.familyName).makeNetwork(config, weights, *this, precision);
    }

    std::string_view name() const override { return "cpu"; }
    unsigned hostThreads() const override { return m_pool.size(); }
    int64_t weightBytes() const override
    {
        int64_t bytes = 0;
        for (const WeightMatrix& m : m_matrices) bytes += m.bytes();
        for (const auto& v : m_vectors) bytes += static_cast<int64_t>(v.size() * sizeof(float));
        return bytes;
    }
    std::unique_ptr<KvCache> newCache(int32_t capacity) const override
    {
        return std::make_unique<CpuKvCache>(capacity, m_network->cacheLayout());
    }
    void forward(const ForwardPass& pass, KvCache& cacheBase, std::span<float> logits) override;
    double measureProductGflops(int32_t rows, double seconds) override;
    double measureStreamBandwidth(double seconds) override;

private:
    // NetworkOps
    MatrixId addMatrix(StoredTensor tensor) override
    {
        m_matrices.emplace_back(std::move(tensor));
        return static_cast<MatrixId>(m_matrices.size() - 1);
    }
    VectorId addVector(std::vector<float> values) override
    {
        m_vectors.push_back(std::move(values));
        return static_cast<VectorId>(m_vectors.size() - 1);
    }
    Rows scratch(Slot slot, int32_t rows, int32_t width) override
    {
        std::vector<float>& buffer = m_scratch[static_cast<size_t>(slot)];
        buffer.resize(static_cast<size_t>(rows) * width);
        return {buffer.data(), rows, width, width};
    }
    Rows logits() override { return m_logits; }
    void embedTokens(MatrixId table, Rows out) override;
    void linear(Rows x, MatrixId w, std::optional<VectorId> bias, Rows out) override;
    void rmsNorm(Rows x, VectorId weight, double eps, int32_t groupWidth, Rows out) override;
    void modulatedLayerNorm(Rows x, VectorId weight, VectorId shift, VectorId scale, Rows out) override;
    void rotary(Rows x, int32_t heads, int32_t headDim, double theta) override;
    void attention(Rows q, Rows k, Rows v, const AttentionShape& shape, int32_t layer, Rows out) override;
    void geluTanh(Rows x) override;
    void siluGate(Rows gate, Rows up, Rows out) override;
    void addInto(Rows h, Rows y, std::optional<VectorId> gate) override;
    void gatherOutputRows(Rows x, Rows out) override;

    const std::vector<double>& inverseFrequencies(int32_t headDim, double theta);

    ModelConfig m_config;
    std::vector<WeightMatrix> m_matrices;
    std::vector<std::vector<float>> m_vectors;
    std::unique_ptr<Network> m_network;
    std::array<std::vector<float>, static_cast<size_t>(Slot::Count)> m_scratch;
    std::map<std::pair<int32_t, double>, std::vector<double>> m_inverseFrequencies;
    std::vector<float> m_scores; // attention scratch, reused between passes
    ThreadPool m_pool;
    // The pass being run.
    const ForwardPass* m_pass = nullptr;
    CpuKvCache* m_cache = nullptr;
    Rows m_logits;
};

void CpuBackend::forward(const ForwardPass& pass, KvCache& cacheBase, std::span<float> logits)
{
    auto& cache = static_cast<CpuKvCache&>(cacheBase);
    checkForwardPass(pass, cache, logits.size(), m_config.vocabSize);
    const auto rows = static_cast<int32_t>(pass.tokens.size());
    cache.reserveRows(cache.length() + rows);
    m_pass = &pass;
    m_cache = &cache;
    m_logits = {logits.data(), static_cast<int32_t>(pass.outputRows.size()), m_config.vocabSize, m_config.vocabSize};
    m_network->forward(*this, rows, static_cast<int32_t>(pass.outputRows.size()));
    cache.append(pass.keepRows);
    m_pass = nullptr;
    m_cache = nullptr;
}

void CpuBackend::embedTokens(MatrixId table, Rows out)
{
    const WeightMatrix& matrix = m_matrices[static_cast<size_t>(table)];
    for (int32_t r = 0; r < out.rows; ++r) matrix.row(m_pass->tokens[static_cast<size_t>(r)], rowOf(out, r));
}

void CpuBackend::linear(Rows x, MatrixId w, std::optional<VectorId> bias, Rows out)
{
    const WeightMatrix& matrix = m_matrices[static_cast<size_t>(w)];
    if (!x.contiguous() || !out.contiguous() || x.width != matrix.columns() || out.width != matrix.rows())
        throw Error("internal: product of [" + std::to_string(x.rows) + ", " + std::to_string(x.width) + "] by [" +
                    std::to_string(matrix.rows()) + ", " + std::to_string(matrix.columns()) + "]");
    matrix.multiply(x.data, x.rows, out.data, bias ? &m_vectors[static_cast<size_t>(*bias)] : nullptr, m_pool);
}

void CpuBackend::rmsNorm(Rows x, VectorId weightId, double eps, int32_t groupWidth, Rows out)
{
    const float* weight = m_vectors[static_cast<size_t>(weightId)].data();
    for (int32_t r = 0; r < x.rows; ++r) {
        const float* row = rowOf(x, r);
        float* o = rowOf(out, r);
        for (int32_t g = 0; g < x.width; g += groupWidth) {
            double squares = 0.0;
            for (int32_t i = 0; i < groupWidth; ++i) squares += static_cast<double>(row[g + i]) * row[g + i];
            const auto inv = static_cast<float>(1.0 / std::sqrt(squares / groupWidth + eps));
            for (int32_t i = 0; i < groupWidth; ++i) o[g + i] = row[g + i] * inv * weight[i];
        }
    }
}

// out = LayerNorm(x) * weight * (1 + scale) + shift, LayerNorm without bias.
void CpuBackend::modulatedLayerNorm(Rows x, VectorId weightId, VectorId shiftId, VectorId scaleId, Rows out)
{
    const float* weight = m_vectors[static_cast<size_t>(weightId)].data();
    const float* shift = m_vectors[static_cast<size_t>(shiftId)].data();
    const float* scale = m_vectors[static_cast<size_t>(scaleId)].data();
    const int32_t width = x.width;
    for (int32_t r = 0; r < x.rows; ++r) {
        const float* row = rowOf(x, r);
        double mean = 0.0;
        for (int32_t i = 0; i < width; ++i) mean += row[i];
        mean /= width;
        double variance = 0.0;
        for (int32_t i = 0; i < width; ++i) variance += (row[i] - mean) * (row[i] - mean);
        variance /= width;
        const auto inv = static_cast<float>(1.0 / std::sqrt(variance + 1e-5));
        const auto m = static_cast<float>(mean);
        float* o = rowOf(out, r);
        for (int32_t i = 0; i < width; ++i) o[i] = (row[i] - m) * inv * weight[i] * (1.0F + scale[i]) + shift[i];
    }
}

const std::vector<double>& CpuBackend::inverseFrequencies(int32_t headDim, double theta)
{
    std::vector<double>& frequencies = m_inverseFrequencies[{headDim, theta}];
    if (frequencies.empty()) {
        for (int32_t i = 0; i < headDim / 2; ++i) frequencies.push_back(std::pow(theta, -2.0 * i / headDim));
    }
    return frequencies;
}

// Rotary embedding, rotate-half style: the first and second half of each
// head are the two coordinates of each rotated pair.
void CpuBackend::rotary(Rows x, int32_t heads, int32_t headDim, double theta)
{
    const std::vector<double>& frequencies = inverseFrequencies(headDim, theta);
    const int32_t half = headDim / 2;
    std::vector<float> cosines(static_cast<size_t>(half)), sines(static_cast<size_t>(half));
    const int64_t firstPosition = m_cache->nextPosition();
    for (int32_t r = 0; r < x.rows; ++r) {
        const auto position = static_cast<double>(firstPosition + r);
        for (int32_t i = 0; i < half; ++i) {
            const double angle = position * frequencies[static_cast<size_t>(i)];
            cosines[static_cast<size_t>(i)] = static_cast<float>(std::cos(angle));
            sines[static_cast<size_t>(i)] = static_cast<float>(std::sin(angle));
        }
        float* row = rowOf(x, r);
        for (int32_t head = 0; head < heads; ++head) {
            float* h = row + head * headDim;
            for (int32_t i = 0; i < half; ++i) {
                const float a = h[i], b = h[i + half];
                h[i] = a * cosines[static_cast<size_t>(i)] - b * sines[static_cast<size_t>(i)];
                h[i + half] = b * cosines[static_cast<size_t>(i)] + a * sines[static_cast<size_t>(i)];
            }
        }
    }
}

// Softmax attention of the chunk's queries against the cache and the chunk,
// block-causal inside the chunk; the chunk's keys and values are written to
// the cache rows after the cached ones first.
void CpuBackend::attention(Rows q, Rows k, Rows v, const AttentionShape& shape, int32_t layer, Rows out)
{
    CpuKvCache& cache = *m_cache;
    const int32_t rows = q.rows, hd = shape.headDim, width = cache.width();
    const int32_t cached = cache.length(), keys = cached + rows;
    for (int32_t r = 0; r < rows; ++r) {
        std::memcpy(cache.keys(layer) + static_cast<size_t>(cached + r) * width, rowOf(k, r), width * sizeof(float));
        std::memcpy(cache.values(layer) + static_cast<size_t>(cached + r) * width, rowOf(v, r), width * sizeof(float));
    }
    const int32_t group = shape.heads / shape.kvHeads;
    const auto scale = static_cast<float>(1.0 / std::sqrt(static_cast<double>(hd)));
    const size_t headScores = static_cast<size_t>(rows) * keys;
    m_scores.resize(headScores * static_cast<size_t>(shape.heads));
    m_pool.parallelFor(shape.heads, 1, [&](int64_t firstHead, int64_t lastHead) {
        for (auto head = static_cast<int32_t>(firstHead); head < lastHead; ++head) {
            const int32_t kvHead = head / group;
            float* scores = m_scores.data() + headScores * static_cast<size_t>(head);
            // scores (rows, keys) = q_h (rows, hd) K_h^T (hd, keys)
            cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, rows, keys, hd, scale, q.data + head * hd, q.stride,
                        cache.keys(layer) + kvHead * hd, width, 0.0F, scores, keys);
            for (int32_t r = 0; r < rows; ++r) {
                float* s = scores + static_cast<size_t>(r) * keys;
                const int32_t visible = cached + visibleChunkRows(r, rows, m_pass->firstBlock, m_pass->blockSize);
                float maximum = -std::numeric_limits<float>::infinity();
                for (int32_t key = 0; key < visible; ++key) maximum = std::max(maximum, s[key]);
                double sum = 0.0;
                for (int32_t key = 0; key < visible; ++key) {
                    s[key] = std::exp(s[key] - maximum);
                    sum += s[key];
                }
                const auto inv = static_cast<float>(1.0 / sum);
                for (int32_t key = 0; key < visible; ++key) s[key] *= inv;
                std::fill(s + visible, s + keys, 0.0F);
            }
            // out_h (rows, hd) = P (rows, keys) V_h (keys, hd)
            cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, rows, hd, keys, 1.0F, scores, keys,
                        cache.values(layer) + kvHead * hd, width, 0.0F, out.data + head * hd, out.stride);
        }
    });
}

void CpuBackend::geluTanh(Rows x)
{
    for (int32_t r = 0; r < x.rows; ++r) {
        float* row = rowOf(x, r);
        for (int32_t i = 0; i < x.width; ++i) row[i] = bd3::geluTanh(row[i]);
    }
}

void CpuBackend::siluGate(Rows gate, Rows up, Rows out)
{
    for (int32_t r = 0; r < gate.rows; ++r) {
        const float *g = rowOf(gate, r), *u = rowOf(up, r);
        float* o = rowOf(out, r);
        for (int32_t i = 0; i < gate.width; ++i) o[i] = g[i] / (1.0F + std::exp(-g[i])) * u[i];
    }
}

void CpuBackend::addInto(Rows h, Rows y, std::optional<VectorId> gateId)
{
    const float* gate = gateId ? m_vectors[static_cast<size_t>(*gateId)].data() : nullptr;
    for (int32_t r = 0; r < h.rows; ++r) {
        float* out = rowOf(h, r);
        const float* add = rowOf(y, r);
        if (gate != nullptr) {
            for (int32_t i = 0; i < h.width; ++i) out[i] += gate[i] * add[i];
        } else {
            for (int32_t i = 0; i < h.width; ++i) out[i] += add[i];
        }
    }
}

void CpuBackend::gatherOutputRows(Rows x, Rows out)
{
    for (int32_t i = 0; i < out.rows; ++i)
        std::memcpy(rowOf(out, i), rowOf(x, m_pass->outputRows[static_cast<size_t>(i)]), x.width * sizeof(float));
}

double CpuBackend::measureProductGflops(int32_t rows, double seconds)
{
    // The first layer's products, as forward() makes them.
    const std::vector<MatrixId> products = m_network->layerProducts();
    int32_t widest = 0;
    for (const MatrixId id : products)
        widest = std::max({widest, m_matrices[static_cast<size_t>(id)].rows(), m_matrices[static_cast<size_t>(id)].columns()});
    std::vector<float> x(static_cast<size_t>(rows) * widest, 0.5F), y(static_cast<size_t>(rows) * widest);
    double flops = 0.0;
    const auto start = Clock::now();
    do {
        for (const MatrixId id : products) {
            const WeightMatrix& w = m_matrices[static_cast<size_t>(id)];
            w.multiply(x.data(), rows, y.data(), nullptr, m_pool);
            flops += 2.0 * rows * w.rows() * w.columns();
        }
    } while (secondsSince(start) < seconds);
    return flops / secondsSince(start) / 1e9;
}

double CpuBackend::measureStreamBandwidth(double seconds)
{
    // What a pass does with its weights: read them once, on every thread of
    // the pool, from a buffer four times the last-level cache (at least
    // 1 GiB), so none of it comes from a cache. Each thread first writes its
    // own share, so the pages sit where it runs.
    const long cache = ::sysconf(_SC_LEVEL3_CACHE_SIZE);
    const size_t bytes = std::max<size_t>(size_t{1} << 30, 4 * static_cast<size_t>(std::max(cache, 0L)));
    const unsigned threads = m_pool.size();
    const size_t share = bytes / threads / sizeof(uint64_t);
    std::vector<std::vector<uint64_t>> buffers(threads);
    std::vector<uint64_t> sums(threads);
    m_pool.parallelFor(threads, 1, [&](int64_t begin, int64_t end) {
        for (int64_t t = begin; t < end; ++t) buffers[static_cast<size_t>(t)].assign(share, static_cast<uint64_t>(t) + 1);
    });
    double read = 0.0;
    const auto start = Clock::now();
    do {
        m_pool.parallelFor(threads, 1, [&](int64_t begin, int64_t end) {
            for (int64_t t = begin; t < end; ++t) sums[static_cast<size_t>(t)] += sumWords(buffers[static_cast<size_t>(t)]);
        });
        read += static_cast<double>(share) * sizeof(uint64_t) * threads;
    } while (secondsSince(start) < seconds);
    const double rate = read / secondsSince(start) / 1e9;
    // The sums are used, so the reads cannot be left out.
    return std::accumulate(sums.begin(), sums.end(), uint64_t{0}) == 0 ? 0.0 : rate;
}

} // namespace

std::unique_ptr<Backend> makeCpuBackend(const ModelConfig& config, ModelWeights& weights, const LoadOptions& options)
{
    return std::make_unique<CpuBackend>(config, weights, options.precision, options.threads);
}

} // namespace bd3
