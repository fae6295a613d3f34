// Shared helpers of the engine tests: fixture paths, chunks run through a
// backend, scratch folders, .npy reading and header-level edits of
// safetensors files.
#pragma once

#include "bd3/events.hpp"
#include "bd3/model_config.hpp"
#include "bd3/sampling.hpp"

#include <nlohmann/json.hpp>

#include <atomic>

#include <cstdint>
#include <filesystem>
#include <functional>
#include <span>
#include <string>
#include <vector>

namespace bd3 {
class KvCache;
class Model;
} // namespace bd3

namespace bd3::test {

std::filesystem::path fixturesDir();           // tests/fixtures
std::filesystem::path parityModelDir();         // tests/fixtures/parity/model

// Tokens with BOS first, random clean ids and about one third [MASK].
std::vector<int32_t> randomTokens(const ModelConfig& config, size_t count, uint32_t seed);

// SUBS log-probabilities of every row of a chunk run after the cache, which
// keeps the chunk's keys and values when keep is set.
std::vector<float> runChunk(const Model& model, KvCache& cache, std::span<const int32_t> chunk, int32_t blockSize,
                            bool keep);

// The generator stores a finished block's keys and values in the same pass
// as the next block's first step. The same 26 random tokens (16 cached, a
// clean 4, a noisy 6) run both ways: the noisy block's SUBS log-probabilities
// after two separate passes, from the merged pass, and from a pass after the
// merged one; with the cache lengths after each way.
struct StoredWithNextStep {
    std::vector<float> separate, merged, afterMerged;
    int32_t separateLength = 0, mergedLength = 0;
};
StoredWithNextStep storeBlockWithNextStep(const Model& model);

// Records every event of a generation; hooks let a test act in the middle
// of one. commits may be read from another thread while it runs.
struct EventRecorder : GenerationObserver {
    std::vector<BlockStarted> started;
    std::vector<StepDone> steps;
    std::vector<BlockCommitted> committed;
    std::function<void(const StepDone&)> onStep;
    std::function<void(const BlockCommitted&)> onCommit;
    std::atomic<int> commits{0};

    void blockStarted(const BlockStarted& e) override { started.push_back(e); }
    void stepDone(const StepDone& e) override
    {
        steps.push_back(e);
        if (onStep) onStep(e);
    }
    void blockCommitted(const BlockCommitted& e) override
    {
        committed.push_back(e);
        ++commits;
        if (onCommit) onCommit(e);
    }
};

// A generation of maxTokens from seed that does not stop at end-of-sequence.
GenerationOptions fixedLengthRun(uint64_t seed, int32_t maxTokens);

// A fresh empty folder under the system temp directory, removed on exit.
class ScratchDir {
public:
    ScratchDir();
    ~ScratchDir();
    ScratchDir(const ScratchDir&) = delete;
    ScratchDir& operator=(const ScratchDir&) = delete;
    const std::filesystem::path& path() const { return m_path; }

private:
    std::filesystem::path m_path;
};

// Copies the parity model folder into dir/name and returns its path.
std::filesystem::path copyParityModel(const std::filesystem::path& dir, const std::string& name = "model");

struct NpyArray {
    std::vector<int64_t> shape;
    std::vector<float> data;
};
NpyArray readNpy(const std::filesystem::path& path);

std::string readFile(const std::filesystem::path& path);
void writeFile(const std::filesystem::path& path, const std::string& bytes);

// Rewrites a safetensors file with its JSON header changed by edit; the data
// section is copied unchanged.
void editSafetensorsHeader(const std::filesystem::path& file, const std::function<void(nlohmann::json&)>& edit);

// The parity model widened to hidden_dim 65536 in dir/too-large: about 100
// billion weights, 400 GB as fp32, more than any machine here has. The data
// is a sparse file (all zeros), so it costs no disk; *dataBytes gets its size.
std::filesystem::path makeTooLargeModel(const std::filesystem::path& dir, uint64_t* dataBytes = nullptr);

} // namespace bd3::test
