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
    const auto tint = [&](int start, int stop, const GeneratedToken& token) {
        const int from = std::max(start, begin);
        const int to = std::min(stop, end);
        if (from >= to || token.step < 0) return;
        QColor color = StepPalette::shadedByConfidence(StepPalette::stepColor(token.step, token.stepsInBlock),
                                                       token.probability, background);
        color.setAlpha(90);
        QTextCharFormat format;
        format.setBackground(color);
        setFormat(from - begin, to - from, format);
    };
    for (auto span = firstSpanEndingAfter(m_spans, begin); span != m_spans.end(); ++span) {
        const int start = span->range.selectionStart();
        if (start >= end) break;
        tint(start, span->range.selectionEnd(), span->token);
    }
    if (m_pending) {
        for (const PendingTint& pending : *m_pending) tint(pending.from, pending.to, *pending.token);
    }
}
