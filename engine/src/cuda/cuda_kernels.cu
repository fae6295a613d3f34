#include "cuda/cuda_kernels.hpp"

#include "cuda/block_reduce.cuh"
#include "cuda/cuda_check.hpp"

#include <cuda_bf16.h>

#include <cmath>

namespace bd3::cuda {

namespace {

__device__ inline void store(float* p, float v) { *p = v; }
__device__ inline void store(__nv_bfloat16* p, float v) { *p = __float2bfloat16_rn(v); }

int blocksFor(int64_t count, int threads) { return static_cast<int>((count + threads - 1) / threads); }

__global__ void embedKernel(const int32_t* tokens, const float* table, int32_t rows, int32_t width, float* h)
{
    const int64_t i = static_cast<int64_t>(blockIdx.x) * blockDim.x + threadIdx.x;
    if (i >= static_cast<int64_t>(rows) * width) return;
    const int64_t r = i / width, c = i % width;
    h[i] = table[static_cast<int64_t>(tokens[r]) * width + c];
}

template <typename T>
__global__ void layerNormKernel(const float* x, const int32_t* rowMap, int32_t width, const float* weight,
                                const float* shift, const float* scale, T* out)
{
    __shared__ double scratch[warpSize32];
    const int32_t r = blockIdx.x;
    const float* row = x + static_cast<int64_t>(rowMap != nullptr ? rowMap[r] : r) * width;
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
    T* o = out + static_cast<int64_t>(r) * width;
    for (int32_t i = threadIdx.x; i < width; i += blockDim.x)
        store(o + i, (row[i] - m) * inv * weight[i] * (1.0F + scale[i]) + shift[i]);
}

__global__ void rotaryKernel(float* qkv, int32_t heads, int32_t headDim, const PassScalars* scalars,
                             const double* inverseFrequency, float* keys, float* values)
{
    const int32_t r = blockIdx.x, D = heads * headDim, half = headDim / 2;
    float* row = qkv + static_cast<int64_t>(r) * 3 * D;
    const double position = static_cast<double>(scalars->firstPosition + r);
    const int64_t cacheRow = static_cast<int64_t>(scalars->cached) + r;
    for (int32_t idx = threadIdx.x; idx < heads * half; idx += blockDim.x) {
        const int32_t head = idx / half, i = idx % half;
        double s = 0.0, c = 0.0;
        sincos(position * inverseFrequency[i], &s, &c);
        const auto cf = static_cast<float>(c), sf = static_cast<float>(s);
        float* q = row + head * headDim;
        const float qa = q[i], qb = q[i + half];
        q[i] = qa * cf - qb * sf;
        q[i + half] = qb * cf + qa * sf;
        const float* k = row + D + head * headDim;
        const float ka = k[i], kb = k[i + half];
        float* kOut = keys + cacheRow * D + head * headDim;
        kOut[i] = ka * cf - kb * sf;
        kOut[i + half] = kb * cf + ka * sf;
    }
    for (int32_t j = threadIdx.x; j < D; j += blockDim.x) values[cacheRow * D + j] = row[2 * D + j];
}

constexpr int attentionThreads = 128;

// Dynamic shared memory: q [headDim], acc [headDim], p [attentionThreads].
template <typename T>
__global__ void attentionKernel(const float* qkv, int32_t rows, int32_t heads, int32_t headDim, const float* keys,
                                const float* values, const PassScalars* scalars, int32_t firstBlock, int32_t blockSize,
                                float scale, T* out)
{
    extern __shared__ float shared[];
    __shared__ float scratch[warpSize32];
    float* q = shared;
    float* acc = q + headDim;
    float* p = acc + headDim;
    const int32_t r = blockIdx.x, head = blockIdx.y, D = heads * headDim;
    const float* qRow = qkv + static_cast<int64_t>(r) * 3 * D + head * headDim;
    for (int32_t d = threadIdx.x; d < headDim; d += blockDim.x) {
        q[d] = qRow[d];
        acc[d] = 0.0F;
    }
    __syncthreads();
    // Keys of later blocks of the chunk are hidden from this query.
    const int32_t blockEnd = r < firstBlock ? firstBlock : firstBlock + ((r - firstBlock) / blockSize + 1) * blockSize;
    const int32_t visible = scalars->cached + min(rows, blockEnd);

    float runningMax = -INFINITY, runningSum = 0.0F;
    for (int32_t t0 = 0; t0 < visible; t0 += blockDim.x) {
        const int32_t k = t0 + threadIdx.x;
        float score = -INFINITY;
        if (k < visible) {
            const float* key = keys + static_cast<int64_t>(k) * D + head * headDim;
            float dot = 0.0F;
            for (int32_t d = 0; d < headDim; ++d) dot += q[d] * key[d];
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
            const float* v = values + static_cast<int64_t>(t0) * D + head * headDim + d;
            for (int32_t j = 0; j < count; ++j) a += p[j] * v[static_cast<int64_t>(j) * D];
            acc[d] = a;
        }
        runningMax = newMax;
        __syncthreads(); // p and acc are reused by the next tile
    }
    const float inv = 1.0F / runningSum;
    T* o = out + static_cast<int64_t>(r) * D + head * headDim;
    for (int32_t d = threadIdx.x; d < headDim; d += blockDim.x) store(o + d, acc[d] * inv);
}

__global__ void gatedResidualKernel(float* h, const float* y, const float* bias, const float* gate, int32_t rows,
                                    int32_t width)
{
    const int64_t i = static_cast<int64_t>(blockIdx.x) * blockDim.x + threadIdx.x;
    if (i >= static_cast<int64_t>(rows) * width) return;
    const int32_t c = static_cast<int32_t>(i % width);
    const float projected = bias != nullptr ? y[i] + bias[c] : y[i];
    h[i] += gate[c] * projected;
}

template <typename T>
__global__ void biasGeluKernel(const float* y, const float* bias, int32_t rows, int32_t width, T* out)
{
    const int64_t i = static_cast<int64_t>(blockIdx.x) * blockDim.x + threadIdx.x;
    if (i >= static_cast<int64_t>(rows) * width) return;
    constexpr float k = 0.7978845608028654F; // sqrt(2 / pi)
    const float x = y[i] + bias[i % width];
    store(out + i, 0.5F * x * (1.0F + tanhf(k * (x + 0.044715F * x * x * x))));
}

__global__ void gatherRowsKernel(const float* source, const int32_t* rows, int32_t count, int32_t width, float* out)
{
    const int64_t i = static_cast<int64_t>(blockIdx.x) * blockDim.x + threadIdx.x;
    if (i >= static_cast<int64_t>(count) * width) return;
    out[i] = source[static_cast<int64_t>(rows[i / width]) * width + i % width];
}

__global__ void addBiasKernel(float* y, const float* bias, int32_t rows, int32_t width)
{
    const int64_t i = static_cast<int64_t>(blockIdx.x) * blockDim.x + threadIdx.x;
    if (i >= static_cast<int64_t>(rows) * width) return;
    y[i] += bias[i % width];
}

constexpr int elementThreads = 256;

} // namespace

void embed(const int32_t* tokens, const float* table, int32_t rows, int32_t width, float* h, cudaStream_t stream)
{
    embedKernel<<<blocksFor(int64_t{rows} * width, elementThreads), elementThreads, 0, stream>>>(tokens, table, rows,
                                                                                                  width, h);
    checkLaunch("embed");
}

void modulatedLayerNorm(const float* x, const int32_t* rowMap, int32_t rows, int32_t width, const float* weight,
                        const float* shift, const float* scale, void* out, Activation type, cudaStream_t stream)
{
    if (type == Activation::BFloat16)
        layerNormKernel<<<rows, elementThreads, 0, stream>>>(x, rowMap, width, weight, shift, scale,
                                                             static_cast<__nv_bfloat16*>(out));
    else
        layerNormKernel<<<rows, elementThreads, 0, stream>>>(x, rowMap, width, weight, shift, scale,
                                                             static_cast<float*>(out));
    checkLaunch("modulated LayerNorm");
}

void rotaryAndStore(float* qkv, int32_t rows, int32_t heads, int32_t headDim, const PassScalars* scalars,
                    const double* inverseFrequency, float* keys, float* values, cudaStream_t stream)
{
    rotaryKernel<<<rows, elementThreads, 0, stream>>>(qkv, heads, headDim, scalars, inverseFrequency, keys, values);
    checkLaunch("rotary embedding");
}

void attention(const float* qkv, int32_t rows, int32_t heads, int32_t headDim, const float* keys,
               const float* values, const PassScalars* scalars, int32_t firstBlock, int32_t blockSize, void* out,
               Activation type, cudaStream_t stream)
{
    const dim3 grid(static_cast<unsigned>(rows), static_cast<unsigned>(heads));
    const size_t shared = (2 * static_cast<size_t>(headDim) + attentionThreads) * sizeof(float);
    const float scale = static_cast<float>(1.0 / std::sqrt(static_cast<double>(headDim)));
    const int32_t first = firstBlock > 0 ? firstBlock : blockSize;
    if (type == Activation::BFloat16)
        attentionKernel<<<grid, attentionThreads, shared, stream>>>(qkv, rows, heads, headDim, keys, values, scalars,
                                                                    first, blockSize, scale,
                                                                    static_cast<__nv_bfloat16*>(out));
    else
        attentionKernel<<<grid, attentionThreads, shared, stream>>>(qkv, rows, heads, headDim, keys, values, scalars,
                                                                    first, blockSize, scale, static_cast<float*>(out));
    checkLaunch("attention");
}

void gatedResidual(float* h, const float* y, const float* bias, const float* gate, int32_t rows, int32_t width,
                   cudaStream_t stream)
{
    gatedResidualKernel<<<blocksFor(int64_t{rows} * width, elementThreads), elementThreads, 0, stream>>>(
        h, y, bias, gate, rows, width);
    checkLaunch("gated residual");
}

void biasGelu(const float* y, const float* bias, int32_t rows, int32_t width, void* out, Activation type,
              cudaStream_t stream)
{
    const int blocks = blocksFor(int64_t{rows} * width, elementThreads);
    if (type == Activation::BFloat16)
        biasGeluKernel<<<blocks, elementThreads, 0, stream>>>(y, bias, rows, width, static_cast<__nv_bfloat16*>(out));
    else
        biasGeluKernel<<<blocks, elementThreads, 0, stream>>>(y, bias, rows, width, static_cast<float*>(out));
    checkLaunch("bias + GELU");
}

void gatherRows(const float* source, const int32_t* rows, int32_t count, int32_t width, float* out,
                cudaStream_t stream)
{
    gatherRowsKernel<<<blocksFor(int64_t{count} * width, elementThreads), elementThreads, 0, stream>>>(
        source, rows, count, width, out);
    checkLaunch("row gather");
}

void addBias(float* y, const float* bias, int32_t rows, int32_t width, cudaStream_t stream)
{
    addBiasKernel<<<blocksFor(int64_t{rows} * width, elementThreads), elementThreads, 0, stream>>>(y, bias, rows,
                                                                                                    width);
    checkLaunch("output bias");
}

} // namespace bd3::cuda
