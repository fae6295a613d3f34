#include "views/step_timeline_view.hpp"

#include "generation/generation_record.hpp"
#include "views/step_palette.hpp"

#include <QFontDatabase>
#include <QHelpEvent>
#include <QImage>
#include <QPainter>
#include <QToolTip>

#include <algorithm>
#include <cmath>

namespace {

// The shared canvas (StepPalette) and this view's own shades.
using StepPalette::kBackground;
const QColor kGridBase(0x21, 0x25, 0x2c);
using StepPalette::kText;
using StepPalette::kDimText;
using StepPalette::kPrefixFill;

constexpr double kMargin = 14;
constexpr double kMaxCellWidth = 72;
constexpr double kMaxCellHeight = 26;
constexpr double kMaxRotatedLabel = 90;
constexpr double kComfortableRowHeight = 14;

// Every k-th label, k a round number, so labels keep `spacing` apart.
int labelStride(double cellSize, double spacing)
{
    for (int stride : {1, 2, 5, 10, 20, 50, 100, 200, 500, 1000}) {
        if (cellSize * stride >= spacing) return stride;
    }
    return 2000;
}

// Multiples of the stride carry labels, and 1 where it stands clear of the
// next one (1, 5, 10 reads well; 1, 2, 4 does not).
bool labelled(int number, int stride) { return number % stride == 0 || (number == 1 && stride >= 5); }

enum class CellKind { Empty, Prefix, Revealed, Masked };

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

// What the cell at (position, step) shows; `fill` is set for every kind but Empty.
CellKind cellAt(const BlockRecord& block, const std::vector<int>& revealSteps,
                const std::vector<const bd3::Reveal*>& reveals, int position, int step, QColor& fill)
{
    const int recorded = static_cast<int>(block.steps.size());
    if (position < block.start.cleanPrefix) {
        fill = kPrefixFill;
        return CellKind::Prefix;
    }
    if (step >= recorded) return CellKind::Empty;
    const int revealedAt = revealSteps[static_cast<size_t>(position)];
    if (revealedAt == step) {
        const bd3::Reveal* reveal = reveals[static_cast<size_t>(position)];
        fill = StepPalette::shadedByConfidence(StepPalette::stepColor(step, block.plannedSteps()),
                                               reveal ? reveal->probability : 1.0, kBackground);
        return CellKind::Revealed;
    }
    if (revealedAt < 0 || revealedAt > step) {
        fill = StepPalette::maskedColor();
        fill.setAlpha(70);
        return CellKind::Masked;
    }
    return CellKind::Empty;
}

} // namespace

StepTimelineView::StepTimelineView(QWidget* parent) : QWidget(parent)
{
    setAttribute(Qt::WA_OpaquePaintEvent);
    setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Expanding);
    m_tokenFont = QFontDatabase::systemFont(QFontDatabase::FixedFont);
    m_tokenFont.setPointSizeF(9.5);
    m_labelFont = font();
    m_labelFont.setPointSizeF(8.5);
}

void StepTimelineView::setRecord(const GenerationRecord* record)
{
    if (m_record) disconnect(m_record, nullptr, this, nullptr);
    m_record = record;
    m_follow = true;
    m_block = -1;
    if (m_record) {
        // A new generation: an index chosen in the old one means nothing.
        connect(m_record, &GenerationRecord::cleared, this, &StepTimelineView::followLatest);
        const auto refresh = [this] { update(); };
        connect(m_record, &GenerationRecord::blockStarted, this, refresh);
        connect(m_record, &GenerationRecord::stepAdded, this, refresh);
        connect(m_record, &GenerationRecord::blockCommitted, this, refresh);
        connect(m_record, &QObject::destroyed, this, [this] {
            m_record = nullptr;
            update();
        });
    }
    update();
}

void StepTimelineView::setBlock(int block)
{
    m_follow = false;
    m_block = std::max(block, 0);
    update();
}

void StepTimelineView::followLatest()
{
    m_follow = true;
    m_block = -1;
    m_stepMarker = -1;
    update();
}

void StepTimelineView::setStepMarker(int steps)
{
    m_stepMarker = steps;
    update();
}

int StepTimelineView::shownBlock() const
{
    if (!m_record || m_record->blockCount() == 0) return -1;
    if (m_follow) return m_record->blockCount() - 1;
    return std::min(m_block, m_record->blockCount() - 1);
}

QSize StepTimelineView::sizeHint() const { return {560, 300}; }

QSize StepTimelineView::minimumSizeHint() const { return {260, 160}; }

StepTimelineView::Grid StepTimelineView::gridFor(const BlockRecord& block) const
{
    const QFontMetricsF label(m_labelFont);
    const QFontMetricsF tokens(m_tokenFont);
    Grid grid;
    grid.columns = std::max(block.length(), 1);
    grid.rows = block.plannedSteps();

    // Left: the step numbers; top: the caption, the "position" title and the
    // position numbers, with the "step" title in the corner.
    const double numbersWidth =
        std::max(label.horizontalAdvance(tr("step \u2193")), label.horizontalAdvance(QStringLiteral("000")));
    const double left = kMargin + numbersWidth + 10;
    const double top = kMargin + 2 * QFontMetricsF(font()).lineSpacing() + 16 + 2 * label.height() + 6;
    grid.cellWidth = std::min(kMaxCellWidth, std::max(1.0, (width() - left - kMargin) / grid.columns));

    // Token text under the columns: level when it fits, turned when the
    // columns are at least a line high, else none.
    double widest = 0;
    if (m_record) {
        const std::vector<int32_t> final = block.tokensAfter(static_cast<int>(block.steps.size()));
        for (int32_t token : final) {
            if (token == m_record->maskId()) continue;
            widest = std::max(widest, tokens.horizontalAdvance(StepPalette::visibleText(m_record->tokenText(token))));
        }
    }
    // The rows come first: labels take only the room left over once every
    // row is comfortably tall.
    const double available = height() - top - kMargin;
    const double labelRoom = available - grid.rows * kComfortableRowHeight;
    if (widest > 0 && widest + 6 <= grid.cellWidth && labelRoom >= tokens.height() + 8) {
        grid.labels = TokenLabels::Horizontal;
        grid.labelHeight = tokens.height() + 8;
    } else if (widest > 0 && grid.cellWidth >= tokens.height() + 2 && labelRoom >= 3 * tokens.averageCharWidth() + 10) {
        grid.labels = TokenLabels::Rotated;
        grid.labelHeight = std::min({kMaxRotatedLabel, widest + 10, labelRoom});
    }
    grid.cellHeight = std::clamp((available - grid.labelHeight) / grid.rows, 1.0, kMaxCellHeight);
    grid.area = QRectF(left, top, grid.cellWidth * grid.columns, grid.cellHeight * grid.rows);
    return grid;
}

void StepTimelineView::paintEvent(QPaintEvent*)
{
    QPainter painter(this);
    painter.fillRect(rect(), kBackground);
    const int index = shownBlock();
    if (index < 0) {
        painter.setFont(m_labelFont);
        painter.setPen(kDimText);
        painter.drawText(rect(), Qt::AlignCenter,
                         tr("Each block's steps show here: a column per position, a row per step."));
        return;
    }
    const BlockRecord& block = m_record->block(index);
    const Grid grid = gridFor(block);
    paintCaption(painter, block, index);
    paintAxes(painter, grid);
    paintCells(painter, block, grid);
    paintTokenLabels(painter, block, grid);
    if (m_stepMarker >= 0 && m_stepMarker < grid.rows) {
        // The steps not yet replayed fade; the step just replayed is framed.
        const double top = grid.area.top() + m_stepMarker * grid.cellHeight;
        QColor veil = kBackground;
        veil.setAlpha(170);
        painter.fillRect(QRectF(grid.area.left(), top, grid.area.width(), grid.area.bottom() - top), veil);
    }
    if (m_stepMarker > 0 && m_stepMarker <= grid.rows) {
        painter.setPen(QPen(QColor(0xf2, 0xf4, 0xf7), 1.5));
        painter.setBrush(Qt::NoBrush);
        painter.drawRect(QRectF(grid.area.left() - 2, grid.area.top() + (m_stepMarker - 1) * grid.cellHeight - 1,
                                grid.area.width() + 4, grid.cellHeight + 2));
    }
}

void StepTimelineView::paintCaption(QPainter& painter, const BlockRecord& block, int index) const
{
    // First line: which block, and whether it is the newest or a chosen one;
    // second line: the parameters it ran with.
    const bd3::SamplingParams& params = block.start.params;
    QFont bold = font();
    bold.setBold(true);
    const QFontMetricsF metrics(font());
    const double baseline = kMargin + QFontMetricsF(bold).ascent();
    painter.setFont(bold);
    painter.setPen(kText);
    painter.drawText(QPointF(kMargin, baseline), tr("Block %1").arg(index + 1));

    painter.setFont(font());
    painter.setPen(kDimText);
    const QString mode = m_follow ? tr("following the newest block") : tr("chosen block");
    painter.drawText(QPointF(width() - kMargin - metrics.horizontalAdvance(mode), baseline), mode);

    QStringList details;
    details << tr("block size %1").arg(params.blockSize);
    if (block.length() != params.blockSize) details << tr("%1 positions here").arg(block.length());
    details << (params.steps == 1 ? tr("1 step") : tr("%1 steps").arg(params.steps));
    QString sampler = tr("sampler %1").arg(QString::fromUtf8(bd3::samplerName(params.sampler)));
    if (params.sampler == bd3::SamplerKind::Threshold)
        sampler += tr(" (threshold %1)").arg(params.threshold, 0, 'g', 3);
    details << sampler;
    QString schedule = tr("schedule %1").arg(QString::fromUtf8(bd3::scheduleName(params.schedule.kind)));
    if (params.schedule.kind == bd3::ScheduleKind::Clipped)
        schedule += tr(" (\u03b2 %1, \u03c9 %2)")
                        .arg(params.schedule.beta, 0, 'g', 3)
                        .arg(params.schedule.omega, 0, 'g', 3);
    details << schedule;
    if (block.restarts == 1) details << tr("restarted once");
    else if (block.restarts > 1) details << tr("restarted %1 times").arg(block.restarts);
    const QString line = details.join(QStringLiteral("  \u00b7  "));
    painter.drawText(QPointF(kMargin, baseline + metrics.lineSpacing() + 2),
                     metrics.elidedText(line, Qt::ElideRight, width() - 2 * kMargin));
}

void StepTimelineView::paintAxes(QPainter& painter, const Grid& grid) const
{
    const QFontMetricsF label(m_labelFont);
    painter.setFont(m_labelFont);
    painter.setPen(kDimText);

    // Positions across, over the columns.
    const double numbersTop = grid.area.top() - 4 - label.height();
    painter.drawText(QPointF(grid.area.left(), numbersTop - 2 - label.descent()), tr("position \u2192"));
    const int columnStride = labelStride(grid.cellWidth, label.horizontalAdvance(QStringLiteral("000")) + 4);
    for (int c = 0; c < grid.columns; ++c) {
        const int number = c + 1;
        if (!labelled(number, columnStride)) continue;
        const QRectF box(grid.area.left() + c * grid.cellWidth - 20, numbersTop, grid.cellWidth + 40, label.height());
        painter.drawText(box, Qt::AlignHCenter | Qt::AlignVCenter, QString::number(number));
    }

    // Steps down, left of the rows.
    const int rowStride = labelStride(grid.cellHeight, label.height() + 1);
    const double numbersRight = grid.area.left() - 8;
    for (int r = 0; r < grid.rows; ++r) {
        const int number = r + 1;
        if (!labelled(number, rowStride)) continue;
        const QRectF box(kMargin, grid.area.top() + r * grid.cellHeight + grid.cellHeight / 2 - label.height() / 2,
                         numbersRight - kMargin, label.height());
        painter.drawText(box, Qt::AlignRight | Qt::AlignVCenter, QString::number(number));
    }
    painter.drawText(QRectF(kMargin, numbersTop, numbersRight - kMargin, label.height()),
                     Qt::AlignRight | Qt::AlignVCenter, tr("step \u2193"));
}

void StepTimelineView::paintCells(QPainter& painter, const BlockRecord& block, const Grid& grid) const
{
    const std::vector<int> revealSteps = block.revealSteps();
    const std::vector<const bd3::Reveal*> reveals = revealsByOffset(block);
    QColor fill;

    if (grid.cellWidth < 3 || grid.cellHeight < 3) {
        // Too small for shapes (a long block, many steps): one pixel per cell,
        // scaled up, keeps painting cheap.
        QImage image(grid.columns, grid.rows, QImage::Format_RGB32);
        for (int r = 0; r < grid.rows; ++r) {
            for (int c = 0; c < grid.columns; ++c) {
                const CellKind kind = cellAt(block, revealSteps, reveals, c, r, fill);
                QColor pixel = kGridBase;
                if (kind == CellKind::Masked) pixel = QColor(0x2c, 0x30, 0x38);
                else if (kind != CellKind::Empty) pixel = fill;
                image.setPixel(c, r, pixel.rgb());
            }
        }
        painter.drawImage(grid.area, image);
        return;
    }

    const double gap = grid.cellWidth >= 8 && grid.cellHeight >= 8 ? 2 : 1;
    painter.setRenderHint(QPainter::Antialiasing);
    painter.setPen(Qt::NoPen);
    for (int r = 0; r < grid.rows; ++r) {
        for (int c = 0; c < grid.columns; ++c) {
            const QRectF cell(grid.area.left() + c * grid.cellWidth + gap / 2,
                              grid.area.top() + r * grid.cellHeight + gap / 2, grid.cellWidth - gap,
                              grid.cellHeight - gap);
            const double radius = std::min(3.0, cell.height() / 4);
            switch (cellAt(block, revealSteps, reveals, c, r, fill)) {
            case CellKind::Empty:
                painter.setBrush(kGridBase);
                painter.drawRoundedRect(cell, radius, radius);
                break;
            case CellKind::Masked: {
                // A faint mark: the position is still waiting.
                painter.setBrush(kGridBase);
                painter.drawRoundedRect(cell, radius, radius);
                painter.setBrush(fill);
                const double inset = std::min(cell.width(), cell.height()) * 0.3;
                painter.drawRoundedRect(cell.adjusted(inset, inset, -inset, -inset), radius / 2, radius / 2);
                break;
            }
            case CellKind::Prefix:
            case CellKind::Revealed:
                painter.setBrush(fill);
                painter.drawRoundedRect(cell, radius, radius);
                break;
            }
        }
    }
}

void StepTimelineView::paintTokenLabels(QPainter& painter, const BlockRecord& block, const Grid& grid) const
{
    if (grid.labels == TokenLabels::None || !m_record) return;
    const QFontMetricsF metrics(m_tokenFont);
    const std::vector<int32_t> tokens = block.tokensAfter(static_cast<int>(block.steps.size()));
    const std::vector<int> revealSteps = block.revealSteps();
    painter.setFont(m_tokenFont);
    const double top = grid.area.bottom() + 6;
    for (int c = 0; c < grid.columns && c < static_cast<int>(tokens.size()); ++c) {
        const int32_t token = tokens[static_cast<size_t>(c)];
        if (token == m_record->maskId()) continue;
        const bool prefix = c < block.start.cleanPrefix;
        // The label takes its column's colour, to tie text and reveal together.
        const int revealedAt = revealSteps[static_cast<size_t>(c)];
        painter.setPen(prefix || revealedAt < 0 ? kDimText
                                                : StepPalette::stepColor(revealedAt, block.plannedSteps()).lighter(115));
        const QString text = StepPalette::visibleText(m_record->tokenText(token));
        const double x = grid.area.left() + c * grid.cellWidth;
        if (grid.labels == TokenLabels::Horizontal) {
            painter.drawText(QRectF(x, top, grid.cellWidth, metrics.height()), Qt::AlignHCenter | Qt::AlignTop, text);
        } else {
            const QString elided = metrics.elidedText(text, Qt::ElideRight, grid.labelHeight - 8);
            painter.save();
            // Turned a quarter clockwise, read top to bottom, starting under the cell.
            painter.translate(x + grid.cellWidth / 2 - metrics.height() / 2 + metrics.descent(), top);
            painter.rotate(90);
            painter.drawText(QPointF(0, 0), elided);
            painter.restore();
        }
    }
}

QString StepTimelineView::cellToolTip(const BlockRecord& block, int position, int step) const
{
    const auto quoted = [this](int32_t token) {
        return QStringLiteral("<span style=\"font-family:monospace\">\u201c%1\u201d</span>")
            .arg(m_record->tokenText(token).toHtmlEscaped());
    };
    if (position < block.start.cleanPrefix) {
        // One arg() call each: a token reading "%2" must not take a later value.
        return tr("%1 at position %2<br>known before the block started")
            .arg(quoted(block.start.tokens[static_cast<size_t>(position)]), QString::number(position + 1));
    }
    const int recorded = static_cast<int>(block.steps.size());
    if (step >= recorded) return tr("Position %1<br>step %2 has not run yet").arg(position + 1).arg(step + 1);
    const int revealedAt = block.revealSteps()[static_cast<size_t>(position)];
    const bd3::Reveal* reveal = block.revealAt(position);
    if (revealedAt < 0 || revealedAt > step || !reveal) {
        return tr("Position %1<br>still masked after step %2").arg(position + 1).arg(step + 1);
    }
    QString tip = tr("%1 at position %2<br>revealed at step %3 of %4<br>probability %5 \u00b7 entropy %6 nats")
                      .arg(quoted(reveal->token), QString::number(position + 1), QString::number(revealedAt + 1),
                           QString::number(block.plannedSteps()),
                           QString::number(static_cast<double>(reveal->probability), 'f', 3),
                           QString::number(static_cast<double>(reveal->entropy), 'f', 2));
    if (!reveal->alternatives.empty()) {
        QStringList alternatives;
        for (const bd3::Alternative& alternative : reveal->alternatives) {
            alternatives << tr("%1 %2").arg(quoted(alternative.token),
                                            QString::number(static_cast<double>(alternative.probability), 'f', 3));
        }
        tip += tr("<br>top alternatives: %1").arg(alternatives.join(QStringLiteral(", ")));
    }
    if (revealedAt < step) tip += tr("<br>(revealed before this step)");
    return tip;
}

bool StepTimelineView::event(QEvent* event)
{
    if (event->type() != QEvent::ToolTip) return QWidget::event(event);
    const int index = shownBlock();
    const auto* help = static_cast<QHelpEvent*>(event);
    if (index >= 0) {
        const BlockRecord& block = m_record->block(index);
        const Grid grid = gridFor(block);
        if (grid.area.contains(help->pos())) {
            const int column = static_cast<int>((help->pos().x() - grid.area.left()) / grid.cellWidth);
            const int row = static_cast<int>((help->pos().y() - grid.area.top()) / grid.cellHeight);
            if (column < block.length() && row < grid.rows) {
                QToolTip::showText(help->globalPos(), cellToolTip(block, column, row), this);
                return true;
            }
        }
    }
    QToolTip::hideText();
    event->ignore();
    return true;
}
