// Tints generated tokens by the step that revealed them. A highlighter's
// formats live in the layout, outside the document, so tinting never enters
// the undo history, and only the paragraphs that change are redone.
#pragma once

#include <QSyntaxHighlighter>

#include <vector>

struct GeneratedSpan;

class StepTintHighlighter : public QSyntaxHighlighter {
    Q_OBJECT

public:
    StepTintHighlighter(QTextDocument* document, const std::vector<GeneratedSpan>& spans);

    void setEnabled(bool enabled);
    bool isEnabled() const { return m_enabled; }

protected:
    void highlightBlock(const QString& text) override;

private:
    const std::vector<GeneratedSpan>& m_spans;
    bool m_enabled = true;
};
