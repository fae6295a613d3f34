#include "cuda/cuda_check.hpp"

#include "bd3/error.hpp"

#include <cstdio>
#include <utility>

namespace bd3::cuda {

void check(cudaError_t error, const char* call)
{
    if (error == cudaSuccess) return;
    // The runtime keeps a failed call's error as its last error, which the
    // next checkLaunch would report as that kernel's; a sticky error stays.
    cudaGetLastError();
    throw Error(std::string("CUDA call failed: ") + call + ": " + cudaGetErrorName(error) + " (" +
                cudaGetErrorString(error) + ")");
}

void checkLaunch(const char* kernel)
{
    const cudaError_t error = cudaGetLastError();
    if (error == cudaSuccess) return;
    throw Error(std::string("CUDA kernel launch failed: ") + kernel + ": " + cudaGetErrorName(error) + " (" +
                cudaGetErrorString(error) + ")");
}

std::string formatBytes(int64_t bytes)
{
    char text[64];
    if (bytes >= (int64_t{1} << 30))
        std::snprintf(text, sizeof text, "%.2f GiB", static_cast<double>(bytes) / static_cast<double>(int64_t{1} << 30));
    else if (bytes >= (int64_t{1} << 20))
        std::snprintf(text, sizeof text, "%.1f MiB", static_cast<double>(bytes) / static_cast<double>(int64_t{1} << 20));
    else
        std::snprintf(text, sizeof text, "%lld bytes", static_cast<long long>(bytes));
    return text;
}

DeviceBuffer::~DeviceBuffer() { release(); }

DeviceBuffer::DeviceBuffer(DeviceBuffer&& other) noexcept
    : m_data(std::exchange(other.m_data, nullptr)), m_bytes(std::exchange(other.m_bytes, 0))
{}

DeviceBuffer& DeviceBuffer::operator=(DeviceBuffer&& other) noexcept
{
    if (this != &other) {
        release();
        m_data = std::exchange(other.m_data, nullptr);
        m_bytes = std::exchange(other.m_bytes, 0);
    }
    return *this;
}

void DeviceBuffer::release()
{
    if (m_data != nullptr) cudaFree(m_data); // nothing to do about a failure here
    m_data = nullptr;
    m_bytes = 0;
}

void DeviceBuffer::allocate(size_t bytes, const char* what)
{
    release();
    if (bytes == 0) return;
    const cudaError_t error = cudaMalloc(&m_data, bytes);
    if (error == cudaErrorMemoryAllocation) {
        cudaGetLastError(); // clear the sticky-free error so later calls work
        m_data = nullptr;
        size_t free = 0, total = 0;
        std::string available;
        if (cudaMemGetInfo(&free, &total) == cudaSuccess)
            available = "; the GPU has " + formatBytes(static_cast<int64_t>(free)) + " free of " +
                        formatBytes(static_cast<int64_t>(total));
        throw Error("out of GPU memory: " + std::string(what) + " needs " + std::to_string(bytes) + " bytes (" +
                    formatBytes(static_cast<int64_t>(bytes)) + ")" + available);
    }
    if (error != cudaSuccess) m_data = nullptr;
    check(error, (std::string("cudaMalloc for ") + what).c_str());
    m_bytes = bytes;
}

void DeviceBuffer::upload(const void* host, size_t bytes, const char* what)
{
    allocate(bytes, what);
    if (bytes > 0) check(cudaMemcpy(m_data, host, bytes, cudaMemcpyHostToDevice), "cudaMemcpy (weights to the GPU)");
}

} // namespace bd3::cuda
