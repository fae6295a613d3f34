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
    // GPUs are listed as usable once the CUDA backend exists; until then the
    // probe only tells what the machine has.
    const CudaProbe probe = probeCudaDevices();
    report.cudaStatus = probe.status + "; the CUDA backend is not implemented yet, so generation runs on the CPU";
#else
    report.cudaStatus = "this build has no CUDA support (nvcc or cuBLAS was not found when it was configured)";
#endif
    return report;
}

} // namespace bd3
