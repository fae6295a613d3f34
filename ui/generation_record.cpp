#include "generation_record.hpp"

std::vector<int32_t> BlockRecord::tokensAfter(int stepCount) const
{
    std::vector<int32_t> tokens = start.tokens;
    const auto count = std::min(static_cast<size_t>(std::max(stepCount, 0)), steps.size());
    for (size_t s = 0; s < count; ++s) {
        for (const bd3::Reveal& reveal : steps[s].reveals) tokens[static_cast<size_t>(reveal.offset)] = reveal.token;
    }
    return tokens;
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
    Q_EMIT cleared();
}

void GenerationRecord::apply(const std::vector<EngineEvent>& events)
{
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
            if (m_blocks.empty()) continue;
            m_blocks.back().steps.push_back(*step);
            Q_EMIT stepAdded(blockCount() - 1, step->step);
        } else if (const auto* committed = std::get_if<bd3::BlockCommitted>(&event)) {
            if (m_blocks.empty()) continue;
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
