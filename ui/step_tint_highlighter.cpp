#include "step_tint_highlighter.hpp"

#include "step_palette.hpp"
#include "writing_editor.hpp"

#include <QGuiApplication>
#include <QPalette>
#include <QTextBlock>

StepTintHighlighter::StepTintHighlighter(QTextDocument* document, const std::vector<GeneratedSpan>& spans)
    : QSyntaxHighlighter(document), m_spans(spans)
{
}

void StepTintHighlighter::setEnabled(bool enabled)
{
    m_enabled = enabled;
    rehighlight();
}

void StepTintHighlighter::highlightBlock(const QString& text)
{
    if (!m_enabled) return;
    const int begin = currentBlock().position();
    const int end = begin + static_cast<int>(text.size());
    const QColor background = QGuiApplication::palette().color(QPalette::Base);
    for (const GeneratedSpan& span : m_spans) {
        const int from = std::max(span.range.selectionStart(), begin);
        const int to = std::min(span.range.selectionEnd(), end);
        if (from >= to || span.token.step < 0) continue;
        QColor color = StepPalette::shadedByConfidence(
            StepPalette::stepColor(span.token.step, span.token.stepsInBlock), span.token.probability, background);
        color.setAlpha(90);
        QTextCharFormat format;
        format.setBackground(color);
        setFormat(from - begin, to - from, format);
    }
}
