// Which compute devices this build and this machine offer.
#pragma once

#include "bd3/model.hpp"

#include <cstdint>
#include <string>
#include <vector>

namespace bd3 {

struct DeviceInfo {
    Device device = Device::Cpu;
    std::string name;
    int64_t memoryBytes = 0;  // 0 when unknown
};

struct DeviceReport {
    std::vector<DeviceInfo> devices;  // the CPU first, always present
    std::string cudaStatus;           // why CUDA is or is not usable, in words
};

DeviceReport availableDevices();

} // namespace bd3
