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

#include <QJsonObject>
#include <QList>

#include <atomic>
#include <memory>

class AutosaveSlot;
#include "sessions/studio_session.hpp"

class CompareDialog;
class ConversationPanel;
class PaceControl;
class ReplyTarget;
class SelectionAssistant;
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
    ConversationPanel* conversationPanel() const { return m_conversation; }
    SelectionAssistant* selectionAssistant() const { return m_assistant; }
    PaceControl* paceControl() const { return m_pace; }
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

    // Sessions (docs/session-format.md). Each returns the problem in words,
    // empty on success; a session that cannot be read changes nothing.
    QString saveSessionFile(const QString& path);
    QString openSessionFile(const QString& path);
    StudioSession currentSession() const;
    QString sessionPath() const { return m_sessionPath; }
    // Where the session is saved every few seconds while it has changes:
    // where the autosave files live, and the one this window writes (empty
    // when every slot is held by another studio).
    static QString autosaveFolder();
    QString autosavePath() const;
    void setAutosaveInterval(int milliseconds);
    // The offer to restore an autosaved session, while it is open.
    QMessageBox* restoreDialog() const { return m_restoreDialog; }

Q_SIGNALS:
    // The start found an autosaved session from a run that did not close
    // properly and asks whether to restore it.
    void restoreOffered(QMessageBox* dialog);
    void sessionRestored();

protected:
    void closeEvent(QCloseEvent* event) override;

private:
    void createMenus();
    void createStatusBar();
    void chooseModel();
    void onModelLoaded(const ModelSummary& summary);
    void onModelLoadFailed(const QString& folder, const QString& message);
    void onBlockCommitted(int block);
    // Runs a chat model's reply to prompt (a rendered chat template) for target.
    void requestReply(ReplyTarget* target, const QString& prompt);
    // The clock, the status and the views follow a generation just started.
    void followNewGeneration();
    void onGenerationFinished(const bd3::GenerationFinished& result);
    void onGenerationEnded();
    void followLatest();
    void updateActions();
    void updateStatus();
    void showAbout();
    void chooseTrace();
    void replayAt(int block, int steps);
    void showLiveStep();
    // Asks for a file to export to; empty when cancelled.
    QString exportFileName(const QString& title, const QString& suffix, const QString& filters);
    void exportTo(const QString& title, const QString& suffix, const QString& filters,
                  const std::function<QString(const QString&)>& write);
    void showProblem(const QString& title, const QString& text);
    QString applySession(const StudioSession& session);
    void saveSession();
    void saveSessionAs();
    void chooseSession();
    void autosave();
    void offerRestore();
    void markChanged();
    void setLanguage(const QString& language);

    GenerationRecord* m_record;
    EngineController* m_controller;
    StudioActions* m_actions;
    WritingEditor* m_editor;
    UnmaskingView* m_unmasking;
    StepTimelineView* m_timeline;
    PlotsPanel* m_plots;
    ControlsDock* m_controls;
    ReplayDock* m_replay;
    ConversationPanel* m_conversation;
    SelectionAssistant* m_assistant;
    PaceControl* m_pace;
    ReplyTarget* m_replyTo = nullptr;  // where the running generation goes; null: the editor
    QPointer<CompareDialog> m_compare;
    QString m_lastExportDir;
    QList<std::shared_ptr<const GenerationSnapshot>> m_traces;  // the session's generations
    std::shared_ptr<std::atomic<bool>> m_autosaving = std::make_shared<std::atomic<bool>>(false);
    QString m_sessionPath;
    QTimer m_autosaveTimer;
    std::unique_ptr<AutosaveSlot> m_autosave;  // the slot this window autosaves to
    bool m_autosaveDirty = false;
    bool m_restorePending = false;
    QPointer<QMessageBox> m_restoreDialog;
    QLabel* m_modelLabel;
    QLabel* m_speedLabel;
    QLabel* m_nfeLabel;
    QLabel* m_elapsedLabel;
    QProgressBar* m_loadProgress;
    QPointer<QMessageBox> m_modelError;
    QElapsedTimer m_elapsed;
    QTimer m_statusTimer;
    // The family of the model loaded last; the controls' own defaults are the DiT's.
    QString m_loadedFamily = QStringLiteral("bd3lm");
    // A session's model is loading: its parameters stay as the session has them.
    QString m_sessionModelLoading;
};
