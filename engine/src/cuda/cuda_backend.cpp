#include "cuda/cuda_backend.hpp"

#include "bd3/error.hpp"
#include "cuda/cublas_library.hpp"
#include "cuda/cuda_check.hpp"
#include "cuda/cuda_distributions.hpp"
#include "cuda/cuda_kernels.hpp"
#include "families/family_registry.hpp"
#include "formats/quantized_blocks.hpp"
#include "stopwatch.hpp"

#include <cuda_runtime.h>

#include <algorithm>
#include <array>
#include <cstdlib>
#include <map>
#include <numeric>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace bd3 {

namespace {

using cuda::check;
using cuda::checkCublas;
using cuda::DeviceBuffer;
using cuda::ElementType;
using cuda::View;

// Keys and values per layer, [capacity, width] each (Network::cacheLayout()):
// rows [0, length) are cached, the rows after them are scratch for the chunk
// being run, kept only when the pass asks for it.
class CudaKvCache final : public KvCache {
public:
    CudaKvCache(const void* owner, int32_t capacity, CacheLayout layout)
        : KvCache(capacity), m_owner(owner), m_layers(layout.layers), m_width(layout.width),
          m_layerFloats(static_cast<size_t>(capacity) * static_cast<size_t>(layout.width))
    {
        m_buffer.allocate(static_cast<size_t>(layout.layers) * 2 * m_layerFloats * sizeof(float),
                          "the key/value cache");
    }

    const void* owner() const { return m_owner; }
    int32_t layers() const { return m_layers; }
    int32_t width() const { return m_width; }
    float* keys(int32_t layer) const { return m_buffer.as<float>() + static_cast<size_t>(2 * layer) * m_layerFloats; }
    float* values(int32_t layer) const { return keys(layer) + m_layerFloats; }

    void append(int32_t count)
    {
        m_length += count;
        m_nextPosition += count;
    }

private:
    const void* m_owner;
    int32_t m_layers;
    int32_t m_width;
    size_t m_layerFloats;
    DeviceBuffer m_buffer;
};

// A matrix [out, in] on the device in its stored type (or bf16).
struct DeviceMatrix {
    DeviceBuffer data;
    ElementType type = ElementType::Float32;
    cudaDataType cublasType = CUDA_R_32F;
    int32_t out = 0;
    int32_t in = 0;
};

struct DeviceVector {
    DeviceBuffer data;
    int32_t size = 0;
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

ElementType elementType(DType dtype)
{
    switch (dtype) {
    case DType::F16: return ElementType::Float16;
    case DType::BF16: return ElementType::BFloat16;
    case DType::F32: break;
    case DType::Q8_0:
    case DType::Q4_0: throw Error("internal: quantized matrices are widened to bf16 before they reach the GPU");
    }
    return ElementType::Float32;
}

cudaDataType cublasType(DType dtype)
{
    switch (dtype) {
    case DType::F16: return CUDA_R_16F;
    case DType::BF16: return CUDA_R_16BF;
    case DType::F32: break;
    case DType::Q8_0:
    case DType::Q4_0: throw Error("internal: quantized matrices are widened to bf16 before they reach the GPU");
    }
    return CUDA_R_32F;
}

View view(const Rows& rows) { return {rows.data, rows.rows, rows.width, rows.stride}; }

std::string shapeOf(const Rows& rows) { return "[" + std::to_string(rows.rows) + ", " + std::to_string(rows.width) + "]"; }

class CudaBackend final : public Backend, private NetworkOps {
public:
    CudaBackend(int device, const ModelConfig& config, ModelWeights& weights, WeightPrecision precision);
    ~CudaBackend() override;
    CudaBackend(const CudaBackend&) = delete;
    CudaBackend& operator=(const CudaBackend&) = delete;

    std::string_view name() const override { return "cuda"; }
    unsigned hostThreads() const override { return 1; }
    int64_t weightBytes() const override { return m_weightBytes; }
    std::unique_ptr<KvCache> newCache(int32_t capacity) const override
    {
        check(cudaSetDevice(m_device), "cudaSetDevice");
        return std::make_unique<CudaKvCache>(this, capacity, m_network->cacheLayout());
    }
    void forward(const ForwardPass& pass, KvCache& cacheBase, std::span<float> logits) override;
    std::unique_ptr<MaskedDistributions> forwardToDistributions(const ForwardPass& pass, KvCache& cacheBase,
                                                                std::span<const int32_t> offsets,
                                                                const DistributionParams& params) override;
    double measureProductGflops(int32_t rows, double seconds) override;
    double measureStreamBandwidth(double seconds) override;

private:
    // NetworkOps, over device memory.
    MatrixId addMatrix(StoredTensor tensor) override;
    VectorId addVector(std::vector<float> values) override;
    Rows scratch(Slot slot, int32_t rows, int32_t width) override;
    Rows logits() override;
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

    // Before the first matrix goes to the device: the weights' bytes there
    // against the memory the GPU has free.
    void checkDeviceMemory(const StoredTensor& first);
    // Runs the pass on the stream, leaving the logits of the output rows in
    // m_logits ([outputs, V], fp32); the caller synchronises. Returns the
    // cache, checked to be this backend's. With graphs on, the network's
    // kernels and products are captured once per pass shape and replayed.
    CudaKvCache& enqueueForward(const ForwardPass& pass, KvCache& cacheBase, size_t logitsSize);
    // The family's layers for a pass of this shape, reading the tokens,
    // output rows and pass scalars already on the device.
    void enqueueNetwork(const PassShape& shape, const CudaKvCache& cache);
    // y [rows, w.out] (ldy apart) = x [rows, w.in] W^T, x in W's type ldx apart.
    void product(const void* x, int32_t ldx, int32_t rows, const DeviceMatrix& w, float* y, int32_t ldy);
    // Grows a buffer the network's passes use, dropping the captured graphs
    // first (they point at the memory freed), even if the allocation fails.
    // The first pass of a shape runs uncaptured and grows what it needs, so a
    // capture never has to.
    void reserve(DeviceBuffer& buffer, size_t bytes, const char* what);
    void clearGraphs()
    {
        m_graphs.clear();
        m_seenShapes.clear();
    }
    const DeviceMatrix& matrix(MatrixId id) const;
    // The vector's device memory, checked to hold size floats.
    const float* vector(VectorId id, int32_t size) const;

    int m_device;
    ModelConfig m_config;
    WeightPrecision m_precision;
    int64_t m_weightBytes = 0;
    cudaStream_t m_stream = nullptr;
    cublasHandle_t m_cublas = nullptr;
    DeviceBuffer m_cublasWorkspace;
    // BD3_CUDA_GRAPHS=0 runs every kernel with its own launch, for comparison.
    bool m_useGraphs = true;
    std::map<PassShape, GraphExec> m_graphs;
    std::set<PassShape> m_seenShapes; // run once; captured when seen again

    ModelWeights* m_loading = nullptr; // the weights, while the network loads
    bool m_memoryChecked = false;
    std::vector<DeviceMatrix> m_matrices;
    std::vector<DeviceVector> m_vectors;
    std::unique_ptr<Network> m_network;

    // Scratch of the network, grown to the largest pass seen.
    std::array<DeviceBuffer, static_cast<size_t>(Slot::Count)> m_scratch;
    DeviceBuffer m_converted; // a product's input in its weights' 16-bit type
    DeviceBuffer m_passScalars, m_tokens, m_outputRows, m_logits;
    // Lent to the distributions of the last pass: the masked rows' logits,
    // which they turn into probabilities, and room for requests and results.
    DeviceBuffer m_pickedRows, m_maskedLogits, m_samplingScratch;

    // The pass being enqueued.
    PassShape m_shape;
    const CudaKvCache* m_cache = nullptr;
    bool m_capturing = false;
};

CudaBackend::CudaBackend(int device, const ModelConfig& config, ModelWeights& weights, WeightPrecision precision)
    : m_device(device), m_config(config), m_precision(precision)
{
    const cuda::CublasLibrary& blas = cuda::cublas();
    check(cudaSetDevice(m_device), "cudaSetDevice");
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

        m_loading = &weights;
        m_network = familyNamed(config.familyName).makeNetwork(config, weights, *this, precision);
        m_loading = nullptr;
    } catch (...) {
        m_loading = nullptr;
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

void CudaBackend::checkDeviceMemory(const StoredTensor& first)
{
    if (m_memoryChecked || m_loading == nullptr) return;
    m_memoryChecked = true;
    // The family has checked the tensors against what it expects before
    // handing over the first one. The matrices stay in their stored type, or
    // become bf16; the small vectors are fp32 (at most twice their stored
    // bytes, and few). A model's tensors share one stored type: the first
    // matrix's (a matrix assembled at load has the type of its parts).
    DType stored = first.dtype;
    try {
        stored = m_loading->info(first.name).dtype;
    } catch (const Error&) {
    }
    uint64_t needed = m_loading->expectedBytes();
    const bool halved = m_precision == WeightPrecision::BFloat16 && stored == DType::F32;
    if (halved) needed /= 2;
    // Quantized blocks become bf16 on the device: 64 bytes per block of 32.
    if (isQuantized(stored)) needed = needed / blockBytes(stored) * 2 * kQuantBlock;
    size_t free = 0, total = 0;
    check(cudaMemGetInfo(&free, &total), "cudaMemGetInfo");
    if (static_cast<uint64_t>(free) < needed)
        throw Error("out of GPU memory: the weights need " + std::to_string(needed) + " bytes (" +
                    cuda::formatBytes(static_cast<int64_t>(needed)) + ") but the GPU has " +
                    cuda::formatBytes(static_cast<int64_t>(free)) + " free of " +
                    cuda::formatBytes(static_cast<int64_t>(total)) +
                    (m_precision == WeightPrecision::Float32 && stored == DType::F32
                         ? "; bf16 weights take half as much"
                         : ""));
}

MatrixId CudaBackend::addMatrix(StoredTensor tensor)
{
    // No quantized kernels on the GPU yet: quantized weights are widened to
    // bf16 as they load (docs/performance.md).
    if (isQuantized(tensor.dtype)) tensor = tensor.toBf16();
    if (tensor.shape.size() != 2 || tensor.shape[0] < 1 || tensor.shape[1] < 1 ||
        tensor.bytes.size() != static_cast<size_t>(tensor.elements()) * dtypeSize(tensor.dtype))
        throw Error("internal: '" + tensor.name + "' of shape " + shapeText(tensor.shape) + " is not a matrix");
    checkDeviceMemory(tensor);
    DeviceMatrix& m = m_matrices.emplace_back();
    m.type = elementType(tensor.dtype);
    m.cublasType = cublasType(tensor.dtype);
    m.out = static_cast<int32_t>(tensor.shape[0]);
    m.in = static_cast<int32_t>(tensor.shape[1]);
    m.data.upload(tensor.bytes.data(), tensor.bytes.size(), ("'" + tensor.name + "'").c_str());
    m_weightBytes += static_cast<int64_t>(m.data.bytes());
    return static_cast<MatrixId>(m_matrices.size() - 1);
}

VectorId CudaBackend::addVector(std::vector<float> values)
{
    DeviceVector& v = m_vectors.emplace_back();
    v.size = static_cast<int32_t>(values.size());
    v.data.upload(values.data(), values.size() * sizeof(float), "a weight vector");
    m_weightBytes += static_cast<int64_t>(v.data.bytes());
    return static_cast<VectorId>(m_vectors.size() - 1);
}

const DeviceMatrix& CudaBackend::matrix(MatrixId id) const
{
    if (id < 0 || static_cast<size_t>(id) >= m_matrices.size())
        throw Error("internal: no matrix " + std::to_string(id));
    return m_matrices[static_cast<size_t>(id)];
}

const float* CudaBackend::vector(VectorId id, int32_t size) const
{
    if (id < 0 || static_cast<size_t>(id) >= m_vectors.size() || m_vectors[static_cast<size_t>(id)].size != size)
        throw Error("internal: vector " + std::to_string(id) + " does not hold " + std::to_string(size) + " values");
    return m_vectors[static_cast<size_t>(id)].data.as<float>();
}

void CudaBackend::reserve(DeviceBuffer& buffer, size_t bytes, const char* what)
{
    if (bytes <= buffer.bytes()) return;
    if (m_capturing) throw Error(std::string("internal: ") + what + " grew while a pass was being captured");
    clearGraphs();
    buffer.allocate(bytes, what);
}

Rows CudaBackend::scratch(Slot slot, int32_t rows, int32_t width)
{
    DeviceBuffer& buffer = m_scratch[static_cast<size_t>(slot)];
    reserve(buffer, static_cast<size_t>(rows) * static_cast<size_t>(width) * sizeof(float), "the network's activations");
    return {buffer.as<float>(), rows, width, width};
}

Rows CudaBackend::logits()
{
    const int32_t V = m_config.vocabSize;
    reserve(m_logits, static_cast<size_t>(m_shape.outputs) * static_cast<size_t>(V) * sizeof(float), "the logits");
    return {m_logits.as<float>(), m_shape.outputs, V, V};
}

void CudaBackend::embedTokens(MatrixId table, Rows out)
{
    const DeviceMatrix& t = matrix(table);
    if (out.width != t.in || out.rows != m_shape.rows)
        throw Error("internal: embedding of " + std::to_string(t.in) + " columns into " + shapeOf(out));
    cuda::embed(m_tokens.as<int32_t>(), t.data.data(), t.type, view(out), m_stream);
}

void CudaBackend::product(const void* x, int32_t ldx, int32_t rows, const DeviceMatrix& w, float* y, int32_t ldy)
{
    // Column-major view: y^T (out, rows) = W (out, in) x^T (in, rows), where
    // the row-major W [out, in] is the column-major (in, out) matrix W^T.
    const float one = 1.0F, zero = 0.0F;
    checkCublas(cuda::cublas().gemmEx(m_cublas, CUBLAS_OP_T, CUBLAS_OP_N, w.out, rows, w.in, &one, w.data.data(),
                                      w.cublasType, w.in, x, w.cublasType, ldx, &zero, y, CUDA_R_32F, ldy,
                                      CUBLAS_COMPUTE_32F, CUBLAS_GEMM_DEFAULT),
                "cublasGemmEx");
}

void CudaBackend::linear(Rows x, MatrixId id, std::optional<VectorId> bias, Rows out)
{
    const DeviceMatrix& w = matrix(id);
    if (x.width != w.in || out.width != w.out || out.rows != x.rows)
        throw Error("internal: product of " + shapeOf(x) + " by [" + std::to_string(w.out) + ", " +
                    std::to_string(w.in) + "] into " + shapeOf(out));
    if (x.rows == 0) return;
    const void* input = x.data;
    int32_t ldx = x.stride;
    if (w.type != ElementType::Float32) {
        // cuBLAS multiplies operands of one type: the input in the weights'.
        reserve(m_converted, static_cast<size_t>(x.rows) * static_cast<size_t>(x.width) * 2, "a product's input");
        cuda::convertRows(view(x), w.type, m_converted.data(), m_stream);
        input = m_converted.data();
        ldx = x.width;
    }
    product(input, ldx, x.rows, w, out.data, out.stride);
    if (bias) cuda::addBias(view(out), vector(*bias, w.out), m_stream);
}

void CudaBackend::rmsNorm(Rows x, VectorId weight, double eps, int32_t groupWidth, Rows out)
{
    if (out.rows != x.rows || out.width != x.width)
        throw Error("internal: RMSNorm of " + shapeOf(x) + " into " + shapeOf(out));
    cuda::rmsNorm(view(x), vector(weight, groupWidth), eps, groupWidth, view(out), m_stream);
}

void CudaBackend::modulatedLayerNorm(Rows x, VectorId weight, VectorId shift, VectorId scale, Rows out)
{
    if (out.rows != x.rows || out.width != x.width)
        throw Error("internal: LayerNorm of " + shapeOf(x) + " into " + shapeOf(out));
    cuda::modulatedLayerNorm(view(x), vector(weight, x.width), vector(shift, x.width), vector(scale, x.width),
                             view(out), m_stream);
}

void CudaBackend::rotary(Rows x, int32_t heads, int32_t headDim, double theta)
{
    if (heads < 1 || headDim < 2 || static_cast<int64_t>(heads) * headDim > x.width)
        throw Error("internal: rotary embedding of " + std::to_string(heads) + " heads of " + std::to_string(headDim) +
                    " over " + shapeOf(x));
    cuda::rotary(view(x), heads, headDim, theta, m_passScalars.as<cuda::PassScalars>(), m_stream);
}

void CudaBackend::attention(Rows q, Rows k, Rows v, const AttentionShape& shape, int32_t layer, Rows out)
{
    const CudaKvCache& cache = *m_cache;
    const int32_t qWidth = shape.heads * shape.headDim, kvWidth = shape.kvHeads * shape.headDim;
    if (shape.kvHeads < 1 || shape.heads % shape.kvHeads != 0 || kvWidth != cache.width() || layer < 0 ||
        layer >= cache.layers() || q.width != qWidth || out.width != qWidth || k.width != kvWidth ||
        v.width != kvWidth || q.rows != m_shape.rows || k.rows != q.rows || v.rows != q.rows || out.rows != q.rows)
        throw Error("internal: attention of q " + shapeOf(q) + ", k " + shapeOf(k) + ", v " + shapeOf(v) + " with " +
                    std::to_string(shape.heads) + "/" + std::to_string(shape.kvHeads) + " heads of " +
                    std::to_string(shape.headDim) + " at layer " + std::to_string(layer) + " into " + shapeOf(out));
    cuda::attention(view(q), view(k), view(v), shape.heads, shape.kvHeads, shape.headDim, cache.keys(layer),
                    cache.values(layer), cache.width(), m_passScalars.as<cuda::PassScalars>(), m_shape.firstBlock,
                    m_shape.blockSize, view(out), m_stream);
}

void CudaBackend::geluTanh(Rows x) { cuda::geluTanh(view(x), m_stream); }

void CudaBackend::siluGate(Rows gate, Rows up, Rows out)
{
    if (up.rows != gate.rows || up.width != gate.width || out.rows != gate.rows || out.width != gate.width)
        throw Error("internal: SiLU gate of " + shapeOf(gate) + " and " + shapeOf(up) + " into " + shapeOf(out));
    cuda::siluGate(view(gate), view(up), view(out), m_stream);
}

void CudaBackend::addInto(Rows h, Rows y, std::optional<VectorId> gate)
{
    if (y.rows != h.rows || y.width != h.width) throw Error("internal: " + shapeOf(y) + " added to " + shapeOf(h));
    cuda::addInto(view(h), view(y), gate ? vector(*gate, h.width) : nullptr, m_stream);
}

void CudaBackend::gatherOutputRows(Rows x, Rows out)
{
    if (out.rows != m_shape.outputs || out.width != x.width)
        throw Error("internal: " + std::to_string(m_shape.outputs) + " output rows of " + shapeOf(x) + " into " +
                    shapeOf(out));
    cuda::gatherRows(view(x), m_outputRows.as<int32_t>(), view(out), m_stream);
}

CudaKvCache& CudaBackend::enqueueForward(const ForwardPass& pass, KvCache& cacheBase, size_t logitsSize)
{
    auto* cachePointer = dynamic_cast<CudaKvCache*>(&cacheBase);
    if (cachePointer == nullptr || cachePointer->owner() != this)
        throw Error("internal: the key/value cache was not made by this CUDA backend");
    CudaKvCache& cache = *cachePointer;
    checkForwardPass(pass, cache, logitsSize, m_config.vocabSize);
    const auto rows = static_cast<int32_t>(pass.tokens.size());
    const auto outputs = static_cast<int32_t>(pass.outputRows.size());

    check(cudaSetDevice(m_device), "cudaSetDevice");
    reserve(m_tokens, pass.tokens.size_bytes(), "the chunk's tokens");
    reserve(m_outputRows, pass.outputRows.size_bytes(), "the output rows");
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
        // prompt) are never captured; cuBLAS's first call for a shape, the
        // loading of kernels and the growing of buffers happen outside any
        // capture.
        if (m_seenShapes.insert(shape).second) {
            enqueueNetwork(shape, cache);
            return cache;
        }
        if (m_graphs.size() >= maxCapturedShapes) clearGraphs();
        check(cudaStreamBeginCapture(m_stream, cudaStreamCaptureModeThreadLocal), "cudaStreamBeginCapture");
        cudaGraph_t captured = nullptr;
        m_capturing = true;
        try {
            enqueueNetwork(shape, cache);
        } catch (...) {
            m_capturing = false;
            cudaStreamEndCapture(m_stream, &captured);
            cudaGetLastError(); // the invalidated capture's error, not to be blamed on a later launch
            if (captured != nullptr) cudaGraphDestroy(captured);
            throw;
        }
        m_capturing = false;
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
    m_shape = shape;
    m_cache = &cache;
    try {
        m_network->forward(*this, shape.rows, shape.outputs);
    } catch (...) {
        m_cache = nullptr;
        throw;
    }
    m_cache = nullptr;
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
    // The device's distributions have temperature (0: greedy) and nucleus but
    // no top-k filter yet: a pass that asks for top-k gets the host's.
    if (params.topK > 0) return Backend::forwardToDistributions(pass, cacheBase, offsets, params);
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
        const View all{m_logits.as<float>(), static_cast<int32_t>(computed.size()), V, V};
        cuda::gatherRows(all, m_pickedRows.as<int32_t>(), View{logits, masked, V, V}, m_stream);
    }
    // The distributions turn the logits into probabilities in place; they are
    // used up before the next pass writes the buffer again.
    auto distributions = makeCudaDistributions(logits, m_samplingScratch, offsets, params, m_stream);
    check(cudaStreamSynchronize(m_stream), "cudaStreamSynchronize (forward pass)");
    cache.append(pass.keepRows);
    return distributions;
}

double CudaBackend::measureProductGflops(int32_t rows, double seconds)
{
    // The first layer's products, as a pass makes them; the inputs' values
    // do not change the time of a dense product.
    check(cudaSetDevice(m_device), "cudaSetDevice");
    std::vector<const DeviceMatrix*> matrices;
    int32_t widestIn = 0, widestOut = 0;
    double flopsPerRound = 0.0;
    for (const MatrixId id : m_network->layerProducts()) {
        const DeviceMatrix& w = matrix(id);
        matrices.push_back(&w);
        widestIn = std::max(widestIn, w.in);
        widestOut = std::max(widestOut, w.out);
        flopsPerRound += 2.0 * rows * w.out * w.in;
    }
    const auto n = static_cast<size_t>(rows);
    DeviceBuffer x, y;
    x.allocate(n * static_cast<size_t>(widestIn) * sizeof(float), "the product probe's input");
    y.allocate(n * static_cast<size_t>(widestOut) * sizeof(float), "the product probe's output");
    check(cudaMemsetAsync(x.data(), 0, x.bytes(), m_stream), "cudaMemsetAsync");
    auto round = [&] {
        for (const DeviceMatrix* w : matrices) product(x.data(), w->in, rows, *w, y.as<float>(), w->out);
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

double CudaBackend::measureStreamBandwidth(double seconds)
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

} // namespace

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

std::unique_ptr<Backend> makeCudaBackend(const ModelConfig& config, ModelWeights& weights, const LoadOptions& options)
{
    return std::make_unique<CudaBackend>(0, config, weights, options.precision);
}

} // namespace bd3
