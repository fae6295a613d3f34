#include "backend_registry.hpp"

#include "cpu/cpu_backend.hpp"

#ifdef BD3_HAVE_CUDA
#include "cuda/cuda_backend.hpp"
#endif

namespace bd3 {

namespace {

std::string alwaysAvailable() { return {}; }

} // namespace

const BackendEntry* backendFor(Device device)
{
    static const BackendEntry cpu{Device::Cpu, alwaysAvailable, makeCpuBackend};
#ifdef BD3_HAVE_CUDA
    static const BackendEntry gpu{Device::Cuda, cudaUnavailableReason, makeCudaBackend};
    if (device == Device::Cuda) return &gpu;
#endif
    return device == Device::Cpu ? &cpu : nullptr;
}

} // namespace bd3
