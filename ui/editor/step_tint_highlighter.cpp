#include "editor/step_tint_highlighter.hpp"

#include "views/step_palette.hpp"
#include "editor/writing_editor.hpp"

#include <QGuiApplication>
#include <QPalette>
#include <QTextBlock>

#include <algorithm>
#include <cmath>

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
    if (background != m_formatsBackground) {
        m_formats.clear();
        m_formatsBackground = background;
    }
    const auto tint = [&](int start, int stop, const GeneratedToken& token) {
        const int from = std::max(start, begin);
        const int to = std::min(stop, end);
        if (from >= to || token.step < 0) return;
        setFormat(from - begin, to - from, formatFor(token, background));
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

const QTextCharFormat& StepTintHighlighter::formatFor(const GeneratedToken& token, const QColor& background)
{
    // Confidence in 64 shades is finer than the eye can tell apart in a tint;
    // sharing one format per shade keeps a long paragraph's formats few.
    constexpr int kShades = 64;
    const int shade = static_cast<int>(std::lround(std::clamp(token.probability, 0.0F, 1.0F) * kShades));
    const quint64 key = (quint64(quint32(token.step)) << 40) | (quint64(quint32(token.stepsInBlock)) << 8) | quint64(shade);
    auto found = m_formats.find(key);
    if (found == m_formats.end()) {
        QColor color = StepPalette::shadedByConfidence(StepPalette::stepColor(token.step, token.stepsInBlock),
                                                       double(shade) / kShades, background);
        color.setAlpha(90);
        QTextCharFormat format;
        format.setBackground(color);
        found = m_formats.insert(key, format);
    }
    return *found;
}
