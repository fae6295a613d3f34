#include "cuda/cuda_backend.hpp"

#include "bd3/error.hpp"
#include "cuda/cublas_library.hpp"
#include "cuda/cuda_check.hpp"
#include "cuda/cuda_distributions.hpp"
#include "cuda/cuda_kernels.hpp"
#include "stopwatch.hpp"

#include <cuda_runtime.h>

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdlib>
#include <map>
#include <set>
#include <numeric>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace bd3 {

namespace {

using cuda::Activation;
using cuda::check;
using cuda::checkCublas;
using cuda::DeviceBuffer;

class CudaKvCache final : public KvCache {
public:
    CudaKvCache(const void* owner, int32_t capacity, int32_t layers, int32_t width)
        : KvCache(capacity), m_owner(owner), m_layerFloats(static_cast<size_t>(capacity) * static_cast<size_t>(width))
    {
        m_buffer.allocate(static_cast<size_t>(layers) * 2 * m_layerFloats * sizeof(float), "the key/value cache");
    }

    const void* owner() const { return m_owner; }
    // Per layer [capacity, D]: rows [0, length) are cached, the rows after
    // them are scratch for the chunk being run, kept only when asked.
    float* keys(int32_t layer) const { return m_buffer.as<float>() + static_cast<size_t>(2 * layer) * m_layerFloats; }
    float* values(int32_t layer) const { return keys(layer) + m_layerFloats; }

    void append(int32_t count)
    {
        m_length += count;
        m_nextPosition += count;
    }

private:
    const void* m_owner;
    size_t m_layerFloats;
    DeviceBuffer m_buffer;
};

// Rounds to the nearest bf16 (ties to even), as the loader does.
uint16_t toBf16(float value)
{
    const auto bits = std::bit_cast<uint32_t>(value);
    if (std::isnan(value)) return static_cast<uint16_t>((bits >> 16) | 0x40U);
    return static_cast<uint16_t>((bits + 0x7FFFU + ((bits >> 16) & 1U)) >> 16);
}

// A weight matrix [out, in] on the device, in the backend's precision.
struct DeviceMatrix {
    DeviceBuffer data;
    int32_t out = 0;
    int32_t in = 0;
};

struct DeviceLayer {
    DeviceBuffer norm1, norm2, modulation, mlpInBias, mlpOutBias;
    DeviceMatrix qkv, attnOut, mlpIn, mlpOut;
};

// The shape of a pass: what a captured graph of it is specific to. The cache
// length and position are not part of it; the kernels read them from device
// memory (cuda::PassScalars).
struct PassShape {
    int32_t rows = 0;
    int32_t outputs = 0;
    int32_t firstBlock = 0;
    int32_t blockSize = 0;
    const void* cache = nullptr; // the cache's device memory and its capacity
    int32_t capacity = 0;
    auto operator<=>(const PassShape&) const = default;
};

// An instantiated graph, destroyed with the object.
class GraphExec {
public:
    explicit GraphExec(cudaGraphExec_t exec) : m_exec(exec) {}
    ~GraphExec()
    {
        if (m_exec != nullptr) cudaGraphExecDestroy(m_exec);
    }
    GraphExec(GraphExec&& other) noexcept : m_exec(std::exchange(other.m_exec, nullptr)) {}
    GraphExec& operator=(GraphExec&&) = delete;
    GraphExec(const GraphExec&) = delete;
    GraphExec& operator=(const GraphExec&) = delete;
    cudaGraphExec_t get() const { return m_exec; }

private:
    cudaGraphExec_t m_exec;
};

// Graphs kept at once: a generation uses a few shapes per block size (each
// step of a block reveals some positions, so fewer output rows); past this
// count, changed settings have made the old ones unlikely to recur.
constexpr size_t maxCapturedShapes = 256;
// cuBLAS's workspace, given up front so capturing a product never allocates.
constexpr size_t cublasWorkspaceBytes = size_t{32} << 20;

int64_t matrixBytes(int64_t out, int64_t in, bool bf16) { return out * in * (bf16 ? 2 : 4); }

// Bytes the weights take on the device, to check before the first copy.
int64_t deviceWeightBytes(const ModelConfig& c, bool bf16)
{
    const int64_t D = c.hiddenDim, V = c.vocabSize;
    const int64_t perLayer = matrixBytes(3 * D, D, bf16) + matrixBytes(D, D, bf16) + 2 * matrixBytes(4 * D, D, bf16) +
                             4 * (D + D + 6 * D + 4 * D + D);
    return V * D * 4 + c.layers * perLayer + 4 * (D + 2 * D + V) + matrixBytes(V, D, bf16) +
           static_cast<int64_t>(sizeof(double)) * (c.headDim() / 2);
}

class CudaBackend final : public Backend {
public:
    CudaBackend(int device, const ModelConfig& config, NetworkWeights weights, WeightPrecision precision);
    ~CudaBackend() override;
    CudaBackend(const CudaBackend&) = delete;
    CudaBackend& operator=(const CudaBackend&) = delete;

    std::string_view name() const override { return "cuda"; }
    int64_t weightBytes() const override { return m_weightBytes; }
    std::unique_ptr<KvCache> newCache(int32_t capacity) const override
    {
        check(cudaSetDevice(m_device), "cudaSetDevice");
        return std::make_unique<CudaKvCache>(this, capacity, m_config.layers, m_config.hiddenDim);
    }
    void forward(const ForwardPass& pass, KvCache& cacheBase, std::span<float> logits) override;
    std::unique_ptr<MaskedDistributions> forwardToDistributions(const ForwardPass& pass, KvCache& cacheBase,
                                                                std::span<const int32_t> offsets,
                                                                const DistributionParams& params) override;
    double measureProductGflops(int32_t rows, double seconds) override;
    double measureCopyBandwidth(double seconds) override;

private:
    // Runs the pass on the stream, leaving the logits of the output rows in
    // m_logits ([outputs, V], fp32); the caller synchronises. Returns the
    // cache, checked to be this backend's. With graphs on, the network's
    // kernels and products are captured once per pass shape and replayed.
    CudaKvCache& enqueueForward(const ForwardPass& pass, KvCache& cacheBase, size_t logitsSize);
    // The network's kernels and products for a pass of this shape, reading
    // the tokens, output rows and pass scalars already on the device.
    void enqueueNetwork(const PassShape& shape, const CudaKvCache& cache);
    DeviceBuffer upload(std::vector<float>& values, const char* what);
    DeviceMatrix uploadMatrix(std::vector<float>& values, int32_t out, int32_t in, const char* what);
    // y[n, out] = x[n, in] W^T, x in the activation type, y in fp32.
    void multiply(const void* x, int32_t n, const DeviceMatrix& w, float* y);
    // Grows the scratch buffers, dropping the captured graphs first when any
    // moves (they point at the memory freed), even if an allocation fails.
    void reserveWorkspace(int32_t rows, int32_t outputs);
    void clearGraphs()
    {
        m_graphs.clear();
        m_seenShapes.clear();
    }

    int m_device;
    ModelConfig m_config;
    bool m_bf16;
    Activation m_activation;
    int64_t m_weightBytes = 0;
    cudaStream_t m_stream = nullptr;
    cublasHandle_t m_cublas = nullptr;
    DeviceBuffer m_cublasWorkspace;
    // BD3_CUDA_GRAPHS=0 runs every kernel with its own launch, for comparison.
    bool m_useGraphs = true;
    std::map<PassShape, GraphExec> m_graphs;
    std::set<PassShape> m_seenShapes; // run once; captured when seen again

    DeviceBuffer m_embedding; // fp32 [V, D]
    std::vector<DeviceLayer> m_layers;
    DeviceBuffer m_finalNorm, m_finalModulation, m_outputBias;
    DeviceMatrix m_output;
    DeviceBuffer m_inverseFrequency; // double [headDim / 2]

    // Lent to the distributions of the last pass: the masked rows' logits,
    // which they turn into probabilities, and room for requests and results.
    DeviceBuffer m_pickedRows, m_maskedLogits, m_samplingScratch;
    // Scratch of the network, grown to the largest chunk seen.
    DeviceBuffer m_passScalars, m_tokens, m_outputRows, m_h, m_normed, m_qkv, m_attention, m_projected, m_wide,
        m_wideActivation, m_logits;
};

CudaBackend::CudaBackend(int device, const ModelConfig& config, NetworkWeights weights, WeightPrecision precision)
    : m_device(device), m_config(config), m_bf16(precision == WeightPrecision::BFloat16),
      m_activation(m_bf16 ? Activation::BFloat16 : Activation::Float32)
{
    const cuda::CublasLibrary& blas = cuda::cublas();
    check(cudaSetDevice(m_device), "cudaSetDevice");

    const int64_t needed = deviceWeightBytes(config, m_bf16);
    size_t free = 0, total = 0;
    check(cudaMemGetInfo(&free, &total), "cudaMemGetInfo");
    if (static_cast<int64_t>(free) < needed)
        throw Error("out of GPU memory: the weights need " + std::to_string(needed) + " bytes (" +
                    cuda::formatBytes(needed) + ") but the GPU has " + cuda::formatBytes(static_cast<int64_t>(free)) +
                    " free of " + cuda::formatBytes(static_cast<int64_t>(total)) +
                    (m_bf16 ? "" : "; bf16 weights take half as much"));

    check(cudaStreamCreateWithFlags(&m_stream, cudaStreamNonBlocking), "cudaStreamCreateWithFlags");
    try {
        checkCublas(blas.create(&m_cublas), "cublasCreate");
        checkCublas(blas.setStream(m_cublas, m_stream), "cublasSetStream");
        // No TF32: fp32 weights are for results that match the CPU.
        checkCublas(blas.setMathMode(m_cublas, CUBLAS_DEFAULT_MATH), "cublasSetMathMode");
        m_cublasWorkspace.allocate(cublasWorkspaceBytes, "cuBLAS's workspace");
        checkCublas(blas.setWorkspace(m_cublas, m_cublasWorkspace.data(), m_cublasWorkspace.bytes()),
                    "cublasSetWorkspace");
        m_passScalars.allocate(sizeof(cuda::PassScalars), "the pass's scalars");
        const char* graphs = std::getenv("BD3_CUDA_GRAPHS");
        m_useGraphs = graphs == nullptr || std::string_view(graphs) != "0";

        const int32_t D = config.hiddenDim, V = config.vocabSize;
        m_embedding = upload(weights.embedding, "the token embedding");
        for (LayerWeights& layer : weights.layers) {
            DeviceLayer& l = m_layers.emplace_back();
            l.norm1 = upload(layer.norm1, "a layer norm");
            l.norm2 = upload(layer.norm2, "a layer norm");
            l.modulation = upload(layer.modulation, "the adaLN modulation");
            l.mlpInBias = upload(layer.mlpInBias, "an MLP bias");
            l.mlpOutBias = upload(layer.mlpOutBias, "an MLP bias");
            l.qkv = uploadMatrix(layer.qkv, 3 * D, D, "the attention qkv weights");
            l.attnOut = uploadMatrix(layer.attnOut, D, D, "the attention output weights");
            l.mlpIn = uploadMatrix(layer.mlpIn, 4 * D, D, "the MLP input weights");
            l.mlpOut = uploadMatrix(layer.mlpOut, D, 4 * D, "the MLP output weights");
        }
        m_finalNorm = upload(weights.finalNorm, "the final norm");
        m_finalModulation = upload(weights.finalModulation, "the final modulation");
        m_outputBias = upload(weights.outputBias, "the output bias");
        m_output = uploadMatrix(weights.outputWeight, V, D, "the output layer weights");

        const int32_t half = config.headDim() / 2;
        std::vector<double> inverseFrequency(static_cast<size_t>(half));
        for (int32_t i = 0; i < half; ++i)
            inverseFrequency[static_cast<size_t>(i)] = std::pow(10000.0, -2.0 * i / config.headDim());
        m_inverseFrequency.upload(inverseFrequency.data(), inverseFrequency.size() * sizeof(double),
                                  "the rotary frequencies");
        m_weightBytes += static_cast<int64_t>(m_inverseFrequency.bytes());
    } catch (...) {
        if (m_cublas != nullptr) blas.destroy(m_cublas);
        cudaStreamDestroy(m_stream);
        throw;
    }
}

CudaBackend::~CudaBackend()
{
    cudaSetDevice(m_device);
    clearGraphs();
    if (m_cublas != nullptr) cuda::cublas().destroy(m_cublas);
    if (m_stream != nullptr) cudaStreamDestroy(m_stream);
}

DeviceBuffer CudaBackend::upload(std::vector<float>& values, const char* what)
{
    DeviceBuffer buffer;
    buffer.upload(values.data(), values.size() * sizeof(float), what);
    m_weightBytes += static_cast<int64_t>(buffer.bytes());
    std::vector<float>().swap(values); // the host copy is no longer needed
    return buffer;
}

DeviceMatrix CudaBackend::uploadMatrix(std::vector<float>& values, int32_t out, int32_t in, const char* what)
{
    if (values.size() != static_cast<size_t>(out) * static_cast<size_t>(in))
        throw Error(std::string("internal: ") + what + " have the wrong size");
    DeviceMatrix matrix{{}, out, in};
    if (m_bf16) {
        std::vector<uint16_t> halves(values.size());
        for (size_t i = 0; i < values.size(); ++i) halves[i] = toBf16(values[i]);
        matrix.data.upload(halves.data(), halves.size() * sizeof(uint16_t), what);
    } else {
        matrix.data.upload(values.data(), values.size() * sizeof(float), what);
    }
    m_weightBytes += static_cast<int64_t>(matrix.data.bytes());
    std::vector<float>().swap(values);
    return matrix;
}

void CudaBackend::multiply(const void* x, int32_t n, const DeviceMatrix& w, float* y)
{
    // Column-major view: y^T (out, n) = W (out, in) x^T (in, n), where the
    // row-major W [out, in] is the column-major (in, out) matrix W^T.
    const float one = 1.0F, zero = 0.0F;
    const cudaDataType type = m_bf16 ? CUDA_R_16BF : CUDA_R_32F;
    checkCublas(cuda::cublas().gemmEx(m_cublas, CUBLAS_OP_T, CUBLAS_OP_N, w.out, n, w.in, &one, w.data.data(), type,
                                      w.in, x, type, w.in, &zero, y, CUDA_R_32F, w.out, CUBLAS_COMPUTE_32F,
                                      CUBLAS_GEMM_DEFAULT),
                "cublasGemmEx");
}

void CudaBackend::reserveWorkspace(int32_t rows, int32_t outputs)
{
    const auto n = static_cast<size_t>(rows), D = static_cast<size_t>(m_config.hiddenDim);
    const size_t activation = m_bf16 ? 2 : 4;
    auto reserve = [this](DeviceBuffer& buffer, size_t bytes, const char* what) {
        if (bytes <= buffer.bytes()) return;
        clearGraphs();
        buffer.allocate(bytes, what);
    };
    reserve(m_tokens, n * sizeof(int32_t), "the chunk's tokens");
    reserve(m_outputRows, static_cast<size_t>(outputs) * sizeof(int32_t), "the output rows");
    reserve(m_h, n * D * 4, "the residual stream");
    reserve(m_normed, std::max(n, static_cast<size_t>(outputs)) * D * activation, "normalised activations");
    reserve(m_qkv, n * 3 * D * 4, "q, k and v");
    reserve(m_attention, n * D * activation, "the attention output");
    reserve(m_projected, n * D * 4, "projected activations");
    reserve(m_wide, n * 4 * D * 4, "the MLP's hidden activations");
    reserve(m_wideActivation, n * 4 * D * activation, "the MLP's hidden activations");
    reserve(m_logits, static_cast<size_t>(outputs) * static_cast<size_t>(m_config.vocabSize) * 4, "the logits");
}

CudaKvCache& CudaBackend::enqueueForward(const ForwardPass& pass, KvCache& cacheBase, size_t logitsSize)
{
    auto* cachePointer = dynamic_cast<CudaKvCache*>(&cacheBase);
    if (cachePointer == nullptr || cachePointer->owner() != this)
        throw Error("internal: the key/value cache was not made by this CUDA backend");
    CudaKvCache& cache = *cachePointer;
    const int32_t V = m_config.vocabSize;
    const auto rows = static_cast<int32_t>(pass.tokens.size());
    checkForwardPass(pass, cache, logitsSize, V);
    const auto outputs = static_cast<int32_t>(pass.outputRows.size());

    check(cudaSetDevice(m_device), "cudaSetDevice");
    reserveWorkspace(rows, outputs);
    // Pageable copies: each returns once its source is staged, so the host
    // values may change right after.
    const cuda::PassScalars scalars{cache.nextPosition(), cache.length()};
    check(cudaMemcpyAsync(m_passScalars.data(), &scalars, sizeof scalars, cudaMemcpyHostToDevice, m_stream),
          "cudaMemcpyAsync (pass scalars to the GPU)");
    check(cudaMemcpyAsync(m_tokens.data(), pass.tokens.data(), pass.tokens.size_bytes(), cudaMemcpyHostToDevice,
                          m_stream),
          "cudaMemcpyAsync (tokens to the GPU)");
    if (outputs > 0)
        check(cudaMemcpyAsync(m_outputRows.data(), pass.outputRows.data(), pass.outputRows.size_bytes(),
                              cudaMemcpyHostToDevice, m_stream),
              "cudaMemcpyAsync (output rows to the GPU)");

    const PassShape shape{rows, outputs, pass.firstBlock, pass.blockSize, cache.keys(0), cache.capacity()};
    if (!m_useGraphs) {
        enqueueNetwork(shape, cache);
        return cache;
    }
    auto graph = m_graphs.find(shape);
    if (graph == m_graphs.end()) {
        // A shape's first pass runs as plain launches: one-off shapes (a
        // prompt) are never captured, and cuBLAS's first call for a shape
        // and the loading of kernels happen outside any capture.
        if (m_seenShapes.insert(shape).second) {
            enqueueNetwork(shape, cache);
            return cache;
        }
        if (m_graphs.size() >= maxCapturedShapes) clearGraphs();
        check(cudaStreamBeginCapture(m_stream, cudaStreamCaptureModeThreadLocal), "cudaStreamBeginCapture");
        cudaGraph_t captured = nullptr;
        try {
            enqueueNetwork(shape, cache);
        } catch (...) {
            cudaStreamEndCapture(m_stream, &captured);
            cudaGetLastError(); // the invalidated capture's error, not to be blamed on a later launch
            if (captured != nullptr) cudaGraphDestroy(captured);
            throw;
        }
        check(cudaStreamEndCapture(m_stream, &captured), "cudaStreamEndCapture");
        cudaGraphExec_t exec = nullptr;
        const cudaError_t instantiated = cudaGraphInstantiate(&exec, captured, 0);
        cudaGraphDestroy(captured);
        check(instantiated, "cudaGraphInstantiate");
        graph = m_graphs.emplace(shape, GraphExec(exec)).first;
    }
    check(cudaGraphLaunch(graph->second.get(), m_stream), "cudaGraphLaunch");
    return cache;
}

void CudaBackend::enqueueNetwork(const PassShape& shape, const CudaKvCache& cache)
{
    const int32_t D = m_config.hiddenDim, V = m_config.vocabSize, heads = m_config.heads, hd = m_config.headDim();
    const int32_t rows = shape.rows, outputs = shape.outputs;
    const auto* scalars = m_passScalars.as<cuda::PassScalars>();
    float* h = m_h.as<float>();
    float* qkv = m_qkv.as<float>();
    float* projected = m_projected.as<float>();
    cuda::embed(m_tokens.as<int32_t>(), m_embedding.as<float>(), rows, D, h, m_stream);

    for (int32_t l = 0; l < m_config.layers; ++l) {
        const DeviceLayer& layer = m_layers[static_cast<size_t>(l)];
        const float* mod = layer.modulation.as<float>();
        const float *shift1 = mod, *scale1 = mod + D, *gate1 = mod + 2 * D;
        const float *shift2 = mod + 3 * D, *scale2 = mod + 4 * D, *gate2 = mod + 5 * D;
        float* keys = cache.keys(l);
        float* values = cache.values(l);

        cuda::modulatedLayerNorm(h, nullptr, rows, D, layer.norm1.as<float>(), shift1, scale1, m_normed.data(),
                                 m_activation, m_stream);
        multiply(m_normed.data(), rows, layer.qkv, qkv);
        cuda::rotaryAndStore(qkv, rows, heads, hd, scalars, m_inverseFrequency.as<double>(), keys, values, m_stream);
        cuda::attention(qkv, rows, heads, hd, keys, values, scalars, shape.firstBlock, shape.blockSize,
                        m_attention.data(), m_activation, m_stream);
        multiply(m_attention.data(), rows, layer.attnOut, projected);
        cuda::gatedResidual(h, projected, nullptr, gate1, rows, D, m_stream);

        cuda::modulatedLayerNorm(h, nullptr, rows, D, layer.norm2.as<float>(), shift2, scale2, m_normed.data(),
                                 m_activation, m_stream);
        multiply(m_normed.data(), rows, layer.mlpIn, m_wide.as<float>());
        cuda::biasGelu(m_wide.as<float>(), layer.mlpInBias.as<float>(), rows, 4 * D, m_wideActivation.data(),
                       m_activation, m_stream);
        multiply(m_wideActivation.data(), rows, layer.mlpOut, projected);
        cuda::gatedResidual(h, projected, layer.mlpOutBias.as<float>(), gate2, rows, D, m_stream);
    }

    if (outputs > 0) {
        // The output layer only for the rows asked for: (outputs, D) -> (outputs, V).
        const float* finalMod = m_finalModulation.as<float>();
        cuda::modulatedLayerNorm(h, m_outputRows.as<int32_t>(), outputs, D, m_finalNorm.as<float>(), finalMod,
                                 finalMod + D, m_normed.data(), m_activation, m_stream);
        multiply(m_normed.data(), outputs, m_output, m_logits.as<float>());
        cuda::addBias(m_logits.as<float>(), m_outputBias.as<float>(), outputs, V, m_stream);
    }
}

void CudaBackend::forward(const ForwardPass& pass, KvCache& cacheBase, std::span<float> logits)
{
    CudaKvCache& cache = enqueueForward(pass, cacheBase, logits.size());
    if (!logits.empty())
        check(cudaMemcpyAsync(logits.data(), m_logits.data(), logits.size_bytes(), cudaMemcpyDeviceToHost, m_stream),
              "cudaMemcpyAsync (logits to the host)");
    // Errors of the kernels surface here, before the cache counts the rows.
    check(cudaStreamSynchronize(m_stream), "cudaStreamSynchronize (forward pass)");
    cache.append(pass.keepRows);
}

std::unique_ptr<MaskedDistributions> CudaBackend::forwardToDistributions(const ForwardPass& pass, KvCache& cacheBase,
                                                                         std::span<const int32_t> offsets,
                                                                         const DistributionParams& params)
{
    checkDistributionPass(pass, offsets);
    const int32_t V = m_config.vocabSize;
    const auto rows = static_cast<int32_t>(pass.tokens.size());
    // The output layer runs for every row from the start of the block that
    // holds the first output row: at these row counts its time is reading
    // the weights, whatever the rows, and every step of a block then has the
    // same pass shape, so the step replays one captured graph while the
    // block's masked rows dwindle. The masked rows are gathered after.
    int32_t start = rows;
    if (!pass.outputRows.empty()) {
        const int32_t first = *std::min_element(pass.outputRows.begin(), pass.outputRows.end());
        const int32_t firstBlock = pass.firstBlock > 0 ? pass.firstBlock : pass.blockSize;
        start = first < firstBlock ? 0 : firstBlock + (first - firstBlock) / pass.blockSize * pass.blockSize;
    }
    std::vector<int32_t> computed(static_cast<size_t>(rows - start)), picked;
    std::iota(computed.begin(), computed.end(), start);
    for (const int32_t row : pass.outputRows) picked.push_back(row - start);
    ForwardPass whole = pass;
    whole.outputRows = computed;
    CudaKvCache& cache = enqueueForward(whole, cacheBase, computed.size() * static_cast<size_t>(V));

    const auto masked = static_cast<int32_t>(picked.size());
    float* logits = nullptr;
    if (masked > 0) {
        // Not read by any captured graph, so these may grow freely.
        m_pickedRows.reserve(picked.size() * sizeof(int32_t), "the masked rows");
        m_maskedLogits.reserve(picked.size() * static_cast<size_t>(V) * sizeof(float), "the masked rows' logits");
        check(cudaMemcpyAsync(m_pickedRows.data(), picked.data(), picked.size() * sizeof(int32_t),
                              cudaMemcpyHostToDevice, m_stream),
              "cudaMemcpyAsync (masked rows to the GPU)");
        logits = m_maskedLogits.as<float>();
        cuda::gatherRows(m_logits.as<float>(), m_pickedRows.as<int32_t>(), masked, V, logits, m_stream);
    }
    // The distributions turn the logits into probabilities in place; they are
    // used up before the next pass writes the buffer again.
    auto distributions = makeCudaDistributions(logits, m_samplingScratch, offsets, params, m_stream);
    check(cudaStreamSynchronize(m_stream), "cudaStreamSynchronize (forward pass)");
    cache.append(pass.keepRows);
    return distributions;
}

} // namespace

double CudaBackend::measureProductGflops(int32_t rows, double seconds)
{
    // The first layer's products, as a pass makes them; the inputs' values
    // do not change the time of a dense product.
    check(cudaSetDevice(m_device), "cudaSetDevice");
    const DeviceLayer& layer = m_layers.front();
    const auto D = static_cast<size_t>(m_config.hiddenDim), n = static_cast<size_t>(rows);
    DeviceBuffer x, y;
    x.allocate(n * 4 * D * (m_bf16 ? 2 : 4), "the product probe's input");
    y.allocate(n * 4 * D * 4, "the product probe's output");
    check(cudaMemsetAsync(x.data(), 0, x.bytes(), m_stream), "cudaMemsetAsync");
    const std::initializer_list<const DeviceMatrix*> matrices{&layer.qkv, &layer.attnOut, &layer.mlpIn, &layer.mlpOut};
    double flopsPerRound = 0.0;
    for (const DeviceMatrix* w : matrices) flopsPerRound += 2.0 * rows * w->out * w->in;
    auto round = [&] {
        for (const DeviceMatrix* w : matrices) multiply(x.data(), rows, *w, y.as<float>());
    };
    round(); // warm-up: cuBLAS picks its kernels
    check(cudaStreamSynchronize(m_stream), "cudaStreamSynchronize");
    const auto start = Clock::now();
    double flops = 0.0;
    do {
        for (int i = 0; i < 10; ++i) round();
        check(cudaStreamSynchronize(m_stream), "cudaStreamSynchronize (product probe)");
        flops += 10 * flopsPerRound;
    } while (secondsSince(start) < seconds);
    return flops / secondsSince(start) / 1e9;
}

double CudaBackend::measureCopyBandwidth(double seconds)
{
    // Device-to-device copies of 512 MiB, far beyond the L2 cache.
    check(cudaSetDevice(m_device), "cudaSetDevice");
    constexpr size_t bytes = size_t{1} << 29;
    DeviceBuffer from, to;
    from.allocate(bytes, "the bandwidth probe's source");
    to.allocate(bytes, "the bandwidth probe's destination");
    check(cudaMemsetAsync(from.data(), 1, bytes, m_stream), "cudaMemsetAsync");
    check(cudaMemcpyAsync(to.data(), from.data(), bytes, cudaMemcpyDeviceToDevice, m_stream), "cudaMemcpyAsync");
    check(cudaStreamSynchronize(m_stream), "cudaStreamSynchronize");
    double copied = 0.0;
    const auto start = Clock::now();
    do {
        for (int i = 0; i < 10; ++i)
            check(cudaMemcpyAsync(to.data(), from.data(), bytes, cudaMemcpyDeviceToDevice, m_stream),
                  "cudaMemcpyAsync (bandwidth probe)");
        check(cudaStreamSynchronize(m_stream), "cudaStreamSynchronize (bandwidth probe)");
        copied += 10.0 * static_cast<double>(bytes);
    } while (secondsSince(start) < seconds);
    return copied / secondsSince(start) / 1e9;
}

std::string cudaUnavailableReason()
{
    int count = 0;
    const cudaError_t error = cudaGetDeviceCount(&count);
    if (error != cudaSuccess) {
        cudaGetLastError();
        return std::string("no usable CUDA device: ") + cudaGetErrorString(error);
    }
    if (count == 0) return "no usable CUDA device: the driver reports none";
    cudaDeviceProp properties{};
    if (const cudaError_t e = cudaGetDeviceProperties(&properties, 0); e != cudaSuccess)
        return std::string("no usable CUDA device: ") + cudaGetErrorString(e);
    if (properties.major < 8)
        return std::string("no usable CUDA device: ") + properties.name + " has compute capability " +
               std::to_string(properties.major) + "." + std::to_string(properties.minor) +
               " and the CUDA backend needs 8.0 or newer";
    try {
        cuda::cublas();
    } catch (const Error& e) {
        return std::string("no usable CUDA device: ") + e.what();
    }
    return {};
}

std::unique_ptr<Backend> makeCudaBackend(const ModelConfig& config, NetworkWeights weights, WeightPrecision precision)
{
    return std::make_unique<CudaBackend>(0, config, std::move(weights), precision);
}

} // namespace bd3
