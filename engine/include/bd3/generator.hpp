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
    explicit LiveParameters(const SamplingParams& params);
    void set(const SamplingParams& params);  // validates first: throws bd3::Error
    SamplingParams current() const;

    // Apply the current values to the block being denoised now: it starts
    // over before its next forward pass instead of at the next block.
    void requestRestart();
    // Reads and clears the request (the generator's side).
    bool takeRestartRequest() const;

private:
    mutable std::mutex m_mutex;
    SamplingParams m_params;
    mutable std::atomic<bool> m_restart{false};
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
