// Sampling distributions kept on the GPU: the logits of a pass become SUBS
// probabilities (temperature, 0 for greedy draws; nucleus; no top-k, for
// which the backend makes the host's) in device memory, and only each
// position's entropy and top two probabilities, then the drawn tokens and the
// alternatives asked for, come back to the host.
#pragma once

#include "cuda/cuda_check.hpp"
#include "samplers/masked_distributions.hpp"

#include <cuda_runtime.h>

#include <memory>
#include <span>

namespace bd3 {

// logits: [offsets.size(), params.vocabSize] fp32 on the device, rewritten in
// place as probabilities and read by the returned object's draws, so it must
// not be written until that object is done with; scratch carries requests
// and results, grown as needed and likewise borrowed. Work runs on stream; returns
// once the positions' summaries are on the host. The result matches
// makeHostDistributions up to float rounding, except that at an exact tie on
// the nucleus boundary the device may keep fewer tokens (cuda_sampling.hpp).
// Throws bd3::Error naming the CUDA call or kernel that failed.
std::unique_ptr<MaskedDistributions> makeCudaDistributions(float* logits, cuda::DeviceBuffer& scratch,
                                                           std::span<const int32_t> offsets,
                                                           const DistributionParams& params, cudaStream_t stream);

} // namespace bd3
