// The network's element-wise and attention steps on the GPU, each one fused
// pass over its data; the matrix products are cuBLAS's (cuda_backend.cpp).
// Every function launches on stream and returns at once; launch errors are
// thrown as bd3::Error naming the kernel. Shapes are row-major.
#pragma once

#include <cuda_runtime.h>

#include <cstdint>

namespace bd3::cuda {

// The element type of the activations that feed a matrix product: the
// weights' type, since cuBLAS multiplies operands of one type.
enum class Activation { Float32, BFloat16 };

// What changes from one pass of a given shape to the next, read by the
// kernels from device memory rather than from their arguments, so a captured
// graph of the pass replays whatever the cache holds.
struct PassScalars {
    int64_t firstPosition = 0; // absolute position of the chunk's first token
    int32_t cached = 0;        // cache rows before the chunk
};

// h[r] = table[tokens[r]] for r < rows; the tokens were checked on the host.
void embed(const int32_t* tokens, const float* table, int32_t rows, int32_t width, float* h, cudaStream_t stream);

// out[r] = LayerNorm(x[rowMap ? rowMap[r] : r]) * weight * (1 + scale) + shift,
// LayerNorm without bias, eps 1e-5, statistics in double.
void modulatedLayerNorm(const float* x, const int32_t* rowMap, int32_t rows, int32_t width, const float* weight,
                        const float* shift, const float* scale, void* out, Activation type, cudaStream_t stream);

// Rotary embedding (rotate-half) on the q and k parts of qkv [rows, 3D] at
// positions firstPosition + r; q is rotated in place, the rotated k and the
// v of each row are written to the cache rows cached + r of keys and values
// (one layer's [capacity, D]).
void rotaryAndStore(float* qkv, int32_t rows, int32_t heads, int32_t headDim, const PassScalars* scalars,
                    const double* inverseFrequency, float* keys, float* values, cudaStream_t stream);

// Softmax attention of the chunk's queries (the q part of qkv) against the
// cache rows [0, scalars->cached + rows) of keys and values: row r sees the cache and
// the chunk's blocks up to and including its own (the first block has
// firstBlock rows, the others blockSize). One thread block per (row, head),
// online softmax over tiles of keys. out is [rows, D].
void attention(const float* qkv, int32_t rows, int32_t heads, int32_t headDim, const float* keys,
               const float* values, const PassScalars* scalars, int32_t firstBlock, int32_t blockSize, void* out,
               Activation type, cudaStream_t stream);

// h += gate * (y + bias), gate and bias of one row's width; bias may be null.
void gatedResidual(float* h, const float* y, const float* bias, const float* gate, int32_t rows, int32_t width,
                   cudaStream_t stream);

// out = GELU_tanh(y + bias).
void biasGelu(const float* y, const float* bias, int32_t rows, int32_t width, void* out, Activation type,
              cudaStream_t stream);

// out[i] = source[rows[i]] for i < count, rows of width floats.
void gatherRows(const float* source, const int32_t* rows, int32_t count, int32_t width, float* out,
                cudaStream_t stream);

// y += bias, per row.
void addBias(float* y, const float* bias, int32_t rows, int32_t width, cudaStream_t stream);

} // namespace bd3::cuda
