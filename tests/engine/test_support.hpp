// Shared helpers of the engine tests: fixture paths, scratch folders, .npy
// reading and header-level edits of safetensors files.
#pragma once

#include "bd3/events.hpp"
#include "bd3/sampling.hpp"

#include <nlohmann/json.hpp>

#include <atomic>

#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

namespace bd3::test {

std::filesystem::path fixturesDir();           // tests/fixtures
std::filesystem::path parityModelDir();         // tests/fixtures/parity/model

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
// As editSafetensorsHeader, but the data is laid out anew for the edited
// header: each tensor's data_offsets, as edit leaves them, name bytes of the
// old data section, which are copied into place, so a tensor removed or
// added (as a copy of another's entry) still gives a well-formed file.
void rewriteSafetensors(const std::filesystem::path& file, const std::function<void(nlohmann::json&)>& edit);

// The parity model widened to hidden_dim 65536 in dir/too-large: about 100
// billion weights, 400 GB as fp32, more than any machine here has. The data
// is a sparse file (all zeros), so it costs no disk; *dataBytes gets its size.
std::filesystem::path makeTooLargeModel(const std::filesystem::path& dir, uint64_t* dataBytes = nullptr);

} // namespace bd3::test
