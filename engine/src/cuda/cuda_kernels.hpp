// The network's operations on the GPU other than the matrix products (those
// are cuBLAS's, cuda_backend.cpp), each one fused pass over its data. They
// work on strided fp32 views of device memory, as NetworkOps does
// (families/network_ops.hpp), and mirror the CPU backend's reference
// implementation. Every function launches on stream and returns at once;
// launch errors are thrown as bd3::Error naming the kernel.
#pragma once

#include <cuda_runtime.h>

#include <cstdint>

namespace bd3::cuda {

// Row-major [rows, width] fp32 in device memory, stride floats apart.
struct View {
    float* data = nullptr;
    int32_t rows = 0;
    int32_t width = 0;
    int32_t stride = 0;
};

// The element type of a stored matrix (the weights of a product, or an
// embedding table).
enum class ElementType { Float32, Float16, BFloat16 };

// What changes from one pass of a given shape to the next, read by the
// kernels from device memory rather than from their arguments, so a captured
// graph of the pass replays whatever the cache holds.
struct PassScalars {
    int64_t firstPosition = 0; // absolute position of the chunk's first token
    int32_t cached = 0;        // cache rows before the chunk
};

// out[r] = table[tokens[r]] widened to fp32, for r < out.rows; table is
// [vocab, out.width] of type; the tokens were checked on the host.
void embed(const int32_t* tokens, const void* table, ElementType type, View out, cudaStream_t stream);

// x as a contiguous [rows, width] matrix of a 16-bit type, the input of a
// product with weights of that type. Float16 saturates at +-65504 rather
// than overflowing to infinity.
void convertRows(View x, ElementType type, void* out, cudaStream_t stream);

// y[r] += bias.
void addBias(View y, const float* bias, cudaStream_t stream);

// RMSNorm over each group of groupWidth columns (x.width is a multiple),
// times weight [groupWidth]; sums of squares in double. out may be x.
void rmsNorm(View x, const float* weight, double eps, int32_t groupWidth, View out, cudaStream_t stream);

// out = LayerNorm(x) * weight * (1 + scale) + shift, LayerNorm without bias,
// eps 1e-5, statistics in double. out may be x.
void modulatedLayerNorm(View x, const float* weight, const float* shift, const float* scale, View out,
                        cudaStream_t stream);

// Rotary embedding, rotate-half over each of the heads of headDim columns,
// in place, row r at position scalars->firstPosition + r; the frequencies
// theta^(-2i / headDim) and the angles in double.
void rotary(View x, int32_t heads, int32_t headDim, double theta, const PassScalars* scalars, cudaStream_t stream);

// Writes the chunk's k and v rows to the cache rows scalars->cached + r of
// keys and values (one layer's [capacity, cacheWidth]), then computes the
// softmax attention of each query row against the cache and the chunk's
// blocks up to its own (visibleChunkRows of block_layout.hpp; the first
// block has firstBlock rows, blockSize when 0). Query head h reads key/value
// head h / (heads / kvHeads). One thread block per (row, head), online
// softmax over tiles of keys. q, out: [rows, heads x headDim]; k, v: [rows,
// kvHeads x headDim = cacheWidth].
void attention(View q, View k, View v, int32_t heads, int32_t kvHeads, int32_t headDim, float* keys, float* values,
               int32_t cacheWidth, const PassScalars* scalars, int32_t firstBlock, int32_t blockSize, View out,
               cudaStream_t stream);

// x = GELU_tanh(x).
void geluTanh(View x, cudaStream_t stream);

// out = silu(gate) * up; out may be gate.
void siluGate(View gate, View up, View out, cudaStream_t stream);

// h += y, or h += gate * y where gate (one row's width) is not null.
void addInto(View h, View y, const float* gate, cudaStream_t stream);

// out[i] = x[rows[i]] for i < out.rows.
void gatherRows(View x, const int32_t* rows, View out, cudaStream_t stream);

} // namespace bd3::cuda
