// The block being denoised, as a row of token cells that fill in with the
// colour of the step that revealed them, under a strip of the blocks written
// before it. Playback runs at display rate, one step per frame, so even a
// generation far faster than the screen shows every step briefly.
#pragma once

#include <QElapsedTimer>
#include <QFont>
#include <QTimer>
#include <QWidget>

#include <array>
#include <vector>

class GenerationRecord;
struct BlockRecord;

class UnmaskingView : public QWidget {
    Q_OBJECT

public:
    explicit UnmaskingView(QWidget* parent = nullptr);

    // The view only reads the record; it follows the record's signals.
    void setRecord(const GenerationRecord* record);

    QSize sizeHint() const override;
    QSize minimumSizeHint() const override;
    bool hasHeightForWidth() const override { return true; }
    int heightForWidth(int width) const override;

    // The playback position: the block shown and how many of its steps.
    int displayedBlock() const { return m_block; }
    int displayedSteps() const { return m_steps; }
    // Where a block sits in the strip of earlier blocks; empty when it is not
    // shown there (trimmed, or not reached by the playback yet).
    QRect stripRect(int block) const;

    // Replay: shows one block after its first `steps` steps and stays there
    // while the record grows, until followLive().
    void setReplayPosition(int block, int steps);
    void followLive();
    bool isReplaying() const { return m_replaying; }

Q_SIGNALS:
    // A block of the strip was clicked.
    void blockSelected(int block);

protected:
    void paintEvent(QPaintEvent* event) override;
    void mousePressEvent(QMouseEvent* event) override;
    void mouseMoveEvent(QMouseEvent* event) override;
    void leaveEvent(QEvent* event) override;
    void resizeEvent(QResizeEvent* event) override;
    void showEvent(QShowEvent* event) override;
    bool event(QEvent* event) override;

private:
    struct StripItem {
        QRectF rect;
        int block = 0;
    };
    struct CellLayout {
        std::vector<QRectF> cells;  // one per position of the block
        double height = 0;          // of all rows together
    };

    void onCleared();
    void onRecordChanged();
    void advanceFrame();
    bool behind() const;
    void updateCellsHeight();
    // What the cell layout depends on: block, steps shown, restarts.
    std::array<int, 3> layoutKey() const;
    int stepsRecorded(int block) const;

    std::vector<StripItem> stripLayout() const;
    // Token text and cell padding at a fitting level: 0 is the largest.
    QFont tokenFont(int level) const;
    static double cellPadding(int level);
    CellLayout cellLayout(const BlockRecord& block, int stepsShown, double width, int level) const;
    void updateFit();
    int contentHeight(double cellsHeight) const;
    int stripBlockAt(const QPointF& point) const;

    void paintStrip(QPainter& painter) const;
    void paintCaption(QPainter& painter, const BlockRecord& block, double top) const;
    void paintCells(QPainter& painter, const BlockRecord& block, double top) const;

    const GenerationRecord* m_record = nullptr;
    QTimer m_frameTimer;  // runs only while the playback is behind the record
    QElapsedTimer m_sinceLastFrame;
    int m_block = -1;     // block shown, -1 before the first
    int m_steps = 0;      // steps of it shown
    int m_hoveredBlock = -1;
    bool m_replaying = false;
    // The height of the cells the layout was last asked for, for the width
    // and block size it was computed at.
    double m_stickyCellsHeight = 0;
    int m_stickyWidth = -1;
    int m_stickyLength = -1;
    // The token text level in use, and the size and block size it was fitted to.
    int m_fontLevel = 0;
    QSize m_fitSize;
    int m_fitLength = -1;
    std::array<int, 3> m_laidOut{-1, -1, -1};  // layoutKey() at the last layout
    QFont m_tokenFont;
    QFont m_captionFont;
};
