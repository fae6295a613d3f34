// Step mode and replay: choose any block of the record, move through its
// denoising one step at a time (a click or F10), scrub with a slider, or
// play it back at a chosen speed; beside it, the decision of the step shown
// is explained in words. The dock only announces positions; the window
// moves the views there.
#pragma once

#include <QDockWidget>
#include <QTimer>

class GenerationRecord;
class QAction;
class QComboBox;
class QLabel;
class QSlider;
class QSpinBox;
class QTextBrowser;

class ReplayDock : public QDockWidget {
    Q_OBJECT

public:
    explicit ReplayDock(QWidget* parent = nullptr);

    void setRecord(const GenerationRecord* record);
    // The toolbar buttons run these actions; the dock drives their state.
    void setActions(QAction* stepBack, QAction* play, QAction* stepForward);

    int block() const { return m_block; }
    int steps() const { return m_steps; }
    bool isPlaying() const { return m_playTimer.isActive(); }
    // Milliseconds between steps while playing, at the chosen speed.
    int playInterval() const;
    QString explanation() const;

public Q_SLOTS:
    // Chooses a block without moving the views (a click in the strip).
    void selectBlock(int block);
    // Moves to a block and step and announces it.
    void setPosition(int block, int steps);
    void stepForward();
    void stepBack();
    void setPlaying(bool playing);

Q_SIGNALS:
    void positionChanged(int block, int steps);

private:
    void onRecordChanged();
    void refresh();
    int stepCount(int block) const;
    void playTick();

    const GenerationRecord* m_record = nullptr;
    QSpinBox* m_blockBox;
    QLabel* m_blockCount;
    QSlider* m_slider;
    QLabel* m_stepLabel;
    QComboBox* m_speed;
    QTextBrowser* m_text;
    QAction* m_playAction = nullptr;
    QTimer m_playTimer;
    int m_block = -1;
    int m_steps = 0;
    bool m_updating = false;
};
