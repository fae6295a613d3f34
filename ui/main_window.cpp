#include "main_window.hpp"

#include "sessions/autosave_slot.hpp"
#include "chat/conversation_panel.hpp"
#include "chat/selection_assistant.hpp"
#include "compare_dialog.hpp"
#include "controls_dock.hpp"
#include "generation/engine_controller.hpp"
#include "generation/generation_record.hpp"
#include "generation/model_summary.hpp"
#include "views/plots_panel.hpp"
#include "teaching/replay_dock.hpp"
#include "views/step_timeline_view.hpp"
#include "studio_actions.hpp"
#include "exports/studio_exporter.hpp"
#include "sessions/studio_session.hpp"
#include "teaching/pace_control.hpp"
#include "views/unmasking_view.hpp"
#include "editor/writing_editor.hpp"

#include "bd3/default_model.hpp"
#include "bd3/error.hpp"
#include "bd3/trace.hpp"

#include <QAction>
#include <QActionGroup>
#include <QApplication>
#include <QCloseEvent>
#include <QDir>
#include <QDockWidget>
#include <QFile>
#include <QFileDialog>
#include <QJsonDocument>
#include <QPushButton>
#include <QStandardPaths>
#include <QThread>
#include <QThreadPool>
#include <QLabel>
#include <QMenuBar>
#include <QMessageBox>
#include <QProgressBar>
#include <QSettings>
#include <QSplitter>
#include <QStatusBar>
#include <QToolBar>

#include <utility>

MainWindow::MainWindow(const QString& modelFolder, QWidget* parent)
    : QMainWindow(parent), m_record(new GenerationRecord(this)), m_controller(new EngineController(m_record, this)),
      m_actions(new StudioActions(this)), m_editor(new WritingEditor), m_unmasking(new UnmaskingView),
      m_timeline(new StepTimelineView), m_plots(new PlotsPanel), m_controls(new ControlsDock(this)),
      m_replay(new ReplayDock(this)), m_conversation(new ConversationPanel),
      m_assistant(new SelectionAssistant(m_editor, this)), m_pace(new PaceControl(m_actions->liveStepMode))
{
    setObjectName(QStringLiteral("mainWindow"));
    setWindowTitle(tr("BD3 Studio"));
    m_unmasking->setRecord(m_record);
    m_timeline->setRecord(m_record);
    m_plots->setRecord(m_record);
    m_replay->setRecord(m_record);
    m_replay->setActions(m_actions->stepBack, m_actions->playReplay, m_actions->stepForward);

    // The conversation sits beside the editor; both over the unmasking view.
    auto* writing = new QSplitter(Qt::Horizontal);
    writing->setObjectName(QStringLiteral("writingSplitter"));
    writing->addWidget(m_editor);
    writing->addWidget(m_conversation);
    writing->setStretchFactor(0, 1);
    writing->setStretchFactor(1, 1);
    m_conversation->hide();
    auto* splitter = new QSplitter(Qt::Vertical);
    splitter->addWidget(writing);
    splitter->addWidget(m_unmasking);
    splitter->setStretchFactor(0, 3);
    splitter->setStretchFactor(1, 2);
    setCentralWidget(splitter);

    addDockWidget(Qt::LeftDockWidgetArea, m_controls);
    auto* timelineDock = new QDockWidget(tr("Step Timeline"), this);
    timelineDock->setObjectName(QStringLiteral("timelineDock"));
    timelineDock->setWidget(m_timeline);
    addDockWidget(Qt::RightDockWidgetArea, timelineDock);
    auto* plotsDock = new QDockWidget(tr("Plots"), this);
    plotsDock->setObjectName(QStringLiteral("plotsDock"));
    plotsDock->setWidget(m_plots);
    addDockWidget(Qt::RightDockWidgetArea, plotsDock);
    addDockWidget(Qt::LeftDockWidgetArea, m_replay);
    tabifyDockWidget(m_controls, m_replay);
    m_controls->raise();
    m_controls->setRestartAction(m_actions->restartBlock);

    createMenus();
    createStatusBar();

    connect(m_actions->openModel, &QAction::triggered, this, &MainWindow::chooseModel);
    connect(m_actions->quit, &QAction::triggered, this, &QWidget::close);
    connect(m_actions->generate, &QAction::triggered, this, &MainWindow::startGeneration);
    connect(m_actions->stop, &QAction::triggered, m_controller, &EngineController::stop);
    connect(m_actions->restartBlock, &QAction::triggered, this, [this] {
        if (const QString problem = m_controller->setParameters(m_controls->samplingParams(), true); !problem.isEmpty())
            statusBar()->showMessage(problem, 8000);
    });
    connect(m_actions->tintBySteps, &QAction::toggled, m_editor, &WritingEditor::setTintBySteps);
    connect(m_actions->followLatestBlock, &QAction::triggered, this, &MainWindow::followLatest);
    connect(m_actions->about, &QAction::triggered, this, &MainWindow::showAbout);
    connect(m_unmasking, &UnmaskingView::blockSelected, this, &MainWindow::showBlock);
    connect(m_actions->stepForward, &QAction::triggered, this, [this] {
        // In live step mode, F10 lets the generation take its next step.
        if (m_controller->isGenerating() && m_controller->isLiveStepping()) m_controller->grantStep();
        else m_replay->stepForward();
    });
    connect(m_actions->liveStepMode, &QAction::toggled, this, [this](bool on) {
        m_controller->setLiveStepping(on);
        if (on && m_record->blockCount() > 0 && m_controller->isGenerating()) showLiveStep();
        if (!on) followLatest();
        updateActions();
    });
    connect(m_record, &GenerationRecord::stepAdded, this, [this] {
        if (m_controller->isLiveStepping() && m_controller->isGenerating()) showLiveStep();
    });
    connect(m_actions->stepBack, &QAction::triggered, m_replay, &ReplayDock::stepBack);
    connect(m_replay, &ReplayDock::positionChanged, this, &MainWindow::replayAt);
    connect(m_actions->compare, &QAction::triggered, this, &MainWindow::showCompare);
    connect(m_conversation, &ConversationPanel::replyRequested, this,
            [this](const QString& prompt) { requestReply(m_conversation, prompt); });
    connect(m_conversation, &ConversationPanel::stopRequested, m_controller, &EngineController::stop);
    connect(m_assistant, &SelectionAssistant::replyRequested, this,
            [this](const QString& prompt) { requestReply(m_assistant, prompt); });
    connect(m_assistant, &SelectionAssistant::stopRequested, m_controller, &EngineController::stop);
    connect(m_pace, &PaceControl::stepsPerSecondChanged, m_controller, &EngineController::setStepsPerSecond);
    connect(m_actions->saveSession, &QAction::triggered, this, &MainWindow::saveSession);
    connect(m_actions->saveSessionAs, &QAction::triggered, this, &MainWindow::saveSessionAs);
    connect(m_actions->openSession, &QAction::triggered, this, &MainWindow::chooseSession);
    connect(m_editor->document(), &QTextDocument::contentsChanged, this, &MainWindow::markChanged);
    connect(m_controls, &ControlsDock::parametersChanged, this, &MainWindow::markChanged);
    const std::pair<QAction*, QString> languages[] = {{m_actions->languageSystem, QString()},
                                                      {m_actions->languageEnglish, QStringLiteral("en")},
                                                      {m_actions->languageChinese, QStringLiteral("zh_CN")}};
    const QString language = QSettings().value(QStringLiteral("ui/language")).toString();
    for (const auto& [action, code] : languages) {
        action->setChecked(code == language);
        connect(action, &QAction::triggered, this, [this, code = code] { setLanguage(code); });
    }
    connect(m_actions->openTrace, &QAction::triggered, this, &MainWindow::chooseTrace);
    const QString svgOrPng = tr("PNG image (*.png);;SVG drawing (*.svg)");
    connect(m_actions->exportText, &QAction::triggered, this, [this] {
        exportTo(tr("Export Text"), QStringLiteral("txt"), tr("Text (*.txt);;All files (*)"),
                 [this](const QString& path) { return StudioExporter::writeText(path, m_editor->toPlainText()); });
    });
    connect(m_actions->exportTrace, &QAction::triggered, this, [this] {
        exportTo(tr("Export Trace"), QStringLiteral("json"), tr("Trace (*.json)"),
                 [this](const QString& path) { return StudioExporter::writeTrace(path, *m_record); });
    });
    connect(m_actions->exportUnmasking, &QAction::triggered, this, [this, svgOrPng] {
        exportTo(tr("Export Unmasking View"), QStringLiteral("png"), svgOrPng,
                 [this](const QString& path) { return StudioExporter::writeWidget(path, m_unmasking); });
    });
    connect(m_actions->exportTimeline, &QAction::triggered, this, [this, svgOrPng] {
        exportTo(tr("Export Step Timeline"), QStringLiteral("png"), svgOrPng,
                 [this](const QString& path) { return StudioExporter::writeWidget(path, m_timeline); });
    });
    connect(m_actions->exportGif, &QAction::triggered, this, [this] {
        const int block = m_replay->block() >= 0 ? m_replay->block() : m_timeline->shownBlock();
        exportTo(tr("Export Block as GIF"), QStringLiteral("gif"), tr("Animated GIF (*.gif)"),
                 [this, block](const QString& path) { return StudioExporter::writeBlockGif(path, *m_record, block); });
    });
    connect(m_actions->exportPlots, &QAction::triggered, this, [this] {
        exportTo(tr("Export Plots"), QStringLiteral("png"), tr("PNG images (*.png);;PDF documents (*.pdf)"),
                 [this](const QString& path) { return StudioExporter::writePlots(path, m_plots); });
    });

    connect(m_controls, &ControlsDock::parametersChanged, this, [this](const bd3::SamplingParams& params) {
        // Applied to the next block of a running generation.
        if (m_controller->isGenerating()) {
            if (const QString problem = m_controller->setParameters(params); !problem.isEmpty())
                statusBar()->showMessage(problem, 8000);
        }
    });
    connect(m_controller, &EngineController::loadStarted, this, [this](const QString& folder) {
        m_loadProgress->setValue(0);
        m_loadProgress->show();
        statusBar()->showMessage(tr("Loading %1…").arg(folder));
        updateActions();
    });
    connect(m_controller, &EngineController::loadProgress, this,
            [this](double fraction) { m_loadProgress->setValue(static_cast<int>(fraction * 100)); });
    connect(m_controller, &EngineController::modelLoaded, this, &MainWindow::onModelLoaded);
    connect(m_controller, &EngineController::modelLoadFailed, this, &MainWindow::onModelLoadFailed);
    connect(m_controller, &EngineController::generationStarted, this, &MainWindow::updateActions);
    connect(m_controller, &EngineController::generationFinished, this, &MainWindow::onGenerationFinished);
    connect(m_controller, &EngineController::generationFailed, this, [this](const QString& message) {
        if (ReplyTarget* target = std::exchange(m_replyTo, nullptr)) target->failReply(message);
        onGenerationEnded();
        statusBar()->showMessage(tr("Generation failed: %1").arg(message), 15000);
    });
    connect(m_record, &GenerationRecord::blockCommitted, this, &MainWindow::onBlockCommitted);
    connect(m_record, &GenerationRecord::blockCommitted, this, &MainWindow::updateStatus);
    connect(m_record, &GenerationRecord::blockStarted, this, &MainWindow::updateActions);
    connect(m_record, &GenerationRecord::cleared, this, &MainWindow::updateActions);
    connect(&m_statusTimer, &QTimer::timeout, this, &MainWindow::updateStatus);
    m_statusTimer.setInterval(250);

    QSettings settings;
    if (!restoreState(settings.value(QStringLiteral("window/state")).toByteArray())) {
        // First start: the writing area gets the most room (once laid out).
        QTimer::singleShot(0, this, [this, timelineDock, plotsDock] {
            resizeDocks({m_controls, timelineDock}, {300, 520}, Qt::Horizontal);
            resizeDocks({timelineDock, plotsDock}, {330, 470}, Qt::Vertical);
        });
    }
    m_controls->restoreSettings(settings);
    m_pace->setStepsPerSecond(settings.value(QStringLiteral("generation/stepsPerSecond"), 0.0).toDouble());
    m_actions->tintBySteps->setChecked(settings.value(QStringLiteral("view/tintBySteps"), true).toBool());
    if (!restoreGeometry(settings.value(QStringLiteral("window/geometry")).toByteArray())) resize(1440, 900);

    QString folder = modelFolder;
    if (folder.isEmpty()) folder = settings.value(QStringLiteral("model/last")).toString();
    if (folder.isEmpty()) folder = QString::fromStdString(bd3::defaultModelFolder().string());
    // The window shows first; the model loads on the worker thread.
    QTimer::singleShot(0, this, [this, folder] { openModel(folder); });
    updateActions();
    updateStatus();

    // Autosave: each running studio owns a slot of its own.
    m_autosave = AutosaveSlot::claim(autosaveFolder());
    if (!m_autosave)
        statusBar()->showMessage(tr("Autosave is off: %1 other BD3 Studio windows are autosaving.").arg(AutosaveSlot::kSlots));
    m_autosaveTimer.setInterval(3000);
    connect(&m_autosaveTimer, &QTimer::timeout, this, &MainWindow::autosave);
    // Restoring the settings above is no change to save.
    m_autosaveDirty = false;
    if (m_autosave) {
        m_autosaveTimer.start();
        QTimer::singleShot(0, this, &MainWindow::offerRestore);
    }
}

MainWindow::~MainWindow()
{
    // An orderly end: nothing to restore next time (once a write still
    // running has finished).
    m_autosaveTimer.stop();
    while (m_autosaving->load()) QThread::msleep(5);
    if (m_autosave && !m_restorePending) QFile::remove(autosavePath());
}

CompareDialog* MainWindow::compareDialog() const { return m_compare; }

void MainWindow::createMenus()
{
    QMenu* file = menuBar()->addMenu(tr("&File"));
    file->addAction(m_actions->openSession);
    file->addAction(m_actions->saveSession);
    file->addAction(m_actions->saveSessionAs);
    file->addSeparator();
    file->addAction(m_actions->openModel);
    file->addAction(m_actions->openTrace);
    QMenu* exports = file->addMenu(tr("&Export"));
    exports->setObjectName(QStringLiteral("exportMenu"));
    for (QAction* action : {m_actions->exportText, m_actions->exportTrace, m_actions->exportUnmasking,
                            m_actions->exportTimeline, m_actions->exportGif, m_actions->exportPlots})
        exports->addAction(action);
    file->addSeparator();
    file->addAction(m_actions->quit);

    QMenu* edit = menuBar()->addMenu(tr("&Edit"));
    QAction* undo = edit->addAction(tr("&Undo"), QKeySequence::Undo, m_editor, &QPlainTextEdit::undo);
    undo->setObjectName(QStringLiteral("undo"));
    QAction* redo = edit->addAction(tr("&Redo"), QKeySequence::Redo, m_editor, &QPlainTextEdit::redo);
    redo->setObjectName(QStringLiteral("redo"));
    connect(m_editor, &QPlainTextEdit::undoAvailable, undo, &QAction::setEnabled);
    connect(m_editor, &QPlainTextEdit::redoAvailable, redo, &QAction::setEnabled);
    undo->setEnabled(false);
    redo->setEnabled(false);
    edit->addSeparator();
    edit->addActions(m_assistant->actions());

    QMenu* generate = menuBar()->addMenu(tr("&Generate"));
    generate->addAction(m_actions->generate);
    generate->addAction(m_actions->stop);
    generate->addAction(m_actions->restartBlock);
    generate->addAction(m_actions->liveStepMode);
    generate->addSeparator();
    generate->addAction(m_actions->compare);

    QMenu* view = menuBar()->addMenu(tr("&View"));
    view->addAction(m_actions->tintBySteps);
    view->addAction(m_actions->followLatestBlock);
    view->addSeparator();
    view->addAction(m_actions->stepBack);
    view->addAction(m_actions->playReplay);
    view->addAction(m_actions->stepForward);
    view->addSeparator();
    for (QDockWidget* dock : findChildren<QDockWidget*>()) view->addAction(dock->toggleViewAction());
    QAction* conversation = view->addAction(tr("&Conversation"));
    conversation->setObjectName(QStringLiteral("showConversation"));
    conversation->setCheckable(true);
    connect(conversation, &QAction::toggled, this, [this](bool on) {
        m_conversation->setVisible(on);
        // A splitter gives a child shown again the width it had: none at first.
        auto* writing = findChild<QSplitter*>(QStringLiteral("writingSplitter"));
        if (on && writing->sizes().value(1) < m_conversation->minimumSizeHint().width()) {
            const int total = writing->width();
            writing->setSizes({total / 2, total - total / 2});
        }
    });
    connect(m_controller, &EngineController::modelLoaded, conversation,
            [conversation](const ModelSummary& summary) { conversation->setChecked(summary.chatTemplate != nullptr); });
    view->addSeparator();
    QMenu* language = view->addMenu(tr("&Language"));
    language->setObjectName(QStringLiteral("languageMenu"));
    auto* languages = new QActionGroup(language);
    for (QAction* action : {m_actions->languageSystem, m_actions->languageEnglish, m_actions->languageChinese}) {
        languages->addAction(action);
        language->addAction(action);
    }

    menuBar()->addMenu(tr("&Help"))->addAction(m_actions->about);

    QToolBar* toolbar = addToolBar(tr("Generation"));
    toolbar->setObjectName(QStringLiteral("generationToolBar"));
    toolbar->addAction(m_actions->generate);
    toolbar->addAction(m_actions->stop);
    toolbar->addAction(m_actions->restartBlock);
    toolbar->addSeparator();
    toolbar->addWidget(m_pace);
    toolbar->addSeparator();
    toolbar->addAction(m_actions->openModel);
}

void MainWindow::createStatusBar()
{
    m_modelLabel = new QLabel(tr("No model"));
    m_speedLabel = new QLabel;
    m_nfeLabel = new QLabel;
    m_elapsedLabel = new QLabel;
    m_loadProgress = new QProgressBar;
    m_loadProgress->setRange(0, 100);
    m_loadProgress->setMaximumWidth(160);
    m_loadProgress->hide();
    statusBar()->addPermanentWidget(m_loadProgress);
    for (QLabel* label : {m_modelLabel, m_speedLabel, m_nfeLabel, m_elapsedLabel}) statusBar()->addPermanentWidget(label);
}

void MainWindow::chooseModel()
{
    const QString folder = QFileDialog::getExistingDirectory(this, tr("Open Model Folder"),
                                                             m_controller->model() ? m_controller->model()->folder : QString());
    if (!folder.isEmpty()) openModel(folder);
}

void MainWindow::openModel(const QString& folder)
{
    // A running generation ends first; its text stays.
    m_controller->stop();
    m_controller->loadModel(folder, m_controls->loadOptions());
}

void MainWindow::onModelLoaded(const ModelSummary& summary)
{
    m_loadProgress->hide();
    m_controls->setContextLength(summary.contextLength);
    // Settings made for one family do not fit another (SDAR decodes blocks
    // of 4 by confidence, the BD3-LM DiT by its schedule): a model of a new
    // family starts from what its own code samples with.
    // Values a model's generation_config.json sets apply to it, unless a
    // session being opened has its own.
    if (summary.folder != std::exchange(m_sessionModelLoading, QString()))
        m_controls->setModelDefaults(summary.defaults, summary.defaultsFromGenerationConfig, summary.family,
                                     summary.family != m_loadedFamily);
    m_loadedFamily = summary.family;
    m_conversation->setChatTemplate(summary.chatTemplate, summary.chatTemplateProblem);
    m_assistant->setChatTemplate(summary.chatTemplate);
    m_modelLabel->setText(tr("%1 · %2 · %3M parameters in %4")
                              .arg(summary.name, summary.device)
                              .arg(static_cast<double>(summary.parameterCount) / 1e6, 0, 'f', 1)
                              .arg(summary.weightType));
    QString details = summary.folder + QLatin1Char('\n') + tr("%n CPU thread(s)", "", summary.threads);
    if (!summary.deviceNote.isEmpty()) details += QLatin1Char('\n') + summary.deviceNote;
    m_modelLabel->setToolTip(details);
    if (summary.deviceNote.isEmpty())
        statusBar()->showMessage(tr("Model loaded: %1").arg(summary.folder), 5000);
    else
        statusBar()->showMessage(tr("Model loaded on the CPU: %1").arg(summary.deviceNote), 20000);
    QSettings().setValue(QStringLiteral("model/last"), summary.folder);
    updateActions();
}

void MainWindow::onModelLoadFailed(const QString& folder, const QString& message)
{
    m_loadProgress->hide();
    updateActions();
    QString text = tr("The model in %1 could not be loaded:\n\n%2").arg(folder, message);
    if (m_controller->model()) text += tr("\n\nThe model loaded before (%1) is still in use.").arg(m_controller->model()->name);
    if (m_modelError) m_modelError->close();
    m_modelError = new QMessageBox(QMessageBox::Critical, tr("Model Not Loaded"), text, QMessageBox::Ok, this);
    m_modelError->setObjectName(QStringLiteral("modelErrorDialog"));
    m_modelError->setAttribute(Qt::WA_DeleteOnClose);
    m_modelError->open();
}

void MainWindow::startGeneration()
{
    if (m_controller->isGenerating() || !m_controller->model()) return;
    const QString prompt = m_editor->beginGeneration();
    const QString problem = m_controller->generate(prompt, m_controls->samplingParams(), m_controls->generationOptions());
    if (!problem.isEmpty()) {
        m_editor->endGeneration();
        statusBar()->showMessage(problem, 8000);
        return;
    }
    followNewGeneration();
}

void MainWindow::followNewGeneration()
{
    m_elapsed.start();
    m_statusTimer.start();
    followLatest();
    updateActions();
}

void MainWindow::onBlockCommitted(int index)
{
    // A trace read back replays in the views only: its text is not written
    // into the document again.
    if (m_record->isImported()) return;
    const BlockRecord& block = m_record->block(index);
    if (m_replyTo) {
        if (block.commit) m_replyTo->appendToReply(QString::fromStdString(block.commit->text));
        return;
    }
    if (!m_editor->isGenerating()) return;
    if (!block.commit || static_cast<int>(block.commit->tokenTexts.size()) != block.length() - block.start.cleanPrefix) return;
    const std::vector<int> steps = block.revealSteps();
    std::vector<GeneratedToken> tokens;
    for (int offset = block.start.cleanPrefix; offset < block.length(); ++offset) {
        GeneratedToken token;
        token.text = QString::fromStdString(block.commit->tokenTexts[static_cast<size_t>(offset - block.start.cleanPrefix)]);
        token.block = index;
        token.step = steps[static_cast<size_t>(offset)];
        token.stepsInBlock = static_cast<int>(block.steps.size());
        if (const bd3::Reveal* reveal = block.revealAt(offset)) {
            token.probability = reveal->probability;
            token.entropy = reveal->entropy;
            QStringList alternatives;
            for (const bd3::Alternative& a : reveal->alternatives)
                alternatives << QStringLiteral("%1 %2").arg(m_record->tokenText(a.token)).arg(a.probability, 0, 'f', 2);
            token.alternatives = alternatives.join(QStringLiteral(", "));
        }
        tokens.push_back(token);
    }
    m_editor->insertGenerated(tokens);
}

void MainWindow::requestReply(ReplyTarget* target, const QString& prompt)
{
    bd3::GenerationOptions options = m_controls->generationOptions();
    // The template's text is the program's: its control tokens are meant.
    options.promptHasSpecialTokens = true;
    options.stopAtEos = true;
    // Cutting a conversation's head would cut its system turn and format.
    options.keepPromptTail = false;
    if (const QString problem = m_controller->generate(prompt, m_controls->samplingParams(), options); !problem.isEmpty()) {
        target->replyRefused(problem);
        return;
    }
    m_replyTo = target;
    target->replyStarted();
    followNewGeneration();
}

void MainWindow::onGenerationFinished(const bd3::GenerationFinished& result)
{
    if (ReplyTarget* target = std::exchange(m_replyTo, nullptr))
        target->finishReply(QString::fromStdString(result.text));
    onGenerationEnded();
    m_traces.append(m_record->snapshot());
    markChanged();
    const QString reasons[] = {tr("token limit reached"), tr("end of text"), tr("stopped"), tr("text became repetitive")};
    statusBar()->showMessage(tr("Finished: %1 tokens, %2 NFEs, %3 s (%4)")
                                 .arg(result.newTokens)
                                 .arg(result.nfe)
                                 .arg(result.seconds, 0, 'f', 2)
                                 .arg(reasons[static_cast<int>(result.reason)]),
                             15000);
}

void MainWindow::onGenerationEnded()
{
    m_editor->endGeneration();
    m_statusTimer.stop();
    updateStatus();
    updateActions();
}

void MainWindow::showBlock(int block)
{
    m_replay->selectBlock(block);
    m_timeline->setBlock(block);
    m_plots->setBlock(block);
    m_plots->refreshNow();
}

void MainWindow::replayAt(int block, int steps)
{
    m_unmasking->setReplayPosition(block, steps);
    m_timeline->setBlock(block);
    m_timeline->setStepMarker(steps);
    m_plots->setBlock(block);
    m_replay->raise();
}

void MainWindow::showLiveStep()
{
    // The step just taken, explained, while the generation waits.
    const int block = m_record->blockCount() - 1;
    m_replay->setPosition(block, static_cast<int>(m_record->block(block).steps.size()));
}

void MainWindow::followLatest()
{
    m_replay->setPlaying(false);
    m_unmasking->followLive();
    m_timeline->followLatest();
    m_plots->followLatest();
}

void MainWindow::updateActions()
{
    const bool generating = m_controller->isGenerating();
    const bool ready = m_controller->model().has_value() && !m_controller->isLoading();
    m_actions->generate->setEnabled(ready && !generating);
    m_actions->stop->setEnabled(generating);
    m_actions->restartBlock->setEnabled(generating);
    m_actions->openModel->setEnabled(!m_controller->isLoading());
    const bool hasBlocks = m_record->blockCount() > 0;
    m_actions->openTrace->setEnabled(!generating);
    m_actions->compare->setEnabled(ready && !generating);
    for (QAction* action : {m_actions->stepBack, m_actions->playReplay, m_actions->exportTrace, m_actions->exportGif})
        action->setEnabled(hasBlocks);
    m_actions->stepForward->setEnabled(hasBlocks || (generating && m_controller->isLiveStepping()));
    for (ReplyTarget* target : {static_cast<ReplyTarget*>(m_conversation), static_cast<ReplyTarget*>(m_assistant)})
        target->setEngineBusy(generating || !ready || m_controller->isComparing());
}

void MainWindow::chooseTrace()
{
    const QString path = QFileDialog::getOpenFileName(this, tr("Open Trace"), m_lastExportDir,
                                                      tr("Traces (*.json);;All files (*)"));
    if (path.isEmpty()) return;
    if (const QString problem = openTraceFile(path); !problem.isEmpty())
        showProblem(tr("Trace Not Opened"), tr("The trace %1 could not be opened:\n\n%2").arg(path, problem));
}

QString MainWindow::openTraceFile(const QString& path)
{
    if (m_controller->isGenerating()) return tr("A generation is running; stop it first.");
    bd3::Trace trace;
    try {
        trace = bd3::readTrace(QFile::encodeName(path).toStdString());
    } catch (const bd3::Error& error) {
        return QString::fromStdString(error.what());
    }
    const int32_t maskId = m_record->maskId();
    for (const EngineEvent& event : trace.events) {
        if (const auto* started = std::get_if<bd3::BlockStarted>(&event)) {
            for (int32_t token : started->tokens) {
                if (m_controller->model() && token != maskId && token >= m_controller->model()->pieces->size())
                    return tr("The trace uses token %1, which the loaded model (%2) does not have; open the model "
                              "it was made with (%3) first.")
                        .arg(token)
                        .arg(m_controller->model()->name, QString::fromStdString(trace.model));
            }
        }
    }
    m_record->load(trace);
    m_lastExportDir = QFileInfo(path).path();
    followLatest();
    m_replay->setPosition(0, 0);
    updateStatus();
    updateActions();
    statusBar()->showMessage(tr("Trace opened: %n block(s) to replay (F10 steps through them).", nullptr,
                                m_record->blockCount()),
                             10000);
    return {};
}

void MainWindow::showCompare()
{
    if (!m_controller->model()) return;
    if (!m_compare) {
        m_compare = new CompareDialog(m_controller, this);
        connect(m_compare, &CompareDialog::finished, this, &MainWindow::updateActions);
    }
    QTextCursor before = m_editor->textCursor();
    if (before.position() == 0) before.movePosition(QTextCursor::End);
    before.setPosition(0, QTextCursor::KeepAnchor);
    QString prompt = before.selectedText().replace(QChar::ParagraphSeparator, QLatin1Char('\n'));
    if (prompt.trimmed().isEmpty()) prompt = tr("Once upon a time");
    bd3::GenerationOptions options = m_controls->generationOptions();
    options.stopAtEos = false;
    m_compare->setup(prompt, m_controls->samplingParams(), options, m_controller->model()->contextLength);
    m_compare->show();
    m_compare->raise();
}

QString MainWindow::exportFileName(const QString& title, const QString& suffix, const QString& filters)
{
    const QString start = QDir(m_lastExportDir.isEmpty() ? QDir::homePath() : m_lastExportDir)
                              .filePath(tr("untitled") + QLatin1Char('.') + suffix);
    QFileDialog dialog(this, title, start, filters);
    dialog.setAcceptMode(QFileDialog::AcceptSave);
    dialog.setDefaultSuffix(suffix);
    if (dialog.exec() != QDialog::Accepted || dialog.selectedFiles().isEmpty()) return {};
    return dialog.selectedFiles().constFirst();
}

void MainWindow::exportTo(const QString& title, const QString& suffix, const QString& filters,
                          const std::function<QString(const QString&)>& write)
{
    const QString path = exportFileName(title, suffix, filters);
    if (path.isEmpty()) return;
    m_lastExportDir = QFileInfo(path).path();
    if (const QString problem = write(path); !problem.isEmpty()) showProblem(tr("Export Failed"), problem);
    else statusBar()->showMessage(tr("Saved %1").arg(path), 8000);
}

void MainWindow::showProblem(const QString& title, const QString& text)
{
    auto* box = new QMessageBox(QMessageBox::Warning, title, text, QMessageBox::Ok, this);
    box->setObjectName(QStringLiteral("problemDialog"));
    box->setAttribute(Qt::WA_DeleteOnClose);
    box->open();
}

void MainWindow::updateStatus()
{
    const int tokens = m_record->totalTokens();
    const double seconds = m_controller->isGenerating() ? m_elapsed.elapsed() / 1000.0
                           : m_record->finished()      ? m_record->finished()->seconds
                                                       : 0.0;
    m_speedLabel->setText(tr("%1 tokens/s").arg(seconds > 0 ? tokens / seconds : 0.0, 0, 'f', 1));
    m_nfeLabel->setText(tr("%n NFE(s)", nullptr, m_record->totalNfe()));
    m_elapsedLabel->setText(tr("%1 s").arg(seconds, 0, 'f', 1));
}

void MainWindow::showAbout()
{
    QMessageBox::about(this, tr("About BD3 Studio"),
                       tr("<h3>BD3 Studio %1</h3><p>Write with a block diffusion language model and watch each "
                          "block's tokens being unmasked, step by step.</p>")
                           .arg(QApplication::applicationVersion()));
}

void MainWindow::markChanged() { m_autosaveDirty = true; }

QString MainWindow::autosaveFolder() { return QStandardPaths::writableLocation(QStandardPaths::AppDataLocation); }

QString MainWindow::autosavePath() const { return m_autosave ? m_autosave->path() : QString(); }

void MainWindow::setAutosaveInterval(int milliseconds) { m_autosaveTimer.setInterval(std::max(milliseconds, 50)); }

StudioSession MainWindow::currentSession() const
{
    StudioSession session;
    session.document = m_editor->toPlainText();
    session.cursor = m_editor->textCursor().position();
    if (m_controller->model()) {
        session.modelFolder = m_controller->model()->folder;
        session.modelName = m_controller->model()->name;
    }
    session.parameters = m_controls->parametersJson();
    session.traces = m_traces;
    return session;
}

QString MainWindow::saveSessionFile(const QString& path)
{
    if (const QString problem = StudioSessionFormat::write(path, currentSession()); !problem.isEmpty()) return problem;
    m_sessionPath = path;
    m_editor->document()->setModified(false);
    setWindowTitle(tr("%1 — BD3 Studio").arg(QFileInfo(path).completeBaseName()));
    return {};
}

QString MainWindow::openSessionFile(const QString& path)
{
    if (m_controller->isGenerating() || m_controller->isComparing()) return tr("A generation is running; stop it first.");
    QString problem;
    const std::optional<StudioSession> session = StudioSessionFormat::read(path, &problem);
    if (!session) return problem;
    if (problem = applySession(*session); !problem.isEmpty()) return problem;
    m_sessionPath = path;
    m_editor->document()->setModified(false);
    setWindowTitle(tr("%1 — BD3 Studio").arg(QFileInfo(path).completeBaseName()));
    return {};
}

QString MainWindow::applySession(const StudioSession& session)
{
    // Everything was checked when it was read; the parameters are checked
    // before anything changes.
    if (const QString problem = m_controls->setParametersJson(session.parameters); !problem.isEmpty()) return problem;
    m_editor->setPlainText(session.document);
    QTextCursor cursor = m_editor->textCursor();
    cursor.setPosition(std::clamp(session.cursor, 0, static_cast<int>(session.document.size())));
    m_editor->setTextCursor(cursor);
    m_traces = session.traces;
    if (m_traces.isEmpty()) m_record->clear();
    else m_record->load(*m_traces.back());
    followLatest();
    updateActions();
    updateStatus();
    const bool sameModel = m_controller->model() && m_controller->model()->folder == session.modelFolder;
    if (!session.modelFolder.isEmpty() && !sameModel) {
        m_sessionModelLoading = session.modelFolder;
        if (QFileInfo(session.modelFolder).isDir()) openModel(session.modelFolder);
        else
            statusBar()->showMessage(tr("The session's model %1 is not found; the current model stays.")
                                         .arg(session.modelFolder),
                                     15000);
    }
    m_autosaveDirty = true;
    Q_EMIT sessionRestored();
    return {};
}

void MainWindow::saveSession()
{
    if (m_sessionPath.isEmpty()) {
        saveSessionAs();
        return;
    }
    if (const QString problem = saveSessionFile(m_sessionPath); !problem.isEmpty()) showProblem(tr("Session Not Saved"), problem);
    else statusBar()->showMessage(tr("Session saved: %1").arg(m_sessionPath), 5000);
}

void MainWindow::saveSessionAs()
{
    const QString path = exportFileName(tr("Save Session"), QStringLiteral("bd3session"),
                                        tr("BD3 Studio sessions (*.bd3session)"));
    if (path.isEmpty()) return;
    m_lastExportDir = QFileInfo(path).path();
    if (const QString problem = saveSessionFile(path); !problem.isEmpty()) showProblem(tr("Session Not Saved"), problem);
    else statusBar()->showMessage(tr("Session saved: %1").arg(path), 5000);
}

void MainWindow::chooseSession()
{
    const QString path = QFileDialog::getOpenFileName(this, tr("Open Session"), m_lastExportDir,
                                                      tr("BD3 Studio sessions (*.bd3session);;All files (*)"));
    if (path.isEmpty()) return;
    m_lastExportDir = QFileInfo(path).path();
    if (const QString problem = openSessionFile(path); !problem.isEmpty())
        showProblem(tr("Session Not Opened"),
                    tr("The session %1 could not be opened:\n\n%2\n\nThe open document is unchanged.").arg(path, problem));
}

void MainWindow::autosave()
{
    if (!m_autosave || m_restorePending || !m_autosaveDirty) return;
    // Written on a pool thread: a long session's traces take a while to
    // write, and the UI must not wait. One write at a time.
    if (m_autosaving->exchange(true)) return;
    m_autosaveDirty = false;
    QThreadPool::globalInstance()->start(
        [session = currentSession(), path = autosavePath(), busy = m_autosaving, self = QPointer<MainWindow>(this)] {
            const QString problem = StudioSessionFormat::write(path, session);
            busy->store(false);
            if (problem.isEmpty()) return;
            QMetaObject::invokeMethod(qApp, [self, problem] {
                if (!self) return;
                self->m_autosaveDirty = true;
                self->statusBar()->showMessage(MainWindow::tr("Autosave failed: %1").arg(problem), 8000);
            });
        });
}

void MainWindow::offerRestore()
{
    const QString path = autosavePath();
    if (!QFileInfo::exists(path)) return;
    QString problem;
    const std::optional<StudioSession> session = StudioSessionFormat::read(path, &problem);
    if (!session) {
        // Kept aside, never deleted; a dialog, not a status message: the
        // words may be in that file, and the person has to know where.
        QString moveProblem;
        const QString aside = m_autosave->keepAside(&moveProblem);
        if (aside.isEmpty()) {
            // Autosaving now would write over it.
            m_autosave.reset();
            m_autosaveTimer.stop();
            showProblem(tr("Session Not Restored"),
                        tr("The autosaved session %1 could not be read (%2), nor moved aside (%3). It is left as it "
                           "is, and this window does not autosave, so as not to write over it.")
                            .arg(path, problem, moveProblem));
            return;
        }
        showProblem(tr("Session Not Restored"),
                    tr("The autosaved session could not be read (%1); it was kept as %2.").arg(problem, aside));
        return;
    }
    if (session->document.isEmpty() && session->traces.isEmpty()) {
        QFile::remove(path);  // nothing worth offering
        return;
    }
    m_restorePending = true;
    QString preview = session->document.left(400);
    if (preview.size() < session->document.size()) preview += QStringLiteral("…");
    m_restoreDialog = new QMessageBox(QMessageBox::Question, tr("Restore Session"),
                                      tr("BD3 Studio did not close properly last time. Restore the session it saved "
                                         "(%n generation(s))?",
                                         nullptr, static_cast<int>(session->traces.size())),
                                      QMessageBox::NoButton, this);
    m_restoreDialog->setObjectName(QStringLiteral("restoreSessionDialog"));
    m_restoreDialog->setInformativeText(preview);
    QPushButton* restore = m_restoreDialog->addButton(tr("&Restore"), QMessageBox::AcceptRole);
    restore->setObjectName(QStringLiteral("restoreButton"));
    m_restoreDialog->addButton(tr("&Discard"), QMessageBox::DestructiveRole)->setObjectName(QStringLiteral("discardButton"));
    m_restoreDialog->setDefaultButton(restore);
    m_restoreDialog->setAttribute(Qt::WA_DeleteOnClose);
    connect(m_restoreDialog, &QMessageBox::finished, this, [this, restore, session = *session] {
        const bool restoring = m_restoreDialog && m_restoreDialog->clickedButton() == restore;
        m_restorePending = false;
        if (restoring) {
            if (const QString problem = applySession(session); !problem.isEmpty())
                showProblem(tr("Session Not Restored"), problem);
            m_editor->document()->setModified(true);
        } else {
            QFile::remove(autosavePath());
        }
    });
    m_restoreDialog->open();
    Q_EMIT restoreOffered(m_restoreDialog);
}

void MainWindow::setLanguage(const QString& language)
{
    QSettings().setValue(QStringLiteral("ui/language"), language);
    statusBar()->showMessage(tr("The language changes at the next start of BD3 Studio."), 10000);
}

void MainWindow::closeEvent(QCloseEvent* event)
{
    if (m_editor->document()->isModified() && !m_editor->toPlainText().isEmpty()) {
        QMessageBox ask(QMessageBox::Warning, tr("Unsaved Changes"),
                        tr("The document has changes that are not saved in a session."),
                        QMessageBox::Save | QMessageBox::Discard | QMessageBox::Cancel, this);
        ask.setObjectName(QStringLiteral("saveChangesDialog"));
        const int answer = ask.exec();
        if (answer == QMessageBox::Cancel) {
            event->ignore();
            return;
        }
        if (answer == QMessageBox::Save) {
            saveSession();
            if (m_editor->document()->isModified()) {
                event->ignore();
                return;
            }
        }
    }
    m_controller->stop();
    m_autosaveTimer.stop();
    while (m_autosaving->load()) QThread::msleep(5);
    if (m_autosave && !m_restorePending) QFile::remove(autosavePath());
    QSettings settings;
    settings.setValue(QStringLiteral("window/geometry"), saveGeometry());
    settings.setValue(QStringLiteral("window/state"), saveState());
    settings.setValue(QStringLiteral("view/tintBySteps"), m_actions->tintBySteps->isChecked());
    m_controls->saveSettings(settings);
    settings.setValue(QStringLiteral("generation/stepsPerSecond"), m_pace->stepsPerSecond());
    event->accept();
}
