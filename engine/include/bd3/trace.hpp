// Records a generation's event stream and writes it as a versioned JSON
// document (docs/trace-format.md).
#pragma once

#include "bd3/events.hpp"
#include "bd3/sampling.hpp"

#include <filesystem>
#include <string>
#include <vector>

namespace bd3 {

class Model;

class TraceRecorder final : public GenerationObserver {
public:
    static constexpr int formatVersion = 1;

    TraceRecorder(const Model& model, std::string prompt, const GenerationOptions& options);

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

} // namespace bd3
