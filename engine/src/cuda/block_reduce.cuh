// Reductions over one thread block, shared by the .cu files: every thread
// passes its value and gets the block's result.
#pragma once

#include <cuda_runtime.h>

namespace bd3::cuda {

constexpr int warpSize32 = 32;

// Sum or maximum over the thread block; every thread gets the result.
// scratch holds 32 values; blockDim.x is a multiple of 32. T is a type
// __shfl_down_sync moves (int, float, double, unsigned long long, ...).
template <typename T, typename Op> __device__ T blockReduce(T value, T* scratch, Op op)
{
    const int lane = threadIdx.x % warpSize32, warp = threadIdx.x / warpSize32;
    const int warps = blockDim.x / warpSize32;
    for (int offset = warpSize32 / 2; offset > 0; offset /= 2) value = op(value, __shfl_down_sync(0xffffffffU, value, offset));
    __syncthreads(); // scratch may still be read from the previous reduction
    if (lane == 0) scratch[warp] = value;
    __syncthreads();
    T result = scratch[0];
    for (int w = 1; w < warps; ++w) result = op(result, scratch[w]);
    return result;
}

struct Sum {
    template <typename T> __device__ T operator()(T a, T b) const { return a + b; }
};
struct Max {
    __device__ float operator()(float a, float b) const { return fmaxf(a, b); }
};

} // namespace bd3::cuda
