// The studio window: the writing editor over the unmasking view, with docks
// for the controls, the step timeline and the plots. It wires the widgets to
// the EngineController and keeps the settings.
#pragma once

#include <QMainWindow>
#include <QElapsedTimer>
#include <QMessageBox>
#include <QPointer>
#include <QTimer>

#include <functional>

#include "bd3/events.hpp"

class CompareDialog;
class ControlsDock;
class EngineController;
class GenerationRecord;
class PlotsPanel;
class QLabel;
class QMessageBox;
class QProgressBar;
class ReplayDock;
class StepTimelineView;
class StudioActions;
class UnmaskingView;
class WritingEditor;
struct ModelSummary;

class MainWindow : public QMainWindow {
    Q_OBJECT

public:
    // modelFolder empty: the last model used, else the default model.
    explicit MainWindow(const QString& modelFolder = {}, QWidget* parent = nullptr);
    ~MainWindow() override;

    EngineController* controller() const { return m_controller; }
    GenerationRecord* record() const { return m_record; }
    WritingEditor* editor() const { return m_editor; }
    ControlsDock* controls() const { return m_controls; }
    StudioActions* actions() const { return m_actions; }
    UnmaskingView* unmaskingView() const { return m_unmasking; }
    StepTimelineView* timelineView() const { return m_timeline; }
    PlotsPanel* plotsPanel() const { return m_plots; }
    ReplayDock* replayDock() const { return m_replay; }
    // The compare dialog, once opened.
    CompareDialog* compareDialog() const;
    // The dialog of the last model that failed to load, while it is open.
    QMessageBox* modelErrorDialog() const { return m_modelError; }

public Q_SLOTS:
    void openModel(const QString& folder);
    void startGeneration();
    // Shows one block in the timeline and the plots (they stop following).
    void showBlock(int block);
    // Loads a trace file into the record for replay; returns the problem,
    // empty on success (the record is untouched on failure).
    QString openTraceFile(const QString& path);
    // Opens the compare dialog for the text before the cursor.
    void showCompare();

protected:
    void closeEvent(QCloseEvent* event) override;

private:
    void createMenus();
    void createStatusBar();
    void chooseModel();
    void onModelLoaded(const ModelSummary& summary);
    void onModelLoadFailed(const QString& folder, const QString& message);
    void onBlockCommitted(int block);
    void onGenerationFinished(const bd3::GenerationFinished& result);
    void onGenerationEnded();
    void followLatest();
    void updateActions();
    void updateStatus();
    void showAbout();
    void chooseTrace();
    void replayAt(int block, int steps);
    // Asks for a file to export to; empty when cancelled.
    QString exportFileName(const QString& title, const QString& suffix, const QString& filters);
    void exportTo(const QString& title, const QString& suffix, const QString& filters,
                  const std::function<QString(const QString&)>& write);
    void showProblem(const QString& title, const QString& text);

    GenerationRecord* m_record;
    EngineController* m_controller;
    StudioActions* m_actions;
    WritingEditor* m_editor;
    UnmaskingView* m_unmasking;
    StepTimelineView* m_timeline;
    PlotsPanel* m_plots;
    ControlsDock* m_controls;
    ReplayDock* m_replay;
    QPointer<CompareDialog> m_compare;
    QString m_lastExportDir;
    QLabel* m_modelLabel;
    QLabel* m_speedLabel;
    QLabel* m_nfeLabel;
    QLabel* m_elapsedLabel;
    QProgressBar* m_loadProgress;
    QPointer<QMessageBox> m_modelError;
    QElapsedTimer m_elapsed;
    QTimer m_statusTimer;
};
