// Three plots of the generation: how fast the chosen block's masks fell
// against the schedule, how sure the model was at each of its steps, and the
// throughput of every block. Record signals only mark the plots dirty; one
// single-shot timer redraws them at most ten times a second.
#pragma once

// qcustomplot.h declares its signals with the bare `signals` keyword and
// loops with `foreach`, both switched off by QT_NO_KEYWORDS (set for bd3_ui):
// lend it the macros for this include only. Included here so that callers of
// the plot accessors (export, tests) get a header that compiles.
#ifdef QT_NO_KEYWORDS
#include <QtGlobal>
#ifndef signals
#define signals Q_SIGNALS
#define BD3_LENT_SIGNALS
#endif
#ifndef foreach
#define foreach Q_FOREACH
#define BD3_LENT_FOREACH
#endif
#endif
#include <qcustomplot.h>
#ifdef BD3_LENT_SIGNALS
#undef signals
#undef BD3_LENT_SIGNALS
#endif
#ifdef BD3_LENT_FOREACH
#undef foreach
#undef BD3_LENT_FOREACH
#endif

#include <QTimer>
#include <QWidget>

class GenerationRecord;
class QGridLayout;
struct BlockRecord;

class PlotsPanel : public QWidget {
    Q_OBJECT

public:
    explicit PlotsPanel(QWidget* parent = nullptr);

    // The panel only reads the record; it follows the record's signals.
    void setRecord(const GenerationRecord* record);

    // The block of the per-step plots: the newest one while following, else
    // the chosen one; -1 when there is none.
    int shownBlock() const;
    bool followsLatest() const { return m_follow; }

    // The plots, for export (savePng, savePdf) and tests.
    // graph(0): the observed masked fraction after 0..n steps; graph(1): the
    // schedule's expected fraction at the same steps.
    QCustomPlot* maskedFractionPlot() const { return m_maskedPlot; }
    // graph(0): mean probability of the tokens revealed at each step 1..n
    // (steps revealing nothing have no point); graph(1): their mean entropy,
    // on the right axis.
    QCustomPlot* confidencePlot() const { return m_confidencePlot; }
    // graph(0): tokens per second of each committed block 1..n; nfeBars():
    // its denoising forward passes, on the right axis.
    QCustomPlot* throughputPlot() const { return m_throughputPlot; }
    QCPBars* nfeBars() const { return m_nfeBars; }

    // Redraws at once what changed since the last redraw (before an export:
    // the coalesced redraw may still be up to 100 ms away).
    void refreshNow();

public Q_SLOTS:
    // Plots one block's steps and stays on it while later blocks arrive.
    void setBlock(int block);
    // Goes back to plotting the newest block.
    void followLatest();

protected:
    void resizeEvent(QResizeEvent* event) override;

private:
    enum class Arrangement { Unset, Row, Column, Grid };

    QCustomPlot* makePlot(QCPTextElement*& title);
    void markBlockDirty();
    void markGenerationDirty();
    void refresh();
    void refreshBlockPlots();
    void refreshThroughputPlot();
    void arrange();

    const GenerationRecord* m_record = nullptr;
    int m_block = -1;  // the chosen block, when not following
    bool m_follow = true;

    QGridLayout* m_layout = nullptr;
    Arrangement m_arrangement = Arrangement::Unset;
    QCustomPlot* m_maskedPlot = nullptr;
    QCustomPlot* m_confidencePlot = nullptr;
    QCustomPlot* m_throughputPlot = nullptr;
    QCPTextElement* m_maskedTitle = nullptr;
    QCPTextElement* m_confidenceTitle = nullptr;
    QCPTextElement* m_throughputTitle = nullptr;
    QCPBars* m_nfeBars = nullptr;
    QCPItemStraightLine* m_shownMarker = nullptr;  // the per-step plots' block, in the throughput plot

    QTimer m_refreshTimer;  // single shot: coalesces record signals into one redraw
    bool m_blockDirty = false;
    bool m_generationDirty = false;
};
