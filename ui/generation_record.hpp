// The studio's record of the current generation, built from the engine's
// event stream on the UI thread. Every view draws from it; nothing in it is
// ever dropped, however the events were batched.
#pragma once

#include "bd3/events.hpp"

#include <QObject>
#include <QStringList>

#include <memory>
#include <optional>
#include <variant>
#include <vector>

using EngineEvent = std::variant<bd3::BlockStarted, bd3::StepDone, bd3::BlockCommitted, bd3::GenerationFinished>;

struct BlockRecord {
    bd3::BlockStarted start;
    std::vector<bd3::StepDone> steps;
    std::optional<bd3::BlockCommitted> commit;
    int restarts = 0;  // times the block started over with new parameters

    int length() const { return start.length; }
    int maskedAtStart() const { return start.length - start.cleanPrefix; }
    // The block's tokens after its first stepCount steps (0: as it started).
    std::vector<int32_t> tokensAfter(int stepCount) const;
    // Per position, the step that revealed it; -1 for the clean prefix and
    // for positions still masked.
    std::vector<int> revealSteps() const;
    // The reveal of one position, or null when it was not revealed.
    const bd3::Reveal* revealAt(int offset) const;
};

class GenerationRecord : public QObject {
    Q_OBJECT

public:
    explicit GenerationRecord(QObject* parent = nullptr);

    // Display text of every id of the loaded model's vocabulary.
    void setVocabulary(std::shared_ptr<const QStringList> pieces, int32_t maskId);
    QString tokenText(int32_t token) const;
    int32_t maskId() const { return m_maskId; }

    void clear();
    void apply(const std::vector<EngineEvent>& events);

    int blockCount() const { return static_cast<int>(m_blocks.size()); }
    const BlockRecord& block(int index) const { return m_blocks.at(static_cast<size_t>(index)); }
    const std::optional<bd3::GenerationFinished>& finished() const { return m_finished; }
    int totalNfe() const;
    int totalTokens() const;

Q_SIGNALS:
    void cleared();
    void blockStarted(int block);  // also when a block starts over
    void stepAdded(int block, int step);
    void blockCommitted(int block);
    void generationFinished();

private:
    std::shared_ptr<const QStringList> m_pieces;
    int32_t m_maskId = -1;
    std::vector<BlockRecord> m_blocks;
    std::optional<bd3::GenerationFinished> m_finished;
};
