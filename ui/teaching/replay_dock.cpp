#include "teaching/replay_dock.hpp"

#include "generation/generation_record.hpp"
#include "teaching/step_explainer.hpp"

#include <QAction>
#include <QComboBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QSignalBlocker>
#include <QSlider>
#include <QSpinBox>
#include <QTextBrowser>
#include <QToolButton>
#include <QVBoxLayout>

namespace {

constexpr int kBaseIntervalMs = 700;  // one step at 1x

} // namespace

ReplayDock::ReplayDock(QWidget* parent) : QDockWidget(tr("Step Through"), parent)
{
    setObjectName(QStringLiteral("replayDock"));
    auto* body = new QWidget;
    auto* layout = new QVBoxLayout(body);

    auto* top = new QHBoxLayout;
    top->addWidget(new QLabel(tr("Block")));
    m_blockBox = new QSpinBox;
    m_blockBox->setObjectName(QStringLiteral("replayBlock"));
    m_blockBox->setRange(0, 0);
    m_blockBox->setToolTip(tr("The block to replay; any finished block can be chosen."));
    top->addWidget(m_blockBox);
    m_blockCount = new QLabel;
    top->addWidget(m_blockCount);
    top->addStretch(1);
    m_speed = new QComboBox;
    m_speed->setObjectName(QStringLiteral("replaySpeed"));
    for (double speed : {0.25, 0.5, 1.0, 2.0, 4.0, 8.0}) m_speed->addItem(tr("%1\u00d7").arg(speed), speed);
    m_speed->setCurrentIndex(2);
    m_speed->setToolTip(tr("Replay speed: at 1\u00d7, a step every 0.7 seconds."));
    top->addWidget(new QLabel(tr("Speed")));
    top->addWidget(m_speed);
    layout->addLayout(top);

    auto* scrub = new QHBoxLayout;
    m_slider = new QSlider(Qt::Horizontal);
    m_slider->setObjectName(QStringLiteral("replaySlider"));
    m_slider->setRange(0, 0);
    m_slider->setPageStep(1);
    m_slider->setToolTip(tr("Scrub through the block's steps: 0 is the block as it started."));
    scrub->addWidget(m_slider, 1);
    m_stepLabel = new QLabel;
    m_stepLabel->setMinimumWidth(m_stepLabel->fontMetrics().horizontalAdvance(tr("step %1 of %2").arg(888).arg(888)));
    scrub->addWidget(m_stepLabel);
    layout->addLayout(scrub);

    m_text = new QTextBrowser;
    m_text->setObjectName(QStringLiteral("stepExplanation"));
    m_text->setOpenLinks(false);
    layout->addWidget(m_text, 1);
    setWidget(body);

    m_playTimer.setInterval(kBaseIntervalMs);
    connect(&m_playTimer, &QTimer::timeout, this, &ReplayDock::playTick);
    connect(m_speed, &QComboBox::currentIndexChanged, this, [this] { m_playTimer.setInterval(playInterval()); });
    connect(m_blockBox, &QSpinBox::valueChanged, this, [this](int value) {
        if (!m_updating) setPosition(value - 1, 0);
    });
    connect(m_slider, &QSlider::valueChanged, this, [this](int value) {
        if (!m_updating) setPosition(m_block, value);
    });
    refresh();
}

void ReplayDock::setRecord(const GenerationRecord* record)
{
    if (m_record) disconnect(m_record, nullptr, this, nullptr);
    m_record = record;
    if (m_record) {
        connect(m_record, &GenerationRecord::cleared, this, [this] {
            setPlaying(false);
            m_block = -1;
            m_steps = 0;
            refresh();
        });
        connect(m_record, &GenerationRecord::blockStarted, this, &ReplayDock::onRecordChanged);
        connect(m_record, &GenerationRecord::stepAdded, this, [this](int block) {
            // Only the chosen block's slider needs to grow.
            if (block == m_block && isVisible()) m_slider->setMaximum(stepCount(block));
        });
        connect(m_record, &GenerationRecord::blockCommitted, this, &ReplayDock::onRecordChanged);
        connect(m_record, &QObject::destroyed, this, [this] { m_record = nullptr; });
    }
    refresh();
}

void ReplayDock::setActions(QAction* stepBack, QAction* play, QAction* stepForward)
{
    auto* buttons = new QHBoxLayout;
    for (QAction* action : {stepBack, play, stepForward}) {
        auto* button = new QToolButton;
        button->setDefaultAction(action);
        button->setToolButtonStyle(Qt::ToolButtonTextOnly);
        buttons->addWidget(button);
    }
    buttons->addStretch(1);
    static_cast<QVBoxLayout*>(widget()->layout())->insertLayout(2, buttons);
    m_playAction = play;
    connect(play, &QAction::toggled, this, &ReplayDock::setPlaying);
}

int ReplayDock::playInterval() const
{
    const double speed = m_speed->currentData().toDouble();
    return static_cast<int>(kBaseIntervalMs / (speed > 0 ? speed : 1.0));
}

QString ReplayDock::explanation() const { return m_text->toPlainText(); }

int ReplayDock::stepCount(int block) const
{
    if (!m_record || block < 0 || block >= m_record->blockCount()) return 0;
    return static_cast<int>(m_record->block(block).steps.size());
}

void ReplayDock::selectBlock(int block)
{
    if (!m_record || block < 0 || block >= m_record->blockCount()) return;
    m_block = block;
    m_steps = stepCount(block);
    refresh();
}

void ReplayDock::setPosition(int block, int steps)
{
    if (!m_record || m_record->blockCount() == 0) return;
    m_block = std::clamp(block, 0, m_record->blockCount() - 1);
    m_steps = std::clamp(steps, 0, stepCount(m_block));
    refresh();
    Q_EMIT positionChanged(m_block, m_steps);
}

void ReplayDock::stepForward()
{
    if (!m_record || m_record->blockCount() == 0) return;
    if (m_block < 0) {
        setPosition(0, 0);
    } else if (m_steps < stepCount(m_block)) {
        setPosition(m_block, m_steps + 1);
    } else if (m_block + 1 < m_record->blockCount()) {
        setPosition(m_block + 1, 0);
    } else {
        setPosition(m_block, m_steps);  // at the end: stay, but show it
    }
}

void ReplayDock::stepBack()
{
    if (!m_record || m_record->blockCount() == 0) return;
    if (m_block < 0) setPosition(m_record->blockCount() - 1, stepCount(m_record->blockCount() - 1));
    else if (m_steps > 0) setPosition(m_block, m_steps - 1);
    else if (m_block > 0) setPosition(m_block - 1, stepCount(m_block - 1));
    else setPosition(0, 0);
}

void ReplayDock::setPlaying(bool playing)
{
    if (playing && (!m_record || m_record->blockCount() == 0)) playing = false;
    if (playing) {
        if (m_block < 0) setPosition(m_record->blockCount() - 1, 0);
        else if (m_steps >= stepCount(m_block)) setPosition(m_block, 0);  // from the start again
        else setPosition(m_block, m_steps);
        m_playTimer.start(playInterval());
    } else {
        m_playTimer.stop();
    }
    if (m_playAction && m_playAction->isChecked() != playing) m_playAction->setChecked(playing);
}

void ReplayDock::playTick()
{
    if (m_steps >= stepCount(m_block)) {
        setPlaying(false);
        return;
    }
    setPosition(m_block, m_steps + 1);
    if (m_steps >= stepCount(m_block)) setPlaying(false);
}

void ReplayDock::onRecordChanged()
{
    // Ranges grow with the record; the explanation of the step shown stays.
    const QSignalBlocker blockBox(m_blockBox);
    const QSignalBlocker slider(m_slider);
    m_updating = true;
    const int blocks = m_record ? m_record->blockCount() : 0;
    m_blockBox->setRange(blocks > 0 ? 1 : 0, blocks);
    m_blockCount->setText(tr("of %1").arg(blocks));
    if (m_block >= 0 && m_block < blocks) m_slider->setRange(0, stepCount(m_block));
    m_updating = false;
}

void ReplayDock::refresh()
{
    onRecordChanged();
    m_updating = true;
    const int blocks = m_record ? m_record->blockCount() : 0;
    if (m_block >= 0 && m_block < blocks) {
        m_blockBox->setValue(m_block + 1);
        m_slider->setRange(0, stepCount(m_block));
        m_slider->setValue(m_steps);
        m_stepLabel->setText(tr("step %1 of %2").arg(m_steps).arg(stepCount(m_block)));
        m_text->setHtml(StepExplainer::explain(*m_record, m_block, m_steps));
    } else {
        m_slider->setRange(0, 0);
        m_stepLabel->setText(QString());
        m_text->setHtml(tr("<p>Generate some text, or open a trace; then step through any block here, one "
                           "denoising step at a time (F10), and read what each step decided.</p>"));
    }
    m_updating = false;
}
