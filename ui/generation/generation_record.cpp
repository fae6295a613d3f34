#include "generation/generation_record.hpp"

#include <algorithm>

std::vector<int32_t> BlockRecord::tokensAfter(int stepCount) const
{
    std::vector<int32_t> tokens = start.tokens;
    const auto count = std::min(static_cast<size_t>(std::max(stepCount, 0)), steps.size());
    for (size_t s = 0; s < count; ++s) {
        for (const bd3::Reveal& reveal : steps[s].reveals) tokens[static_cast<size_t>(reveal.offset)] = reveal.token;
    }
    return tokens;
}

int BlockRecord::plannedSteps() const
{
    const int recorded = static_cast<int>(steps.size());
    if (commit) return std::max(recorded, 1);
    int planned = start.params.steps;
    if (start.params.sampler == bd3::SamplerKind::FirstHitting) planned = maskedAtStart();
    return std::max({planned, recorded, 1});
}

std::vector<int> BlockRecord::revealSteps() const
{
    std::vector<int> result(static_cast<size_t>(start.length), -1);
    for (const bd3::StepDone& step : steps) {
        for (const bd3::Reveal& reveal : step.reveals) result[static_cast<size_t>(reveal.offset)] = step.step;
    }
    return result;
}

const bd3::Reveal* BlockRecord::revealAt(int offset) const
{
    for (const bd3::StepDone& step : steps) {
        for (const bd3::Reveal& reveal : step.reveals) {
            if (reveal.offset == offset) return &reveal;
        }
    }
    return nullptr;
}

GenerationRecord::GenerationRecord(QObject* parent) : QObject(parent) {}

void GenerationRecord::setVocabulary(std::shared_ptr<const QStringList> pieces, int32_t maskId)
{
    m_pieces = std::move(pieces);
    m_maskId = maskId;
}

QString GenerationRecord::tokenText(int32_t token) const
{
    if (token == m_maskId) return QStringLiteral("[MASK]");
    if (!m_pieces || token < 0 || token >= m_pieces->size()) return QStringLiteral("<%1>").arg(token);
    return m_pieces->at(token);
}

void GenerationRecord::clear()
{
    m_blocks.clear();
    m_finished.reset();
    m_events.clear();
    m_run = {};
    m_imported = false;
    Q_EMIT cleared();
}

void GenerationRecord::begin(const GenerationRun& run)
{
    clear();
    m_run = run;
}

void GenerationRecord::load(const bd3::Trace& trace)
{
    load(*GenerationSnapshot::fromTrace(trace));
}

void GenerationRecord::load(const GenerationSnapshot& snapshot)
{
    clear();
    m_run = snapshot.run;
    m_imported = true;
    apply(snapshot.events);
}

std::string GenerationRecord::toTraceJson() const { return GenerationSnapshot{m_run, m_events}.toTraceJson(); }

std::shared_ptr<const GenerationSnapshot> GenerationRecord::snapshot() const
{
    return std::make_shared<const GenerationSnapshot>(GenerationSnapshot{m_run, m_events});
}

std::shared_ptr<const GenerationSnapshot> GenerationSnapshot::fromTrace(const bd3::Trace& trace)
{
    GenerationRun run{QString::fromStdString(trace.prompt), QString::fromStdString(trace.model), trace.options};
    return std::make_shared<const GenerationSnapshot>(GenerationSnapshot{run, trace.events});
}

std::string GenerationSnapshot::toTraceJson() const
{
    bd3::TraceRecorder recorder(run.modelFolder.toStdString(), run.prompt.toStdString(), run.options);
    for (const EngineEvent& event : events) {
        std::visit(
            [&recorder](const auto& e) {
                using T = std::decay_t<decltype(e)>;
                if constexpr (std::is_same_v<T, bd3::BlockStarted>) recorder.blockStarted(e);
                else if constexpr (std::is_same_v<T, bd3::StepDone>) recorder.stepDone(e);
                else if constexpr (std::is_same_v<T, bd3::BlockCommitted>) recorder.blockCommitted(e);
                else recorder.finished(e);
            },
            event);
    }
    return recorder.toJson();
}

void GenerationRecord::apply(const std::vector<EngineEvent>& events)
{
    m_events.insert(m_events.end(), events.begin(), events.end());
    for (const EngineEvent& event : events) {
        if (const auto* started = std::get_if<bd3::BlockStarted>(&event)) {
            if (!m_blocks.empty() && m_blocks.back().start.block == started->block && !m_blocks.back().commit) {
                const int restarts = m_blocks.back().restarts + 1;
                m_blocks.back() = BlockRecord{*started, {}, {}, restarts};
            } else {
                m_blocks.push_back(BlockRecord{*started, {}, {}, 0});
            }
            Q_EMIT blockStarted(blockCount() - 1);
        } else if (const auto* step = std::get_if<bd3::StepDone>(&event)) {
            // Steps belong to the block being denoised: the last one started.
            if (m_blocks.empty() || m_blocks.back().start.block != step->block) continue;
            m_blocks.back().steps.push_back(*step);
            Q_EMIT stepAdded(blockCount() - 1, step->step);
        } else if (const auto* committed = std::get_if<bd3::BlockCommitted>(&event)) {
            if (m_blocks.empty() || m_blocks.back().start.block != committed->block) continue;
            m_blocks.back().commit = *committed;
            Q_EMIT blockCommitted(blockCount() - 1);
        } else if (const auto* finished = std::get_if<bd3::GenerationFinished>(&event)) {
            m_finished = *finished;
            Q_EMIT generationFinished();
        }
    }
}

int GenerationRecord::totalNfe() const
{
    int nfe = 0;
    for (const BlockRecord& b : m_blocks) {
        for (const bd3::StepDone& s : b.steps) nfe += s.forwardRan;
    }
    return nfe;
}

int GenerationRecord::totalTokens() const
{
    int tokens = 0;
    for (const BlockRecord& b : m_blocks) {
        if (b.commit) tokens += b.maskedAtStart();
    }
    return tokens;
}
