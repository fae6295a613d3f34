// Block-by-block generation with the exact key/value cache.
#pragma once

#include "bd3/events.hpp"
#include "bd3/sampling.hpp"

#include <atomic>
#include <mutex>
#include <stop_token>
#include <string_view>

namespace bd3 {

class Model;

// Sampling parameters shared with another thread (a GUI); the generator takes
// a copy at the start of every block.
class LiveParameters {
public:
    // Which block a change reaches first: the next one, or the one being
    // denoised now, which then starts over before its next forward pass.
    enum class ApplyFrom { NextBlock, CurrentBlock };

    explicit LiveParameters(const SamplingParams& params);
    // Validates first: throws bd3::Error and keeps the values in use.
    void set(const SamplingParams& params, ApplyFrom from = ApplyFrom::NextBlock);
    SamplingParams current() const;

    // The generator's side. A block reads its values once, here, as it
    // starts; that also answers any request to start the current block over,
    // in the same step under the same lock, so a change made as a block starts
    // is either in that block or restarts it, never lost.
    SamplingParams forBlockStart() const;
    // Reads and clears a request to start the current block over.
    bool takeRestartRequest() const;

private:
    mutable std::mutex m_mutex;
    SamplingParams m_params;
    mutable bool m_restart = false;
};

class Generator {
public:
    explicit Generator(const Model& model);

    // Continues prompt (BOS is put first). The prompt's whole blocks are
    // cached in one pass; its trailing partial block is the clean start of
    // the first generated block. Cancellation through stop is seen before
    // every forward pass. Throws bd3::Error for an invalid prompt or options.
    GenerationFinished run(std::string_view prompt, const LiveParameters& params,
                           const GenerationOptions& options, GenerationObserver& observer,
                           std::stop_token stop = {});

private:
    const Model& m_model;
};

} // namespace bd3
