// Errors of the CUDA runtime as bd3::Error, naming the call that failed, and
// device memory owned by one object. Out of memory names the bytes asked for
// and what the device had free.
#pragma once

#include <cuda_runtime.h>

#include <cstddef>
#include <cstdint>
#include <string>

namespace bd3::cuda {

// Throws bd3::Error("CUDA call failed: <call>: <reason>") unless error is
// cudaSuccess.
void check(cudaError_t error, const char* call);
// After a kernel launch: the launch error, named by the kernel.
void checkLaunch(const char* kernel);

// "1.23 GB" style, for messages.
std::string formatBytes(int64_t bytes);

// Device memory, freed when the object goes. Empty until allocate().
class DeviceBuffer {
public:
    DeviceBuffer() = default;
    ~DeviceBuffer();
    DeviceBuffer(DeviceBuffer&& other) noexcept;
    DeviceBuffer& operator=(DeviceBuffer&& other) noexcept;
    DeviceBuffer(const DeviceBuffer&) = delete;
    DeviceBuffer& operator=(const DeviceBuffer&) = delete;

    // Replaces the contents with bytes of uninitialised memory; what names
    // the buffer in the out-of-memory message.
    void allocate(size_t bytes, const char* what);
    // Grows to at least bytes (contents are not kept).
    void reserve(size_t bytes, const char* what)
    {
        if (bytes > m_bytes) allocate(bytes, what);
    }
    void upload(const void* host, size_t bytes, const char* what);
    void release();

    size_t bytes() const { return m_bytes; }
    void* data() const { return m_data; }
    template <typename T> T* as() const { return static_cast<T*>(m_data); }

private:
    void* m_data = nullptr;
    size_t m_bytes = 0;
};

} // namespace bd3::cuda
