// Records a generation's event stream and writes it as a versioned JSON
// document (docs/trace-format.md).
#pragma once

#include "bd3/events.hpp"
#include "bd3/sampling.hpp"

#include <filesystem>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace bd3 {

class Model;

class TraceRecorder final : public GenerationObserver {
public:
    static constexpr int formatVersion = 1;

    TraceRecorder(const Model& model, std::string prompt, const GenerationOptions& options);
    // For a front end that keeps the events itself and writes them later.
    TraceRecorder(std::string modelFolder, std::string prompt, const GenerationOptions& options);

    void blockStarted(const BlockStarted& event) override;
    void stepDone(const StepDone& event) override;
    void blockCommitted(const BlockCommitted& event) override;
    void finished(const GenerationFinished& event) override;

    std::string toJson() const;
    // Throws bd3::Error naming the file when it cannot be written.
    void writeFile(const std::filesystem::path& path) const;

private:
    struct Block {
        BlockStarted started;
        std::vector<StepDone> steps;
        BlockCommitted committed;
        bool isCommitted = false;
    };
    std::string m_modelFolder;
    std::string m_prompt;
    GenerationOptions m_options;
    std::vector<Block> m_blocks;
    GenerationFinished m_finished;
    bool m_isFinished = false;
};

// One event of a trace, in the order the generator emitted it.
using TraceEvent = std::variant<BlockStarted, StepDone, BlockCommitted, GenerationFinished>;

// A trace read back: what was asked and the event stream, ready to replay.
struct Trace {
    int version = TraceRecorder::formatVersion;
    std::string model;   // the model folder as written
    std::string prompt;
    GenerationOptions options;
    // Per block: BlockStarted, its StepDones, BlockCommitted when it was
    // committed; GenerationFinished last when the generation finished. A
    // restarted block appears again with the same block index.
    std::vector<TraceEvent> events;
};

// Parses a trace document (docs/trace-format.md). Throws bd3::Error naming
// the problem: not JSON (with the byte offset), not a bd3 trace, a version
// this build does not read, a missing key or a value of the wrong type (with
// its path, e.g. blocks[2].steps[0].reveals[1].offset), or values that do not
// fit together (a reveal outside its block).
Trace parseTrace(std::string_view json);
// Reads and parses a trace file; errors start with the file's path.
Trace readTrace(const std::filesystem::path& path);

} // namespace bd3
