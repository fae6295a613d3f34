// cuBLAS, opened at run time: the programs are linked against the CUDA
// runtime statically and must start on machines without the toolkit, so the
// library is looked for only when a CUDA backend is made. Its absence is a
// bd3::Error, like a missing device.
#pragma once

#include <cublas_api.h>

namespace bd3::cuda {

struct CublasLibrary {
    cublasStatus_t (*create)(cublasHandle_t*) = nullptr;
    cublasStatus_t (*destroy)(cublasHandle_t) = nullptr;
    cublasStatus_t (*setStream)(cublasHandle_t, cudaStream_t) = nullptr;
    cublasStatus_t (*setMathMode)(cublasHandle_t, cublasMath_t) = nullptr;
    cublasStatus_t (*setWorkspace)(cublasHandle_t, void*, size_t) = nullptr;
    const char* (*statusString)(cublasStatus_t) = nullptr;
    cublasStatus_t (*gemmEx)(cublasHandle_t, cublasOperation_t, cublasOperation_t, int, int, int, const void*,
                             const void*, cudaDataType, int, const void*, cudaDataType, int, const void*, void*,
                             cudaDataType, int, cublasComputeType_t, cublasGemmAlgo_t) = nullptr;
};

// The process-wide table, loaded on first use (thread-safe). Throws
// bd3::Error naming the library or symbol that is missing.
const CublasLibrary& cublas();

// Throws bd3::Error("cuBLAS call failed: <call>: <status>") unless status is
// CUBLAS_STATUS_SUCCESS.
void checkCublas(cublasStatus_t status, const char* call);

} // namespace bd3::cuda
