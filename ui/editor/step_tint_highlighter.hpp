// Tints generated tokens by the step that revealed them. A highlighter's
// formats live in the layout, outside the document, so tinting never enters
// the undo history, and only the paragraphs that change are redone.
#pragma once

#include <QHash>
#include <QSyntaxHighlighter>
#include <QTextCharFormat>

#include <vector>

struct GeneratedSpan;
struct GeneratedToken;

// A generated token about to be inserted: its absolute place once the text
// is in, so the highlighter tints it in the same pass that lays it out.
struct PendingTint {
    int from = 0;
    int to = 0;
    const GeneratedToken* token = nullptr;
};

class StepTintHighlighter : public QSyntaxHighlighter {
    Q_OBJECT

public:
    StepTintHighlighter(QTextDocument* document, const std::vector<GeneratedSpan>& spans);

    void setEnabled(bool enabled);
    bool isEnabled() const { return m_enabled; }
    // Tokens being inserted now (null when none); set around the insertion.
    void setPending(const std::vector<PendingTint>* pending) { m_pending = pending; }

protected:
    void highlightBlock(const QString& text) override;

private:
    const QTextCharFormat& formatFor(const GeneratedToken& token, const QColor& background);

    const std::vector<GeneratedSpan>& m_spans;
    QHash<quint64, QTextCharFormat> m_formats;  // one per step and shade, for m_formatsBackground
    QColor m_formatsBackground;
    const std::vector<PendingTint>* m_pending = nullptr;
    bool m_enabled = true;
};
