#include "bd3/devices.hpp"

#include <thread>

#ifdef BD3_HAVE_CUDA
#include "cuda/cuda_backend.hpp"
#include "cuda/cuda_devices.hpp"
#endif

namespace bd3 {

DeviceReport availableDevices()
{
    DeviceReport report;
    report.devices.push_back({Device::Cpu, "CPU (" + std::to_string(std::thread::hardware_concurrency()) + " cores)", 0});
#ifdef BD3_HAVE_CUDA
    // The GPU is offered by the same test Model::load makes, so a device it
    // lists never falls back to the CPU; the CUDA backend runs on the first.
    const CudaProbe probe = probeCudaDevices();
    const std::string unavailable = cudaUnavailableReason();
    if (unavailable.empty() && !probe.devices.empty()) {
        const CudaDevice& first = probe.devices.front();
        report.devices.push_back({Device::Cuda, first.name, first.memoryBytes});
        report.cudaStatus = probe.status + "; the CUDA backend uses device 0";
    } else {
        report.cudaStatus = unavailable.empty() ? probe.status : unavailable;
    }
#else
    report.cudaStatus = "this build has no CUDA support (nvcc or cuBLAS was not found when it was configured)";
#endif
    return report;
}

} // namespace bd3
