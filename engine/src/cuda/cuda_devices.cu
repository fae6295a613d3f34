#include "cuda/cuda_devices.hpp"

#include <cuda_runtime.h>

namespace bd3 {

CudaProbe probeCudaDevices()
{
    CudaProbe probe;
    int count = 0;
    const cudaError_t error = cudaGetDeviceCount(&count);
    if (error != cudaSuccess) {
        probe.status = std::string("no usable CUDA device: ") + cudaGetErrorString(error);
        return probe;
    }
    for (int i = 0; i < count; ++i) {
        cudaDeviceProp properties{};
        if (cudaGetDeviceProperties(&properties, i) != cudaSuccess) continue;
        probe.devices.push_back({properties.name, static_cast<int64_t>(properties.totalGlobalMem)});
    }
    probe.status = std::to_string(probe.devices.size()) + " CUDA device(s) found";
    return probe;
}

} // namespace bd3
