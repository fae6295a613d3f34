#include "bd3/trace.hpp"

#include "bd3/error.hpp"
#include "bd3/model.hpp"

#include "parameters_json_object.hpp"

#include <nlohmann/json.hpp>

#include <fstream>

namespace bd3 {

namespace {

nlohmann::json stepJson(const StepDone& step)
{
    nlohmann::json reveals = nlohmann::json::array();
    for (const Reveal& r : step.reveals) {
        nlohmann::json alternatives = nlohmann::json::array();
        for (const Alternative& a : r.alternatives) alternatives.push_back({a.token, a.probability});
        reveals.push_back({{"offset", r.offset},
                           {"token", r.token},
                           {"probability", r.probability},
                           {"entropy", r.entropy},
                           {"alternatives", alternatives}});
    }
    nlohmann::json written = {{"step", step.step},
            {"forward_ran", step.forwardRan},
            {"forward_ms", step.forwardMs},
            {"masked_remaining", step.maskedRemaining},
            {"expected_masked", step.expectedMasked},
            {"reveals", reveals}};
    if (step.fromPreviousBlock) written["from_previous_block"] = true;
    return written;
}

} // namespace

TraceRecorder::TraceRecorder(const Model& model, std::string prompt, const GenerationOptions& options)
    : m_modelFolder(model.folder().string()), m_prompt(std::move(prompt)), m_options(options)
{
}

TraceRecorder::TraceRecorder(std::string modelFolder, std::string prompt, const GenerationOptions& options)
    : m_modelFolder(std::move(modelFolder)), m_prompt(std::move(prompt)), m_options(options)
{
}

void TraceRecorder::blockStarted(const BlockStarted& event) { m_blocks.push_back({event, {}, {}, false}); }

void TraceRecorder::stepDone(const StepDone& event)
{
    if (!m_blocks.empty()) m_blocks.back().steps.push_back(event);
}

void TraceRecorder::blockCommitted(const BlockCommitted& event)
{
    if (m_blocks.empty()) return;
    m_blocks.back().committed = event;
    m_blocks.back().isCommitted = true;
}

void TraceRecorder::finished(const GenerationFinished& event)
{
    m_finished = event;
    m_isFinished = true;
}

std::string TraceRecorder::toJson() const
{
    nlohmann::json blocks = nlohmann::json::array();
    for (const Block& b : m_blocks) {
        nlohmann::json steps = nlohmann::json::array();
        for (const StepDone& s : b.steps) steps.push_back(stepJson(s));
        nlohmann::json block = {{"block", b.started.block},
                                {"start_position", b.started.startPosition},
                                {"length", b.started.length},
                                {"clean_prefix", b.started.cleanPrefix},
                                {"initial_tokens", b.started.tokens},
                                {"params", samplingParamsObject(b.started.params)},
                                {"steps", steps},
                                {"committed", nullptr}};
        if (b.isCommitted)
            block["committed"] = {{"tokens", b.committed.tokens},
                                  {"text", b.committed.text},
                                  {"nfe", b.committed.nfe},
                                  {"milliseconds", b.committed.milliseconds}};
        blocks.push_back(block);
    }
    nlohmann::json doc = {
        {"format", "bd3-trace"},
        {"version", formatVersion},
        {"model", m_modelFolder},
        {"prompt", m_prompt},
        {"options",
         {{"seed", m_options.seed},
          {"max_new_tokens", m_options.maxNewTokens},
          {"stop_at_eos", m_options.stopAtEos},
          {"entropy_stop", m_options.entropyStop},
          {"prompt_special_tokens", m_options.promptHasSpecialTokens}}},
        {"blocks", blocks},
        {"finished", nullptr},
    };
    if (m_isFinished)
        doc["finished"] = {{"reason", stopReasonName(m_finished.reason)},
                           {"prompt_tokens", m_finished.promptTokens},
                           {"new_tokens", m_finished.newTokens},
                           {"blocks", m_finished.blocks},
                           {"nfe", m_finished.nfe},
                           {"cache_forwards", m_finished.cacheForwards},
                           {"seconds", m_finished.seconds},
                           {"text", m_finished.text}};
    return doc.dump(1, ' ', false, nlohmann::json::error_handler_t::replace);
}

void TraceRecorder::writeFile(const std::filesystem::path& path) const
{
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    if (!out) throw Error(path.string() + ": cannot write the trace");
    out << toJson() << '\n';
    if (!out.flush()) throw Error(path.string() + ": writing the trace failed");
}

} // namespace bd3
