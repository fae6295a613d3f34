#include "cuda/cublas_library.hpp"

#include "bd3/error.hpp"

#include <dlfcn.h>

#include <mutex>
#include <string>

namespace bd3::cuda {

namespace {

#define BD3_CUBLAS_TEXT(x) #x
#define BD3_CUBLAS_SONAME(major) "libcublas.so." BD3_CUBLAS_TEXT(major)

// The soname of the toolkit this was built with (the one whose headers
// declare the functions below), then the same in that toolkit's library
// folder (for machines whose loader path lacks it), then the unversioned name.
constexpr const char* libraryNames[] = {BD3_CUBLAS_SONAME(CUBLAS_VER_MAJOR),
#ifdef BD3_CUDA_LIBRARY_DIR
                                        BD3_CUDA_LIBRARY_DIR "/" BD3_CUBLAS_SONAME(CUBLAS_VER_MAJOR),
#endif
                                        "libcublas.so"};

template <typename Function> void resolve(void* library, const char* symbol, Function& out)
{
    void* address = dlsym(library, symbol);
    if (address == nullptr)
        throw Error(std::string("the cuBLAS library has no ") + symbol + "; it is older than this build needs");
    out = reinterpret_cast<Function>(address);
}

CublasLibrary load()
{
    void* library = nullptr;
    std::string tried;
    for (const char* name : libraryNames) {
        library = dlopen(name, RTLD_NOW | RTLD_LOCAL);
        if (library != nullptr) break;
        tried += tried.empty() ? name : std::string(", ") + name;
    }
    if (library == nullptr)
        throw Error("the CUDA backend needs cuBLAS, which was not found (tried " + tried +
                    "); install the CUDA toolkit's cuBLAS or use the CPU device");
    // Kept open for the life of the process.
    CublasLibrary table;
    resolve(library, "cublasCreate_v2", table.create);
    resolve(library, "cublasDestroy_v2", table.destroy);
    resolve(library, "cublasSetStream_v2", table.setStream);
    resolve(library, "cublasSetMathMode", table.setMathMode);
    resolve(library, "cublasSetWorkspace_v2", table.setWorkspace);
    resolve(library, "cublasGetStatusString", table.statusString);
    resolve(library, "cublasGemmEx", table.gemmEx);
    return table;
}

std::mutex loadMutex;
CublasLibrary* loaded = nullptr;

} // namespace

const CublasLibrary& cublas()
{
    const std::lock_guard lock(loadMutex);
    if (loaded == nullptr) loaded = new CublasLibrary(load()); // never freed: the library stays open
    return *loaded;
}

void checkCublas(cublasStatus_t status, const char* call)
{
    if (status == CUBLAS_STATUS_SUCCESS) return;
    const char* reason = loaded != nullptr && loaded->statusString != nullptr ? loaded->statusString(status) : nullptr;
    throw Error(std::string("cuBLAS call failed: ") + call + ": " +
                (reason != nullptr ? reason : "status " + std::to_string(static_cast<int>(status))));
}

} // namespace bd3::cuda
