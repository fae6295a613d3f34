#include "bd3/devices.hpp"

#include <thread>

#ifdef BD3_HAVE_CUDA
#include "cuda/cuda_devices.hpp"
#endif

namespace bd3 {

DeviceReport availableDevices()
{
    DeviceReport report;
    report.devices.push_back({Device::Cpu, "CPU (" + std::to_string(std::thread::hardware_concurrency()) + " threads)", 0});
#ifdef BD3_HAVE_CUDA
    // The CUDA backend runs on the first device.
    const CudaProbe probe = probeCudaDevices();
    if (!probe.devices.empty()) {
        const CudaDevice& first = probe.devices.front();
        report.devices.push_back({Device::Cuda, first.name, first.memoryBytes});
    }
    report.cudaStatus = probe.devices.empty() ? probe.status : probe.status + "; the CUDA backend uses device 0";
#else
    report.cudaStatus = "this build has no CUDA support (nvcc or cuBLAS was not found when it was configured)";
#endif
    return report;
}

} // namespace bd3
