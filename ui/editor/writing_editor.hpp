// Where the person writes. Generated text is inserted at the point where the
// generation started; one generation is one undo step. Each generated token
// remembers its block, step, probability and alternatives for the hover
// tooltip, and can be tinted by the step that revealed it.
#pragma once

#include <QPlainTextEdit>
#include <QTextCursor>
#include <QTimer>

#include <algorithm>
#include <vector>

class StepTintHighlighter;

struct GeneratedToken {
    QString text;
    int block = 0;
    int step = -1;           // -1: the prompt's partial block
    int stepsInBlock = 1;
    float probability = 0.0F;
    float entropy = 0.0F;
    QString alternatives;    // "token 0.41, other 0.20, ..."
};

// A generated token's place in the document; the cursor follows later edits.
struct GeneratedSpan {
    QTextCursor range;
    GeneratedToken token;
};

// The first span, of spans kept in document order, that ends after position.
inline std::vector<GeneratedSpan>::const_iterator firstSpanEndingAfter(const std::vector<GeneratedSpan>& spans,
                                                                       int position)
{
    return std::partition_point(spans.begin(), spans.end(),
                                [position](const GeneratedSpan& span) { return span.range.selectionEnd() <= position; });
}

class WritingEditor : public QPlainTextEdit {
    Q_OBJECT

public:
    explicit WritingEditor(QWidget* parent = nullptr);
    ~WritingEditor() override;

    // The text the model continues: everything before the insertion point
    // (the cursor, or the end when the cursor is at the very start).
    QString beginGeneration();
    // Queues tokens; they reach the document a few times a second at most,
    // so a fast model does not make the editor relayout for every block.
    void insertGenerated(const std::vector<GeneratedToken>& tokens);
    void endGeneration();
    // Inserts what is queued now (before a picture of the window).
    void flushNow() { flushPending(); }
    bool isGenerating() const { return m_generating; }

    void setTintBySteps(bool tint);
    bool tintBySteps() const;
    int generatedTokenCount() const;

protected:
    bool viewportEvent(QEvent* event) override;

private:
    void flushPending();
    const GeneratedSpan* spanAt(int position) const;

    std::vector<GeneratedSpan> m_spans;
    std::vector<GeneratedToken> m_pending;
    StepTintHighlighter* m_tint;
    QTextCursor m_insertion;
    QTimer m_flushTimer;
    bool m_generating = false;
    bool m_firstInsert = true;
};
