// Asks the CUDA runtime which GPUs are present, without ever failing: no
// driver or no device is reported in words.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace bd3 {

struct CudaDevice {
    std::string name;
    int64_t memoryBytes = 0;
};

struct CudaProbe {
    std::vector<CudaDevice> devices;
    std::string status;
};

CudaProbe probeCudaDevices();

} // namespace bd3
