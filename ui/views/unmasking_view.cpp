#include "views/unmasking_view.hpp"

#include "generation/generation_record.hpp"
#include "views/step_palette.hpp"

#include <QFontDatabase>
#include <QHelpEvent>
#include <QMouseEvent>
#include <QPainter>
#include <QPainterPath>
#include <QResizeEvent>
#include <QToolTip>

#include <algorithm>
#include <cmath>

namespace {

// The shared canvas (StepPalette) and this view's own shades.
using StepPalette::kBackground;
using StepPalette::kText;
using StepPalette::kDimText;
using StepPalette::kPrefixFill;
const QColor kPrefixText(0xa4, 0xaa, 0xb5);
const QColor kMaskedFill(0x25, 0x29, 0x30);
const QColor kHighlight(0xf2, 0xf4, 0xf7);

constexpr double kMargin = 14;
constexpr double kStripHeight = 14;
constexpr double kStripGap = 4;
constexpr double kStripMaxBlockWidth = 140;
constexpr double kSectionGap = 12;
constexpr double kCellGap = 5;
constexpr double kCellPadding = 8;
// Token text from 14 points (level 0) down to 8, as room allows; 11 points is
// the size the view asks its layout room for.
constexpr double kLargestPointSize = 14;
constexpr int kFontLevels = 7;
constexpr int kNaturalLevel = 3;
constexpr int kFrameMs = 16;  // one step per display frame

// Dark text on light fills, light text on dark ones.
QColor textOn(const QColor& fill)
{
    const double luminance = 0.299 * fill.redF() + 0.587 * fill.greenF() + 0.114 * fill.blueF();
    return luminance > 0.5 ? QColor(0x14, 0x16, 0x1a) : kText;
}

// Per position, its reveal (null while masked), in one pass over the steps:
// BlockRecord::revealAt for every cell would be quadratic in the block size.
std::vector<const bd3::Reveal*> revealsByOffset(const BlockRecord& block)
{
    std::vector<const bd3::Reveal*> result(static_cast<size_t>(block.length()), nullptr);
    for (const bd3::StepDone& step : block.steps) {
        for (const bd3::Reveal& reveal : step.reveals) result[static_cast<size_t>(reveal.offset)] = &reveal;
    }
    return result;
}

// Fill of one position after `stepsShown` steps, as both the strip and the
// cells draw it.
QColor cellFill(const BlockRecord& block, int offset, int revealStep, const bd3::Reveal* reveal, int stepsShown)
{
    if (offset < block.start.cleanPrefix) return kPrefixFill;
    if (revealStep < 0 || revealStep >= stepsShown) return kMaskedFill;
    const double confidence = reveal ? reveal->probability : 1.0;
    return StepPalette::shadedByConfidence(StepPalette::stepColor(revealStep, block.plannedSteps()), confidence,
                                           kBackground);
}

} // namespace

UnmaskingView::UnmaskingView(QWidget* parent) : QWidget(parent)
{
    setAttribute(Qt::WA_OpaquePaintEvent);
    setMouseTracking(true);
    QSizePolicy policy(QSizePolicy::Expanding, QSizePolicy::Preferred);
    policy.setHeightForWidth(true);
    setSizePolicy(policy);

    m_tokenFont = QFontDatabase::systemFont(QFontDatabase::FixedFont);
    m_captionFont = font();
    m_captionFont.setPointSizeF(9.5);

    m_frameTimer.setInterval(kFrameMs);
    m_frameTimer.setTimerType(Qt::PreciseTimer);
    connect(&m_frameTimer, &QTimer::timeout, this, &UnmaskingView::advanceFrame);
}

void UnmaskingView::setRecord(const GenerationRecord* record)
{
    if (m_record) disconnect(m_record, nullptr, this, nullptr);
    m_record = record;
    m_block = -1;
    m_steps = 0;
    m_hoveredBlock = -1;
    m_frameTimer.stop();
    if (m_record) {
        connect(m_record, &GenerationRecord::cleared, this, &UnmaskingView::onCleared);
        connect(m_record, &GenerationRecord::blockStarted, this, &UnmaskingView::onRecordChanged);
        connect(m_record, &GenerationRecord::stepAdded, this, &UnmaskingView::onRecordChanged);
        connect(m_record, &GenerationRecord::blockCommitted, this, &UnmaskingView::onRecordChanged);
        connect(m_record, &GenerationRecord::generationFinished, this, &UnmaskingView::onRecordChanged);
        // The record may go first; never draw from a dead one.
        connect(m_record, &QObject::destroyed, this, [this] {
            m_record = nullptr;
            onCleared();
        });
        onRecordChanged();
    }
    updateGeometry();
    update();
}

void UnmaskingView::setReplayPosition(int block, int steps)
{
    if (!m_record || block < 0 || block >= m_record->blockCount()) return;
    m_replaying = true;
    m_frameTimer.stop();
    m_block = block;
    m_steps = std::clamp(steps, 0, stepsRecorded(block));
    updateCellsHeight();
    update();
}

void UnmaskingView::followLive()
{
    if (!m_replaying) return;
    m_replaying = false;
    onRecordChanged();
}

void UnmaskingView::onCleared()
{
    m_replaying = false;
    m_block = -1;
    m_steps = 0;
    m_hoveredBlock = -1;
    m_frameTimer.stop();
    m_stickyCellsHeight = 0;
    m_stickyLength = -1;
    m_fontLevel = 0;
    m_fitLength = -1;
    updateGeometry();
    update();
}

int UnmaskingView::stepsRecorded(int block) const
{
    return static_cast<int>(m_record->block(block).steps.size());
}

bool UnmaskingView::behind() const
{
    if (!m_record || m_record->blockCount() == 0) return false;
    if (m_block < m_record->blockCount() - 1) return true;
    return m_steps < stepsRecorded(m_block);
}

void UnmaskingView::onRecordChanged()
{
    if (!m_record) return;
    const int last = m_record->blockCount() - 1;
    if (last < 0) return;
    if (m_replaying) {
        // The replayed block may have started over: keep within its steps.
        m_block = std::min(m_block, last);
        m_steps = std::min(m_steps, stepsRecorded(m_block));
        if (layoutKey() != m_laidOut) updateCellsHeight();
        update();
        return;
    }
    if (m_block > last) {
        m_block = last;
        m_steps = 0;
    }
    // A block that started over has fewer steps than were shown.
    if (m_block >= 0) m_steps = std::min(m_steps, stepsRecorded(m_block));
    if (last - m_block > 1) {
        // Too far behind to catch up step by step: show the newest block.
        m_block = last;
        m_steps = 0;
        update();
    }
    if (!isVisible() && !m_replaying) {
        // Animating a hidden view is wasted work: be current when shown.
        m_block = last;
        m_steps = stepsRecorded(last);
        m_frameTimer.stop();
        return;
    }
    if (behind() && !m_frameTimer.isActive()) m_frameTimer.start();
    // Laying out a long block at every event would be costly: only when
    // what is shown changed (a jump, a restart).
    if (layoutKey() != m_laidOut) updateCellsHeight();
    update();
}

std::array<int, 3> UnmaskingView::layoutKey() const
{
    const bool valid = m_record && m_block >= 0 && m_block < m_record->blockCount();
    return {m_block, m_steps, valid ? m_record->block(m_block).restarts : -1};
}

void UnmaskingView::advanceFrame()
{
    if (!m_record || !behind()) {
        m_frameTimer.stop();
        return;
    }
    // A timer that fired late fires its next tick early: skip such a tick so
    // that every step stays on screen for about a frame.
    if (m_sinceLastFrame.isValid() && m_sinceLastFrame.elapsed() < kFrameMs * 3 / 4) return;
    m_sinceLastFrame.start();
    if (m_block < 0) {
        m_block = 0;
        m_steps = 0;
    } else if (m_steps < stepsRecorded(m_block)) {
        ++m_steps;
    } else {
        ++m_block;
        m_steps = 0;
    }
    if (!behind()) m_frameTimer.stop();
    updateCellsHeight();
    update();
}

void UnmaskingView::updateCellsHeight()
{
    m_laidOut = layoutKey();
    double height = 0;
    int length = -1;
    if (m_record && m_block >= 0 && m_block < m_record->blockCount()) {
        const BlockRecord& block = m_record->block(m_block);
        height = cellLayout(block, m_steps, width() - 2 * kMargin, kNaturalLevel).height;
        length = block.length();
    }
    // Rows appear as wide tokens are revealed; keeping them while blocks of
    // the same size follow stops the views below from jumping at each block.
    if (width() == m_stickyWidth && length == m_stickyLength) height = std::max(height, m_stickyCellsHeight);
    m_stickyWidth = width();
    m_stickyLength = length;
    if (height != m_stickyCellsHeight) {
        m_stickyCellsHeight = height;
        updateGeometry();
    }
    updateFit();
}

void UnmaskingView::updateFit()
{
    // The largest token text that fits: a container giving more height than
    // asked for (a splitter) gets bigger text, one giving less gets smaller
    // text rather than cut-off rows. Like the height, the size only shrinks
    // while the view and the block size stay the same.
    int level = 0;
    int length = -1;
    if (m_record && m_block >= 0 && m_block < m_record->blockCount()) {
        const BlockRecord& block = m_record->block(m_block);
        length = block.length();
        if (size() == m_fitSize && length == m_fitLength) level = m_fontLevel;  // never larger again
        const double room = height() - contentHeight(0);
        const double cellsWidth = width() - 2 * kMargin;
        while (level < kFontLevels - 1 && cellLayout(block, m_steps, cellsWidth, level).height > room) ++level;
    }
    m_fitSize = size();
    m_fitLength = length;
    if (level != m_fontLevel) {
        m_fontLevel = level;
        update();
    }
}

void UnmaskingView::showEvent(QShowEvent* event)
{
    QWidget::showEvent(event);
    // Hidden, the view skipped ahead without laying anything out.
    updateCellsHeight();
}

void UnmaskingView::resizeEvent(QResizeEvent* event)
{
    QWidget::resizeEvent(event);
    updateFit();
}

QSize UnmaskingView::sizeHint() const { return {640, std::max(heightForWidth(640), 150)}; }

QSize UnmaskingView::minimumSizeHint() const { return {240, 110}; }

int UnmaskingView::contentHeight(double cellsHeight) const
{
    const QFontMetricsF caption(m_captionFont);
    return static_cast<int>(std::ceil(kMargin + kStripHeight + kSectionGap + caption.height() + kSectionGap
                                      + cellsHeight + kMargin));
}

int UnmaskingView::heightForWidth(int width) const
{
    double cells = QFontMetricsF(tokenFont(kNaturalLevel)).height() + 2 * cellPadding(kNaturalLevel) / 1.5;
    if (m_record && m_block >= 0 && m_block < m_record->blockCount())
        cells = std::max(cells,
                         cellLayout(m_record->block(m_block), m_steps, width - 2 * kMargin, kNaturalLevel).height);
    if (width == m_stickyWidth) cells = std::max(cells, m_stickyCellsHeight);
    return contentHeight(cells);
}

QFont UnmaskingView::tokenFont(int level) const
{
    QFont font = m_tokenFont;
    font.setPointSizeF(kLargestPointSize - level);
    return font;
}

double UnmaskingView::cellPadding(int level) { return kCellPadding + 0.75 * (kNaturalLevel - level); }

UnmaskingView::CellLayout UnmaskingView::cellLayout(const BlockRecord& block, int stepsShown, double width,
                                                    int level) const
{
    const QFontMetricsF metrics(tokenFont(level));
    const double padding = cellPadding(level);
    const double cellHeight = std::ceil(metrics.height() + 2 * padding / 1.5);
    const double minWidth = std::ceil(metrics.horizontalAdvance(QStringLiteral("MMM")) + 2 * padding);
    const double maxWidth = std::max(minWidth, width);
    const double gap = kCellGap + 0.5 * (kNaturalLevel - level);
    const std::vector<int32_t> tokens = block.tokensAfter(stepsShown);
    const std::vector<int> revealed = block.revealSteps();

    CellLayout layout;
    layout.cells.reserve(tokens.size());
    double x = 0, y = 0;
    for (size_t i = 0; i < tokens.size(); ++i) {
        const bool known = static_cast<int>(i) < block.start.cleanPrefix
                           || (revealed[i] >= 0 && revealed[i] < stepsShown);
        double w = minWidth;
        if (known && m_record) {
            const double textWidth = metrics.horizontalAdvance(StepPalette::visibleText(m_record->tokenText(tokens[i])));
            w = std::clamp(std::ceil(textWidth + 2 * padding), minWidth, maxWidth);
        }
        if (x > 0 && x + w > width) {
            x = 0;
            y += cellHeight + gap;
        }
        layout.cells.emplace_back(x, y, w, cellHeight);
        x += w + gap;
    }
    layout.height = tokens.empty() ? 0 : y + cellHeight;
    return layout;
}

std::vector<UnmaskingView::StripItem> UnmaskingView::stripLayout() const
{
    std::vector<StripItem> items;
    if (!m_record || m_block < 0) return items;
    const double available = width() - 2 * kMargin;
    const QFontMetricsF caption(m_captionFont);
    // Room for the "N earlier" note, needed only when blocks are trimmed.
    const double noteWidth = caption.horizontalAdvance(tr("%1 earlier").arg(m_block + 1)) + 10;

    auto blockWidth = [](const BlockRecord& b) {
        const double perCell = std::clamp(std::floor(84.0 / std::max(b.length(), 1)), 2.0, 7.0);
        return std::min(perCell * b.length(), kStripMaxBlockWidth);
    };
    double total = 0;
    int first = m_block;
    for (int b = m_block; b >= 0; --b) {
        const double w = blockWidth(m_record->block(b));
        const double reserve = b > 0 ? noteWidth : 0;
        if (b != m_block && total + w + reserve > available) break;
        total += w + kStripGap;
        first = b;
    }
    double x = kMargin + (first > 0 ? noteWidth : 0);
    for (int b = first; b <= m_block; ++b) {
        const double w = blockWidth(m_record->block(b));
        items.push_back({QRectF(x, kMargin, w, kStripHeight), b});
        x += w + kStripGap;
    }
    return items;
}

QRect UnmaskingView::stripRect(int block) const
{
    for (const StripItem& item : stripLayout()) {
        if (item.block == block) return item.rect.toAlignedRect();
    }
    return {};
}

int UnmaskingView::stripBlockAt(const QPointF& point) const
{
    for (const StripItem& item : stripLayout()) {
        // A little slack above and below: the strip is thin.
        if (item.rect.adjusted(-kStripGap / 2, -4, kStripGap / 2, 4).contains(point)) return item.block;
    }
    return -1;
}

void UnmaskingView::paintEvent(QPaintEvent*)
{
    QPainter painter(this);
    painter.fillRect(rect(), kBackground);
    painter.setRenderHint(QPainter::Antialiasing);

    if (!m_record || m_block < 0 || m_block >= m_record->blockCount()) {
        painter.setFont(m_captionFont);
        painter.setPen(kDimText);
        painter.drawText(rect(), Qt::AlignCenter, tr("The unmasking of each block shows here as it is generated."));
        return;
    }
    const BlockRecord& block = m_record->block(m_block);
    paintStrip(painter);
    const double captionTop = kMargin + kStripHeight + kSectionGap;
    paintCaption(painter, block, captionTop);
    paintCells(painter, block, captionTop + QFontMetricsF(m_captionFont).height() + kSectionGap);
}

void UnmaskingView::paintStrip(QPainter& painter) const
{
    const std::vector<StripItem> items = stripLayout();
    if (items.empty()) return;
    if (items.front().block > 0) {
        painter.setFont(m_captionFont);
        painter.setPen(kDimText);
        painter.drawText(QRectF(kMargin, kMargin - 4, items.front().rect.left() - kMargin - 6, kStripHeight + 8),
                         Qt::AlignVCenter | Qt::AlignLeft, tr("%1 earlier").arg(items.front().block));
    }
    for (const StripItem& item : items) {
        const BlockRecord& b = m_record->block(item.block);
        const int stepsShown = item.block == m_block ? m_steps : static_cast<int>(b.steps.size());
        const std::vector<int> revealed = b.revealSteps();
        const std::vector<const bd3::Reveal*> reveals = revealsByOffset(b);
        const double cellWidth = item.rect.width() / std::max(b.length(), 1);
        QPainterPath clip;
        clip.addRoundedRect(item.rect, 2, 2);
        painter.save();
        painter.setClipPath(clip);
        painter.setRenderHint(QPainter::Antialiasing, false);
        for (int i = 0; i < b.length(); ++i) {
            const QRectF cell(item.rect.left() + i * cellWidth, item.rect.top(), cellWidth, item.rect.height());
            const auto at = static_cast<size_t>(i);
            painter.fillRect(cell, cellFill(b, i, revealed[at], reveals[at], stepsShown));
        }
        painter.restore();
        // The block on show and the one under the pointer stand out.
        if (item.block == m_block || item.block == m_hoveredBlock) {
            painter.setPen(QPen(item.block == m_hoveredBlock ? kHighlight : kDimText, 1.2));
            painter.setBrush(Qt::NoBrush);
            painter.drawRoundedRect(item.rect.adjusted(-1.5, -1.5, 1.5, 1.5), 3, 3);
        }
    }
}

void UnmaskingView::paintCaption(QPainter& painter, const BlockRecord& block, double top) const
{
    const QFontMetricsF metrics(m_captionFont);
    const int steps = block.plannedSteps();
    const int masked = m_steps > 0 ? block.steps[static_cast<size_t>(m_steps - 1)].maskedRemaining
                                   : block.maskedAtStart();
    QString caption =
        tr("Block %1 \u00b7 step %2 of %3 \u00b7 %4 masked").arg(m_block + 1).arg(m_steps).arg(steps).arg(masked);
    if (block.restarts == 1) caption += tr(" \u00b7 restarted once");
    else if (block.restarts > 1) caption += tr(" \u00b7 restarted %1 times").arg(block.restarts);
    painter.setFont(m_captionFont);
    painter.setPen(kText);
    painter.drawText(QPointF(kMargin, top + metrics.ascent()), caption);

    // Legend of the step colours at the right, when there is room for it.
    const double swatch = 9;
    const double right = width() - kMargin;
    const double captionRight = kMargin + metrics.horizontalAdvance(caption) + 24;
    painter.setPen(kDimText);
    const double midY = top + metrics.height() / 2;
    if (steps <= 16) {
        double x = right;
        std::vector<std::pair<double, int>> placed;
        for (int s = steps - 1; s >= 0; --s) {
            const QString label = QString::number(s + 1);
            x -= swatch + 3 + metrics.horizontalAdvance(label) + 8;
            placed.emplace_back(x, s);
        }
        const QString title = tr("steps");
        const double titleX = x - metrics.horizontalAdvance(title) - 6;
        if (titleX < captionRight) return;
        painter.drawText(QPointF(titleX, top + metrics.ascent()), title);
        for (const auto& [sx, s] : placed) {
            painter.setPen(Qt::NoPen);
            painter.setBrush(StepPalette::stepColor(s, steps));
            painter.drawRoundedRect(QRectF(sx, midY - swatch / 2, swatch, swatch), 2, 2);
            painter.setPen(kDimText);
            painter.drawText(QPointF(sx + swatch + 3, top + metrics.ascent()), QString::number(s + 1));
        }
    } else {
        // Too many steps for swatches: a gradient from the first to the last.
        const double barWidth = 90;
        const QString last = QString::number(steps);
        const double barRight = right - metrics.horizontalAdvance(last) - 5;
        const double barLeft = barRight - barWidth;
        const QString first = tr("step 1");
        const double firstX = barLeft - metrics.horizontalAdvance(first) - 5;
        if (firstX < captionRight) return;
        QLinearGradient gradient(barLeft, 0, barRight, 0);
        for (int i = 0; i <= 8; ++i) gradient.setColorAt(i / 8.0, StepPalette::stepColor(i * (steps - 1) / 8, steps));
        painter.setPen(Qt::NoPen);
        painter.setBrush(gradient);
        painter.drawRoundedRect(QRectF(barLeft, midY - swatch / 2, barWidth, swatch), 2, 2);
        painter.setPen(kDimText);
        painter.drawText(QPointF(firstX, top + metrics.ascent()), first);
        painter.drawText(QPointF(barRight + 5, top + metrics.ascent()), last);
    }
}

void UnmaskingView::paintCells(QPainter& painter, const BlockRecord& block, double top) const
{
    const CellLayout layout = cellLayout(block, m_steps, width() - 2 * kMargin, m_fontLevel);
    const std::vector<int32_t> tokens = block.tokensAfter(m_steps);
    const std::vector<int> revealed = block.revealSteps();
    const std::vector<const bd3::Reveal*> reveals = revealsByOffset(block);
    const QFont font = tokenFont(m_fontLevel);
    const QFontMetricsF metrics(font);
    const double padding = cellPadding(m_fontLevel);
    painter.setFont(font);
    const QBrush hatch(StepPalette::maskedColor(), Qt::BDiagPattern);

    for (size_t i = 0; i < layout.cells.size(); ++i) {
        const QRectF cell = layout.cells[i].translated(kMargin, top);
        const int offset = static_cast<int>(i);
        const QColor fill = cellFill(block, offset, revealed[i], reveals[i], m_steps);
        const bool prefix = offset < block.start.cleanPrefix;
        const bool known = prefix || (revealed[i] >= 0 && revealed[i] < m_steps);

        painter.setPen(Qt::NoPen);
        painter.setBrush(fill);
        painter.drawRoundedRect(cell, 4, 4);
        if (!known) {
            // Masked: hatched, with a quiet outline.
            painter.setBrush(hatch);
            painter.drawRoundedRect(cell, 4, 4);
            painter.setPen(QPen(StepPalette::maskedColor(), 1));
            painter.setBrush(Qt::NoBrush);
            painter.drawRoundedRect(cell.adjusted(0.5, 0.5, -0.5, -0.5), 4, 4);
            continue;
        }
        // The tokens of the step just shown get an outline, to see what changed.
        if (!prefix && revealed[i] == m_steps - 1) {
            painter.setPen(QPen(kHighlight, 1.5));
            painter.setBrush(Qt::NoBrush);
            painter.drawRoundedRect(cell.adjusted(0.75, 0.75, -0.75, -0.75), 4, 4);
        }
        const QString text = metrics.elidedText(StepPalette::visibleText(m_record->tokenText(tokens[i])), Qt::ElideRight,
                                                cell.width() - 2 * padding + 2);
        painter.setPen(prefix ? kPrefixText : textOn(fill));
        painter.drawText(cell, Qt::AlignCenter, text);
    }
}

void UnmaskingView::mousePressEvent(QMouseEvent* event)
{
    if (event->button() == Qt::LeftButton) {
        const int block = stripBlockAt(event->position());
        if (block >= 0) {
            Q_EMIT blockSelected(block);
            return;
        }
    }
    QWidget::mousePressEvent(event);
}

void UnmaskingView::mouseMoveEvent(QMouseEvent* event)
{
    const int block = stripBlockAt(event->position());
    if (block != m_hoveredBlock) {
        m_hoveredBlock = block;
        setCursor(block >= 0 ? Qt::PointingHandCursor : Qt::ArrowCursor);
        update();
    }
    QWidget::mouseMoveEvent(event);
}

void UnmaskingView::leaveEvent(QEvent* event)
{
    if (m_hoveredBlock >= 0) {
        m_hoveredBlock = -1;
        unsetCursor();
        update();
    }
    QWidget::leaveEvent(event);
}

bool UnmaskingView::event(QEvent* event)
{
    if (event->type() != QEvent::ToolTip || !m_record || m_block < 0) return QWidget::event(event);
    const auto* help = static_cast<QHelpEvent*>(event);
    const QPointF point = help->pos();

    const int stripBlock = stripBlockAt(point);
    if (stripBlock >= 0) {
        const BlockRecord& b = m_record->block(stripBlock);
        QString tip = tr("Block %1 \u2014 click to inspect it").arg(stripBlock + 1);
        if (b.commit) {
            tip += QStringLiteral("\n\u201c%1\u201d").arg(QString::fromStdString(b.commit->text).left(120));
        }
        QToolTip::showText(help->globalPos(), tip, this);
        return true;
    }

    const BlockRecord& block = m_record->block(m_block);
    const double top = kMargin + kStripHeight + kSectionGap + QFontMetricsF(m_captionFont).height() + kSectionGap;
    const CellLayout layout = cellLayout(block, m_steps, width() - 2 * kMargin, m_fontLevel);
    const std::vector<int> revealed = block.revealSteps();
    for (size_t i = 0; i < layout.cells.size(); ++i) {
        if (!layout.cells[i].translated(kMargin, top).contains(point)) continue;
        const int offset = static_cast<int>(i);
        QString tip;
        if (offset < block.start.cleanPrefix) {
            tip = tr("Position %1: \u201c%2\u201d, known before the block started")
                      .arg(QString::number(offset + 1), m_record->tokenText(block.start.tokens[i]));
        } else if (revealed[i] < 0 || revealed[i] >= m_steps) {
            tip = tr("Position %1: still masked").arg(offset + 1);
        } else if (const bd3::Reveal* reveal = block.revealAt(offset)) {
            // One arg() call: a token reading "%3" must not take a later value.
            tip = tr("Position %1: \u201c%2\u201d\nrevealed at step %3, probability %4, entropy %5 nats")
                      .arg(QString::number(offset + 1), m_record->tokenText(reveal->token),
                           QString::number(revealed[i] + 1),
                           QString::number(static_cast<double>(reveal->probability), 'f', 3),
                           QString::number(static_cast<double>(reveal->entropy), 'f', 2));
        }
        QToolTip::showText(help->globalPos(), tip, this);
        return true;
    }
    QToolTip::hideText();
    event->ignore();
    return true;
}
