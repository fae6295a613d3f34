#include "cuda/cuda_kernels.hpp"

#include "bd3/error.hpp"
#include "block_layout.hpp"
#include "cuda/block_reduce.cuh"
#include "cuda/cuda_check.hpp"

#include <cuda_bf16.h>
#include <cuda_fp16.h>

#include <cmath>
#include <string>

namespace bd3::cuda {

namespace {

constexpr int elementThreads = 256;

int blocksFor(int64_t count, int threads) { return static_cast<int>((count + threads - 1) / threads); }

// Threads for a reduction over width values: a multiple of 32, at most 256.
int reductionThreads(int32_t width)
{
    const int rounded = (width + warpSize32 - 1) / warpSize32 * warpSize32;
    return rounded < warpSize32 ? warpSize32 : (rounded > elementThreads ? elementThreads : rounded);
}

__device__ inline float* rowOf(const View& v, int64_t r) { return v.data + r * v.stride; }

// Element i of a view taken in row-major order.
__device__ inline float& element(const View& v, int64_t i) { return rowOf(v, i / v.width)[i % v.width]; }

__device__ inline int64_t elementIndex() { return static_cast<int64_t>(blockIdx.x) * blockDim.x + threadIdx.x; }

__device__ inline int64_t elements(const View& v) { return static_cast<int64_t>(v.rows) * v.width; }

__device__ inline float widen(const float* p, int64_t i) { return p[i]; }
__device__ inline float widen(const __half* p, int64_t i) { return __half2float(p[i]); }
__device__ inline float widen(const __nv_bfloat16* p, int64_t i) { return __bfloat162float(p[i]); }

__device__ inline void narrow(float v, __half* p)
{
    constexpr float largest = 65504.0F;
    *p = __float2half_rn(isnan(v) ? v : fminf(fmaxf(v, -largest), largest));
}
__device__ inline void narrow(float v, __nv_bfloat16* p) { *p = __float2bfloat16_rn(v); }

template <typename T> __global__ void embedKernel(const int32_t* tokens, const T* table, View out)
{
    const int64_t i = elementIndex();
    if (i >= elements(out)) return;
    const int64_t r = i / out.width, c = i % out.width;
    rowOf(out, r)[c] = widen(table, static_cast<int64_t>(tokens[r]) * out.width + c);
}

template <typename T> __global__ void convertKernel(View x, T* out)
{
    const int64_t i = elementIndex();
    if (i < elements(x)) narrow(element(x, i), out + i);
}

__global__ void addBiasKernel(View y, const float* bias)
{
    const int64_t i = elementIndex();
    if (i < elements(y)) element(y, i) += bias[i % y.width];
}

// One thread block per (row, group). Every thread writes only the elements
// it read, so out may be x.
__global__ void rmsNormKernel(View x, const float* weight, double eps, int32_t groupWidth, View out)
{
    __shared__ double scratch[warpSize32];
    const int64_t first = static_cast<int64_t>(blockIdx.y) * groupWidth;
    const float* row = rowOf(x, blockIdx.x) + first;
    float* o = rowOf(out, blockIdx.x) + first;
    double squares = 0.0;
    for (int32_t i = threadIdx.x; i < groupWidth; i += blockDim.x) squares += static_cast<double>(row[i]) * row[i];
    const double total = blockReduce(squares, scratch, Sum{});
    const auto inv = static_cast<float>(1.0 / sqrt(total / groupWidth + eps));
    for (int32_t i = threadIdx.x; i < groupWidth; i += blockDim.x) o[i] = row[i] * inv * weight[i];
}

// One thread block per row; out may be x, as above.
__global__ void layerNormKernel(View x, const float* weight, const float* shift, const float* scale, View out)
{
    __shared__ double scratch[warpSize32];
    const int32_t width = x.width;
    const float* row = rowOf(x, blockIdx.x);
    double sum = 0.0;
    for (int32_t i = threadIdx.x; i < width; i += blockDim.x) sum += row[i];
    const double mean = blockReduce(sum, scratch, Sum{}) / width;
    double squares = 0.0;
    for (int32_t i = threadIdx.x; i < width; i += blockDim.x) {
        const double d = row[i] - mean;
        squares += d * d;
    }
    const double variance = blockReduce(squares, scratch, Sum{}) / width;
    const auto inv = static_cast<float>(1.0 / sqrt(variance + 1e-5));
    const auto m = static_cast<float>(mean);
    float* o = rowOf(out, blockIdx.x);
    for (int32_t i = threadIdx.x; i < width; i += blockDim.x)
        o[i] = (row[i] - m) * inv * weight[i] * (1.0F + scale[i]) + shift[i];
}

// One thread block per row: the row's cosines and sines once, into dynamic
// shared memory [2 x headDim / 2], then every head.
__global__ void rotaryKernel(View x, int32_t heads, int32_t headDim, double theta, const PassScalars* scalars)
{
    extern __shared__ float angles[];
    const int32_t half = headDim / 2;
    float* cosines = angles;
    float* sines = angles + half;
    const auto position = static_cast<double>(scalars->firstPosition + blockIdx.x);
    for (int32_t i = threadIdx.x; i < half; i += blockDim.x) {
        double s = 0.0, c = 0.0;
        sincos(position * pow(theta, -2.0 * i / headDim), &s, &c);
        cosines[i] = static_cast<float>(c);
        sines[i] = static_cast<float>(s);
    }
    __syncthreads();
    float* row = rowOf(x, blockIdx.x);
    for (int32_t idx = threadIdx.x; idx < heads * half; idx += blockDim.x) {
        const int32_t i = idx % half;
        float* h = row + (idx / half) * headDim;
        const float a = h[i], b = h[i + half];
        h[i] = a * cosines[i] - b * sines[i];
        h[i + half] = b * cosines[i] + a * sines[i];
    }
}

__global__ void storeKernel(View k, View v, const PassScalars* scalars, float* keys, float* values, int32_t width)
{
    const int64_t cacheRow = static_cast<int64_t>(scalars->cached) + blockIdx.x;
    const float* kRow = rowOf(k, blockIdx.x);
    const float* vRow = rowOf(v, blockIdx.x);
    for (int32_t j = threadIdx.x; j < width; j += blockDim.x) {
        keys[cacheRow * width + j] = kRow[j];
        values[cacheRow * width + j] = vRow[j];
    }
}

constexpr int attentionThreads = 128;

// Dynamic shared memory: q [headDim], acc [headDim], p [attentionThreads].
__global__ void attentionKernel(View q, int32_t group, int32_t headDim, const float* keys, const float* values,
                                int32_t width, const PassScalars* scalars, int32_t firstBlock, int32_t blockSize,
                                float scale, View out)
{
    extern __shared__ float shared[];
    __shared__ float scratch[warpSize32];
    float* qHead = shared;
    float* acc = qHead + headDim;
    float* p = acc + headDim;
    const int32_t r = blockIdx.x, head = blockIdx.y;
    const int64_t column = static_cast<int64_t>(head / group) * headDim; // of the key/value head
    const float* qRow = rowOf(q, r) + static_cast<int64_t>(head) * headDim;
    for (int32_t d = threadIdx.x; d < headDim; d += blockDim.x) {
        qHead[d] = qRow[d];
        acc[d] = 0.0F;
    }
    __syncthreads();
    const int32_t visible = scalars->cached + visibleChunkRows(r, q.rows, firstBlock, blockSize);

    float runningMax = -INFINITY, runningSum = 0.0F;
    for (int32_t t0 = 0; t0 < visible; t0 += blockDim.x) {
        const int32_t k = t0 + threadIdx.x;
        float score = -INFINITY;
        if (k < visible) {
            const float* key = keys + static_cast<int64_t>(k) * width + column;
            float dot = 0.0F;
            for (int32_t d = 0; d < headDim; ++d) dot += qHead[d] * key[d];
            score = scale * dot;
        }
        const float newMax = fmaxf(runningMax, blockReduce(score, scratch, Max{}));
        const float correction = expf(runningMax - newMax); // 0 on the first tile
        const float weight = k < visible ? expf(score - newMax) : 0.0F;
        p[threadIdx.x] = weight;
        runningSum = runningSum * correction + blockReduce(weight, scratch, Sum{});
        __syncthreads(); // p complete
        const int32_t count = min(static_cast<int32_t>(blockDim.x), visible - t0);
        for (int32_t d = threadIdx.x; d < headDim; d += blockDim.x) {
            float a = acc[d] * correction;
            const float* value = values + static_cast<int64_t>(t0) * width + column + d;
            for (int32_t j = 0; j < count; ++j) a += p[j] * value[static_cast<int64_t>(j) * width];
            acc[d] = a;
        }
        runningMax = newMax;
        __syncthreads(); // p and acc are reused by the next tile
    }
    const float inv = 1.0F / runningSum;
    float* o = rowOf(out, r) + static_cast<int64_t>(head) * headDim;
    for (int32_t d = threadIdx.x; d < headDim; d += blockDim.x) o[d] = acc[d] * inv;
}

__global__ void geluTanhKernel(View x)
{
    const int64_t i = elementIndex();
    if (i >= elements(x)) return;
    constexpr float k = 0.7978845608028654F; // sqrt(2 / pi)
    float& e = element(x, i);
    const float v = e;
    e = 0.5F * v * (1.0F + tanhf(k * (v + 0.044715F * v * v * v)));
}

__global__ void siluGateKernel(View gate, View up, View out)
{
    const int64_t i = elementIndex();
    if (i >= elements(gate)) return;
    const float g = element(gate, i);
    element(out, i) = g / (1.0F + expf(-g)) * element(up, i);
}

__global__ void addIntoKernel(View h, View y, const float* gate)
{
    const int64_t i = elementIndex();
    if (i >= elements(h)) return;
    const float add = element(y, i);
    element(h, i) += gate != nullptr ? gate[i % h.width] * add : add;
}

__global__ void gatherRowsKernel(View x, const int32_t* rows, View out)
{
    const int64_t i = elementIndex();
    if (i >= elements(out)) return;
    const int64_t r = i / out.width, c = i % out.width;
    rowOf(out, r)[c] = rowOf(x, rows[r])[c];
}

// Launch parameters of an element-wise kernel over the view.
struct Grid {
    int blocks;
    int threads;
};
Grid elementGrid(const View& v)
{
    return {blocksFor(static_cast<int64_t>(v.rows) * v.width, elementThreads), elementThreads};
}

// A launch over nothing is an invalid configuration; there is nothing to do.
bool empty(const View& v) { return v.rows <= 0 || v.width <= 0; }

} // namespace

void embed(const int32_t* tokens, const void* table, ElementType type, View out, cudaStream_t stream)
{
    if (empty(out)) return;
    const Grid g = elementGrid(out);
    switch (type) {
    case ElementType::Float32:
        embedKernel<<<g.blocks, g.threads, 0, stream>>>(tokens, static_cast<const float*>(table), out);
        break;
    case ElementType::Float16:
        embedKernel<<<g.blocks, g.threads, 0, stream>>>(tokens, static_cast<const __half*>(table), out);
        break;
    case ElementType::BFloat16:
        embedKernel<<<g.blocks, g.threads, 0, stream>>>(tokens, static_cast<const __nv_bfloat16*>(table), out);
        break;
    }
    checkLaunch("embedding");
}

void convertRows(View x, ElementType type, void* out, cudaStream_t stream)
{
    if (empty(x)) return;
    const Grid g = elementGrid(x);
    if (type == ElementType::Float16)
        convertKernel<<<g.blocks, g.threads, 0, stream>>>(x, static_cast<__half*>(out));
    else if (type == ElementType::BFloat16)
        convertKernel<<<g.blocks, g.threads, 0, stream>>>(x, static_cast<__nv_bfloat16*>(out));
    else
        throw Error("internal: rows converted to fp32");
    checkLaunch("input conversion");
}

void addBias(View y, const float* bias, cudaStream_t stream)
{
    if (empty(y)) return;
    const Grid g = elementGrid(y);
    addBiasKernel<<<g.blocks, g.threads, 0, stream>>>(y, bias);
    checkLaunch("bias");
}

void rmsNorm(View x, const float* weight, double eps, int32_t groupWidth, View out, cudaStream_t stream)
{
    if (empty(x)) return;
    if (groupWidth <= 0 || x.width % groupWidth != 0)
        throw Error("internal: RMSNorm over groups of " + std::to_string(groupWidth) + " of " +
                    std::to_string(x.width) + " columns");
    const dim3 grid(static_cast<unsigned>(x.rows), static_cast<unsigned>(x.width / groupWidth));
    rmsNormKernel<<<grid, reductionThreads(groupWidth), 0, stream>>>(x, weight, eps, groupWidth, out);
    checkLaunch("RMSNorm");
}

void modulatedLayerNorm(View x, const float* weight, const float* shift, const float* scale, View out,
                        cudaStream_t stream)
{
    if (empty(x)) return;
    layerNormKernel<<<x.rows, reductionThreads(x.width), 0, stream>>>(x, weight, shift, scale, out);
    checkLaunch("modulated LayerNorm");
}

void rotary(View x, int32_t heads, int32_t headDim, double theta, const PassScalars* scalars, cudaStream_t stream)
{
    if (empty(x)) return;
    const size_t shared = static_cast<size_t>(headDim / 2) * 2 * sizeof(float);
    rotaryKernel<<<x.rows, elementThreads, shared, stream>>>(x, heads, headDim, theta, scalars);
    checkLaunch("rotary embedding");
}

void attention(View q, View k, View v, int32_t heads, int32_t kvHeads, int32_t headDim, float* keys, float* values,
               int32_t cacheWidth, const PassScalars* scalars, int32_t firstBlock, int32_t blockSize, View out,
               cudaStream_t stream)
{
    if (empty(q)) return;
    storeKernel<<<k.rows, elementThreads, 0, stream>>>(k, v, scalars, keys, values, cacheWidth);
    checkLaunch("key/value store");
    const dim3 grid(static_cast<unsigned>(q.rows), static_cast<unsigned>(heads));
    const size_t shared = (2 * static_cast<size_t>(headDim) + attentionThreads) * sizeof(float);
    const auto scale = static_cast<float>(1.0 / std::sqrt(static_cast<double>(headDim)));
    attentionKernel<<<grid, attentionThreads, shared, stream>>>(q, heads / kvHeads, headDim, keys, values, cacheWidth,
                                                                scalars, firstBlock, blockSize, scale, out);
    checkLaunch("attention");
}

void geluTanh(View x, cudaStream_t stream)
{
    if (empty(x)) return;
    const Grid g = elementGrid(x);
    geluTanhKernel<<<g.blocks, g.threads, 0, stream>>>(x);
    checkLaunch("GELU");
}

void siluGate(View gate, View up, View out, cudaStream_t stream)
{
    if (empty(gate)) return;
    const Grid g = elementGrid(gate);
    siluGateKernel<<<g.blocks, g.threads, 0, stream>>>(gate, up, out);
    checkLaunch("SiLU gate");
}

void addInto(View h, View y, const float* gate, cudaStream_t stream)
{
    if (empty(h)) return;
    const Grid g = elementGrid(h);
    addIntoKernel<<<g.blocks, g.threads, 0, stream>>>(h, y, gate);
    checkLaunch("residual");
}

void gatherRows(View x, const int32_t* rows, View out, cudaStream_t stream)
{
    if (empty(out)) return;
    const Grid g = elementGrid(out);
    gatherRowsKernel<<<g.blocks, g.threads, 0, stream>>>(x, rows, out);
    checkLaunch("row gather");
}

} // namespace bd3::cuda
