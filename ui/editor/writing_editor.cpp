#include "editor/writing_editor.hpp"

#include "editor/step_tint_highlighter.hpp"

#include <QHelpEvent>
#include <QTextBlock>
#include <QToolTip>

WritingEditor::WritingEditor(QWidget* parent)
    : QPlainTextEdit(parent), m_tint(new StepTintHighlighter(document(), m_spans))
{
    setObjectName(QStringLiteral("writingEditor"));
    setPlaceholderText(tr("Write here, then press Ctrl+Return: the model continues from the cursor, block by block."));
    QFont font = this->font();
    font.setPointSizeF(font.pointSizeF() * 1.15);
    setFont(font);
    setMouseTracking(true);
    m_flushTimer.setSingleShot(true);
    m_flushTimer.setInterval(100);
    connect(&m_flushTimer, &QTimer::timeout, this, &WritingEditor::flushPending);
}

WritingEditor::~WritingEditor() = default;

QString WritingEditor::beginGeneration()
{
    m_insertion = textCursor();
    m_insertion.clearSelection();
    if (m_insertion.position() == 0) m_insertion.movePosition(QTextCursor::End);
    m_generating = true;
    m_firstInsert = true;
    setReadOnly(true);
    QTextCursor before(document());
    before.setPosition(m_insertion.position(), QTextCursor::KeepAnchor);
    return before.selectedText().replace(QChar::ParagraphSeparator, QLatin1Char('\n'));
}

void WritingEditor::insertGenerated(const std::vector<GeneratedToken>& tokens)
{
    if (!m_generating) return;
    m_pending.insert(m_pending.end(), tokens.begin(), tokens.end());
    if (!m_flushTimer.isActive()) m_flushTimer.start();
}

void WritingEditor::flushPending()
{
    if (m_pending.empty()) return;
    QString text;
    for (const GeneratedToken& token : m_pending) text += token.text;
    const int start = m_insertion.position();
    // Where each token will be once inserted: the highlighter tints them in
    // the pass that follows the insertion, so the paragraph is laid out and
    // highlighted once, not once more afterwards.
    std::vector<PendingTint> tints;
    tints.reserve(m_pending.size());
    int position = start;
    for (const GeneratedToken& token : m_pending) {
        const int length = static_cast<int>(token.text.size());
        if (length > 0) tints.push_back({position, position + length, &token});
        position += length;
    }
    m_tint->setPending(&tints);
    // The first insertion opens the undo step; later ones join it.
    if (m_firstInsert) {
        m_insertion.beginEditBlock();
        m_firstInsert = false;
    } else {
        m_insertion.joinPreviousEditBlock();
    }
    m_insertion.insertText(text);
    m_insertion.endEditBlock();
    m_tint->setPending(nullptr);

    // Spans stay in document order (edits move cursors but never reorder
    // them), so the highlighter and the tooltip find a position's span by
    // binary search instead of visiting every generated token.
    const auto at = firstSpanEndingAfter(m_spans, start);
    std::vector<GeneratedSpan> inserted;
    inserted.reserve(tints.size());
    for (const PendingTint& tint : tints) {
        QTextCursor range(document());
        range.setPosition(tint.from);
        range.setPosition(tint.to, QTextCursor::KeepAnchor);
        inserted.push_back({range, *tint.token});
    }
    m_spans.insert(at, std::make_move_iterator(inserted.begin()), std::make_move_iterator(inserted.end()));
    m_pending.clear();
    setTextCursor(m_insertion);
    ensureCursorVisible();
}

void WritingEditor::endGeneration()
{
    m_flushTimer.stop();
    flushPending();
    m_generating = false;
    setReadOnly(false);
    setTextCursor(m_insertion);
}

void WritingEditor::setTintBySteps(bool tint) { m_tint->setEnabled(tint); }

bool WritingEditor::tintBySteps() const { return m_tint->isEnabled(); }

int WritingEditor::generatedTokenCount() const
{
    int count = 0;
    for (const GeneratedSpan& span : m_spans) count += span.range.hasSelection();
    return count;
}

const GeneratedSpan* WritingEditor::spanAt(int position) const
{
    const auto it = firstSpanEndingAfter(m_spans, position);
    if (it != m_spans.end() && it->range.hasSelection() && it->range.selectionStart() <= position) return &*it;
    return nullptr;
}

bool WritingEditor::viewportEvent(QEvent* event)
{
    if (event->type() == QEvent::ToolTip) {
        auto* help = static_cast<QHelpEvent*>(event);
        if (const GeneratedSpan* span = spanAt(cursorForPosition(help->pos()).position())) {
            const GeneratedToken& t = span->token;
            QString text = t.step < 0 ? tr("<b>%1</b><br>block %2, from the prompt").arg(t.text.toHtmlEscaped()).arg(t.block + 1)
                                      : tr("<b>%1</b><br>block %2, step %3<br>probability %4, entropy %5 nats")
                                            .arg(t.text.toHtmlEscaped())
                                            .arg(t.block + 1)
                                            .arg(t.step + 1)
                                            .arg(t.probability, 0, 'f', 3)
                                            .arg(t.entropy, 0, 'f', 2);
            if (!t.alternatives.isEmpty()) text += tr("<br>alternatives: %1").arg(t.alternatives.toHtmlEscaped());
            QToolTip::showText(help->globalPos(), text, this);
        } else {
            QToolTip::hideText();
        }
        return true;
    }
    return QPlainTextEdit::viewportEvent(event);
}
