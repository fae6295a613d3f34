// One block's denoising as a grid: a column per position, a row per step,
// each position coloured at the step that revealed it. It shows the newest
// block unless a block was chosen, so a finished block can be studied while
// the generation goes on.
#pragma once

#include <QFont>
#include <QWidget>

#include <vector>

class GenerationRecord;
struct BlockRecord;

class StepTimelineView : public QWidget {
    Q_OBJECT

public:
    explicit StepTimelineView(QWidget* parent = nullptr);

    // The view only reads the record; it follows the record's signals.
    void setRecord(const GenerationRecord* record);

    QSize sizeHint() const override;
    QSize minimumSizeHint() const override;

    // The block shown: the newest one while following, else the chosen one;
    // -1 when there is none.
    int shownBlock() const;
    bool followsLatest() const { return m_follow; }

public Q_SLOTS:
    // Shows one block and stays on it while later blocks arrive.
    void setBlock(int block);
    // Goes back to showing the newest block.
    void followLatest();
    // Replay: marks the first `steps` steps as shown and dims the rest;
    // -1 shows every step plainly.
    void setStepMarker(int steps);

protected:
    void paintEvent(QPaintEvent* event) override;
    bool event(QEvent* event) override;

private:
    enum class TokenLabels { None, Horizontal, Rotated };
    struct Grid {
        QRectF area;  // the cells
        double cellWidth = 0;
        double cellHeight = 0;
        int columns = 0;
        int rows = 0;
        TokenLabels labels = TokenLabels::None;
        double labelHeight = 0;
    };

    Grid gridFor(const BlockRecord& block) const;
    void paintCaption(QPainter& painter, const BlockRecord& block, int index) const;
    void paintAxes(QPainter& painter, const Grid& grid) const;
    void paintCells(QPainter& painter, const BlockRecord& block, const Grid& grid) const;
    void paintTokenLabels(QPainter& painter, const BlockRecord& block, const Grid& grid) const;
    QString cellToolTip(const BlockRecord& block, int position, int step) const;

    const GenerationRecord* m_record = nullptr;
    int m_block = -1;  // the chosen block, when not following
    bool m_follow = true;
    int m_stepMarker = -1;
    QFont m_tokenFont;
    QFont m_labelFont;
};
