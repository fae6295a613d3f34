#include "views/plots_panel.hpp"

#include "generation/generation_record.hpp"
#include "views/step_palette.hpp"

#include <QGridLayout>
#include <QResizeEvent>

#include <algorithm>

namespace {

// The studio's dark surface; series take the step palette's hues.
using StepPalette::kBackground;
const QColor kAxis(0x4a, 0x50, 0x5c);
const QColor kGrid(0x2a, 0x2f, 0x37);
using StepPalette::kText;
using StepPalette::kDimText;

constexpr int kRefreshMs = 100;  // at most ten redraws a second
constexpr int kMaxMarkedPoints = 32;
// Beyond this many blocks the throughput plot shows groups of blocks: a bar
// per block would be thinner than a pixel, and drawing thousands of them
// would make each redraw cost as much as the generation is long.
constexpr int kMaxThroughputBars = 120;

QColor observedColor() { return StepPalette::stepColor(0, 2); }       // blue
QColor confidenceColor() { return StepPalette::stepColor(1, 3); }     // green
QColor entropyColor() { return StepPalette::stepColor(2, 3); }        // orange

void styleAxis(QCPAxis* axis)
{
    axis->setBasePen(QPen(kAxis, 1));
    axis->setTickPen(QPen(kAxis, 1));
    axis->setSubTickPen(QPen(kAxis, 1));
    axis->setTickLabelColor(kDimText);
    axis->setLabelColor(kText);
    QFont font = axis->tickLabelFont();
    font.setPointSizeF(8.5);
    axis->setTickLabelFont(font);
    font.setPointSizeF(9);
    axis->setLabelFont(font);
    axis->grid()->setPen(QPen(kGrid, 1, Qt::DotLine));
    axis->grid()->setZeroLinePen(Qt::NoPen);
    axis->grid()->setSubGridVisible(false);
    axis->setSubTicks(false);
}

QSharedPointer<QCPAxisTickerFixed> integerTicker()
{
    auto ticker = QSharedPointer<QCPAxisTickerFixed>::create();
    ticker->setTickStep(1.0);
    ticker->setScaleStrategy(QCPAxisTickerFixed::ssMultiples);
    return ticker;
}

// Filled circles, hollow squares, in the graph's own colour.
void setMarkers(QCPGraph* graph, QCPScatterStyle::ScatterShape shape)
{
    const QColor color = graph->pen().color();
    graph->setScatterStyle(QCPScatterStyle(shape, color, shape == QCPScatterStyle::ssCircle ? color : kBackground, 6));
}

void styleGraph(QCPGraph* graph, const QColor& color, Qt::PenStyle style, QCPScatterStyle::ScatterShape shape)
{
    graph->setPen(QPen(color, style == Qt::SolidLine ? 2.0 : 1.5, style));
    setMarkers(graph, shape);
}

} // namespace

PlotsPanel::PlotsPanel(QWidget* parent) : QWidget(parent)
{
    m_layout = new QGridLayout(this);
    m_layout->setContentsMargins(0, 0, 0, 0);
    m_layout->setSpacing(1);
    QPalette background = palette();
    background.setColor(QPalette::Window, kAxis.darker(150));
    setPalette(background);
    setAutoFillBackground(true);

    // a. Masked fraction against the schedule.
    m_maskedPlot = makePlot(m_maskedTitle);
    m_maskedPlot->xAxis->setLabel(tr("step"));
    m_maskedPlot->xAxis->setTicker(integerTicker());
    m_maskedPlot->yAxis->setLabel(tr("masked fraction"));
    m_maskedPlot->yAxis->setRange(0, 1.05);
    styleGraph(m_maskedPlot->addGraph(), observedColor(), Qt::SolidLine, QCPScatterStyle::ssCircle);
    m_maskedPlot->graph(0)->setName(tr("observed"));
    styleGraph(m_maskedPlot->addGraph(), kDimText, Qt::DashLine, QCPScatterStyle::ssNone);
    m_maskedPlot->graph(1)->setName(tr("schedule"));

    // b. Confidence and entropy per step.
    m_confidencePlot = makePlot(m_confidenceTitle);
    m_confidencePlot->xAxis->setLabel(tr("step"));
    m_confidencePlot->xAxis->setTicker(integerTicker());
    m_confidencePlot->yAxis->setLabel(tr("mean probability"));
    m_confidencePlot->yAxis->setRange(0, 1.05);
    m_confidencePlot->yAxis2->setVisible(true);
    m_confidencePlot->yAxis2->setLabel(tr("mean entropy (nats)"));
    styleGraph(m_confidencePlot->addGraph(), confidenceColor(), Qt::SolidLine, QCPScatterStyle::ssCircle);
    m_confidencePlot->graph(0)->setName(tr("confidence"));
    styleGraph(m_confidencePlot->addGraph(m_confidencePlot->xAxis, m_confidencePlot->yAxis2), entropyColor(),
               Qt::SolidLine, QCPScatterStyle::ssSquare);
    m_confidencePlot->graph(1)->setName(tr("entropy"));

    // c. Throughput over the whole generation.
    m_throughputPlot = makePlot(m_throughputTitle);
    m_throughputTitle->setText(tr("Throughput per block"));
    m_throughputPlot->xAxis->setLabel(tr("block"));
    m_throughputPlot->xAxis->setTicker(integerTicker());
    m_throughputPlot->yAxis->setLabel(tr("tokens per second"));
    m_throughputPlot->yAxis2->setVisible(true);
    m_throughputPlot->yAxis2->setLabel(tr("NFEs"));
    m_throughputPlot->yAxis2->setTicker(integerTicker());
    // Bars first, so the line draws over them.
    m_nfeBars = new QCPBars(m_throughputPlot->xAxis, m_throughputPlot->yAxis2);
    m_nfeBars->setName(tr("NFEs"));
    m_nfeBars->setWidth(0.6);
    QColor bar = StepPalette::maskedColor();
    m_nfeBars->setPen(Qt::NoPen);
    bar.setAlpha(150);
    m_nfeBars->setBrush(bar);
    styleGraph(m_throughputPlot->addGraph(), observedColor(), Qt::SolidLine, QCPScatterStyle::ssCircle);
    m_throughputPlot->graph(0)->setName(tr("tokens / s"));
    m_shownMarker = new QCPItemStraightLine(m_throughputPlot);
    m_shownMarker->setPen(QPen(QColor(0xf2, 0xf4, 0xf7, 110), 1, Qt::DashLine));
    m_shownMarker->setVisible(false);

    m_refreshTimer.setSingleShot(true);
    m_refreshTimer.setInterval(kRefreshMs);
    connect(&m_refreshTimer, &QTimer::timeout, this, &PlotsPanel::refresh);

    m_blockDirty = m_generationDirty = true;
    refresh();
    arrange();
}

QCustomPlot* PlotsPanel::makePlot(QCPTextElement*& title)
{
    auto* plot = new QCustomPlot(this);
    plot->setMinimumSize(220, 170);
    plot->setBackground(kBackground);
    plot->axisRect()->setBackground(kBackground);
    for (QCPAxis* axis : {plot->xAxis, plot->yAxis, plot->xAxis2, plot->yAxis2}) styleAxis(axis);
    plot->axisRect()->setAutoMargins(QCP::msAll);

    QFont titleFont = font();
    titleFont.setPointSizeF(10);
    titleFont.setBold(true);
    plot->plotLayout()->insertRow(0);
    title = new QCPTextElement(plot, QString(), titleFont);
    title->setTextColor(kText);
    plot->plotLayout()->addElement(0, 0, title);

    // The legend in a row of its own under the title, never over the data;
    // empty cells either side with all the stretch keep it centred.
    plot->plotLayout()->insertRow(1);
    auto* legendRow = new QCPLayoutGrid;
    plot->plotLayout()->addElement(1, 0, legendRow);
    plot->plotLayout()->setRowStretchFactor(1, 0.001);
    legendRow->addElement(0, 0, new QCPLayoutElement(plot));
    legendRow->addElement(0, 1, plot->legend);
    legendRow->addElement(0, 2, new QCPLayoutElement(plot));
    legendRow->setColumnStretchFactor(1, 0.001);
    plot->legend->setVisible(true);
    plot->legend->setFillOrder(QCPLegend::foColumnsFirst);
    QFont legendFont = font();
    legendFont.setPointSizeF(8.5);
    plot->legend->setFont(legendFont);
    plot->legend->setTextColor(kDimText);
    plot->legend->setBrush(Qt::NoBrush);
    plot->legend->setBorderPen(Qt::NoPen);
    plot->legend->setColumnSpacing(16);
    plot->legend->setMargins(QMargins(0, 0, 0, 0));
    return plot;
}

void PlotsPanel::setRecord(const GenerationRecord* record)
{
    if (m_record) disconnect(m_record, nullptr, this, nullptr);
    m_record = record;
    m_follow = true;
    m_block = -1;
    if (m_record) {
        connect(m_record, &GenerationRecord::cleared, this, [this] {
            // A new generation: an index chosen in the old one means nothing.
            m_follow = true;
            m_block = -1;
            markBlockDirty();
            markGenerationDirty();
        });
        connect(m_record, &GenerationRecord::blockStarted, this, [this](int block) {
            if (block == shownBlock()) markBlockDirty();
            if (m_follow) markGenerationDirty();  // the marker moves on
        });
        connect(m_record, &GenerationRecord::stepAdded, this, [this](int block, int) {
            if (block == shownBlock()) markBlockDirty();
        });
        connect(m_record, &GenerationRecord::blockCommitted, this, [this](int block) {
            if (block == shownBlock()) markBlockDirty();
            markGenerationDirty();
        });
        connect(m_record, &QObject::destroyed, this, [this] {
            m_record = nullptr;
            markBlockDirty();
            markGenerationDirty();
        });
    }
    markBlockDirty();
    markGenerationDirty();
}

int PlotsPanel::shownBlock() const
{
    if (!m_record || m_record->blockCount() == 0) return -1;
    if (m_follow) return m_record->blockCount() - 1;
    return std::min(m_block, m_record->blockCount() - 1);
}

void PlotsPanel::setBlock(int block)
{
    m_follow = false;
    m_block = std::max(block, 0);
    markBlockDirty();
    markGenerationDirty();
}

void PlotsPanel::followLatest()
{
    m_follow = true;
    m_block = -1;
    markBlockDirty();
    markGenerationDirty();
}

void PlotsPanel::markBlockDirty()
{
    m_blockDirty = true;
    // Never restarted while running, so a steady stream still redraws.
    if (!m_refreshTimer.isActive()) m_refreshTimer.start();
}

void PlotsPanel::markGenerationDirty()
{
    m_generationDirty = true;
    if (!m_refreshTimer.isActive()) m_refreshTimer.start();
}

void PlotsPanel::refreshNow()
{
    m_refreshTimer.stop();
    refresh();
}

void PlotsPanel::refresh()
{
    if (m_blockDirty) refreshBlockPlots();
    if (m_generationDirty) refreshThroughputPlot();
    m_blockDirty = m_generationDirty = false;
}

void PlotsPanel::refreshBlockPlots()
{
    QVector<double> steps{0.0}, observed{1.0}, expected{1.0};
    QVector<double> revealSteps, confidence, entropy;
    const int index = shownBlock();
    int planned = 1;
    double maxEntropy = 0;
    if (index >= 0) {
        const BlockRecord& block = m_record->block(index);
        planned = block.plannedSteps();
        const double masked = std::max(block.maskedAtStart(), 1);
        for (const bd3::StepDone& step : block.steps) {
            const double x = step.step + 1;
            steps << x;
            observed << step.maskedRemaining / masked;
            expected << step.expectedMasked / masked;
            if (step.reveals.empty()) continue;  // the output was reused: nothing to average
            double p = 0, h = 0;
            for (const bd3::Reveal& reveal : step.reveals) {
                p += reveal.probability;
                h += reveal.entropy;
            }
            const auto n = static_cast<double>(step.reveals.size());
            revealSteps << x;
            confidence << p / n;
            entropy << h / n;
            maxEntropy = std::max(maxEntropy, h / n);
        }
        m_maskedTitle->setText(tr("Masked fraction \u00b7 block %1").arg(index + 1));
        m_confidenceTitle->setText(tr("Confidence and entropy \u00b7 block %1").arg(index + 1));
    } else {
        steps.clear();
        observed.clear();
        expected.clear();
        m_maskedTitle->setText(tr("Masked fraction"));
        m_confidenceTitle->setText(tr("Confidence and entropy"));
    }

    // Markers help to count a few steps and only clutter many.
    const bool markers = planned <= kMaxMarkedPoints;
    setMarkers(m_maskedPlot->graph(0), markers ? QCPScatterStyle::ssCircle : QCPScatterStyle::ssNone);
    setMarkers(m_confidencePlot->graph(0), markers ? QCPScatterStyle::ssCircle : QCPScatterStyle::ssNone);
    setMarkers(m_confidencePlot->graph(1), markers ? QCPScatterStyle::ssSquare : QCPScatterStyle::ssNone);
    m_maskedPlot->graph(0)->setData(steps, observed, true);
    m_maskedPlot->graph(1)->setData(steps, expected, true);
    m_maskedPlot->xAxis->setRange(-0.3, planned + 0.3);
    m_maskedPlot->replot();

    m_confidencePlot->graph(0)->setData(revealSteps, confidence, true);
    m_confidencePlot->graph(1)->setData(revealSteps, entropy, true);
    m_confidencePlot->xAxis->setRange(0.7, planned + 0.3);
    m_confidencePlot->yAxis2->setRange(0, std::max(0.5, maxEntropy * 1.15));
    m_confidencePlot->replot();
}

void PlotsPanel::refreshThroughputPlot()
{
    QVector<double> groups, tokensPerSecond, nfeGroups, nfes;
    double maxRate = 0;
    double maxNfe = 0;
    const int count = m_record ? m_record->blockCount() : 0;
    const int groupSize = std::max(1, (count + kMaxThroughputBars - 1) / kMaxThroughputBars);
    for (int first = 0; first < count; first += groupSize) {
        // A group's rate is its tokens over its time; its NFEs, the mean per block.
        int committed = 0, nfeSum = 0, tokens = 0;
        double milliseconds = 0;
        const int last = std::min(first + groupSize, count);
        for (int b = first; b < last; ++b) {
            const BlockRecord& block = m_record->block(b);
            if (!block.commit) continue;
            ++committed;
            nfeSum += block.commit->nfe;
            tokens += block.maskedAtStart();
            milliseconds += block.commit->milliseconds;
        }
        if (committed == 0) continue;
        const double x = (first + last + 1) / 2.0;  // blocks are numbered from 1
        const double nfe = static_cast<double>(nfeSum) / committed;
        nfeGroups << x;
        nfes << nfe;
        maxNfe = std::max(maxNfe, nfe);
        if (milliseconds <= 0) continue;  // too fast to time: no rate
        const double rate = tokens / (milliseconds / 1000.0);
        groups << x;
        tokensPerSecond << rate;
        maxRate = std::max(maxRate, rate);
    }
    m_throughputTitle->setText(groupSize == 1 ? tr("Throughput per block")
                                              : tr("Throughput per %n block(s)", nullptr, groupSize));
    m_nfeBars->setWidth(0.6 * groupSize);
    setMarkers(m_throughputPlot->graph(0),
               count <= kMaxMarkedPoints ? QCPScatterStyle::ssCircle : QCPScatterStyle::ssNone);
    m_throughputPlot->graph(0)->setData(groups, tokensPerSecond, true);
    m_nfeBars->setData(nfeGroups, nfes, true);
    m_throughputPlot->xAxis->setRange(0.4, std::max(count, 1) + 0.6);
    m_throughputPlot->yAxis->setRange(0, maxRate > 0 ? maxRate * 1.2 : 1.0);
    m_throughputPlot->yAxis2->setRange(0, std::max(1.0, maxNfe * 1.35));

    const int shown = shownBlock();
    m_shownMarker->setVisible(shown >= 0 && count > 1);
    m_shownMarker->point1->setCoords(shown + 1, 0);
    m_shownMarker->point2->setCoords(shown + 1, 1);
    m_throughputPlot->replot();
}

void PlotsPanel::resizeEvent(QResizeEvent* event)
{
    QWidget::resizeEvent(event);
    arrange();
}

void PlotsPanel::arrange()
{
    // Wide: side by side; tall: stacked; otherwise two over one.
    const int w = width(), h = height();
    const Arrangement wanted = w >= 2 * h ? Arrangement::Row : h >= w * 5 / 4 ? Arrangement::Column : Arrangement::Grid;
    if (wanted == m_arrangement) return;
    m_arrangement = wanted;
    for (QWidget* plot : {static_cast<QWidget*>(m_maskedPlot), static_cast<QWidget*>(m_confidencePlot),
                          static_cast<QWidget*>(m_throughputPlot)})
        m_layout->removeWidget(plot);
    for (int i = 0; i < 3; ++i) {
        m_layout->setRowStretch(i, 0);
        m_layout->setColumnStretch(i, 0);
    }
    switch (wanted) {
    case Arrangement::Row:
        m_layout->addWidget(m_maskedPlot, 0, 0);
        m_layout->addWidget(m_confidencePlot, 0, 1);
        m_layout->addWidget(m_throughputPlot, 0, 2);
        for (int c = 0; c < 3; ++c) m_layout->setColumnStretch(c, 1);
        break;
    case Arrangement::Column:
        m_layout->addWidget(m_maskedPlot, 0, 0);
        m_layout->addWidget(m_confidencePlot, 1, 0);
        m_layout->addWidget(m_throughputPlot, 2, 0);
        for (int r = 0; r < 3; ++r) m_layout->setRowStretch(r, 1);
        break;
    case Arrangement::Grid:
    case Arrangement::Unset:
        m_layout->addWidget(m_maskedPlot, 0, 0);
        m_layout->addWidget(m_confidencePlot, 0, 1);
        m_layout->addWidget(m_throughputPlot, 1, 0, 1, 2);
        m_layout->setRowStretch(0, 1);
        m_layout->setRowStretch(1, 1);
        m_layout->setColumnStretch(0, 1);
        m_layout->setColumnStretch(1, 1);
        break;
    }
}
