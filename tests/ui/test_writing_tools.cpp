// Writing with an instruction model, and watching a run unfold, driven as a
// person would on the offscreen platform: a chat turn through the model's own
// template, a reply written again, thinking folded apart from the answer, an
// instruction on the selection accepted as one undo step, sampling defaults
// that say where they came from, and a paced run whose three views show the
// same block and step.
#include "chat/conversation_panel.hpp"
#include "chat/selection_assistant.hpp"
#include "controls_dock.hpp"
#include "generation/engine_controller.hpp"
#include "generation/generation_record.hpp"
#include "main_window.hpp"
#include "views/plots_panel.hpp"
#include "views/step_timeline_view.hpp"
#include "studio_actions.hpp"
#include "teaching/pace_control.hpp"
#include "views/unmasking_view.hpp"
#include "editor/writing_editor.hpp"
#include "walkthrough_shot.hpp"

#include <QAction>
#include <QCheckBox>
#include <QDialog>
#include <QDoubleSpinBox>
#include <QElapsedTimer>
#include <QFile>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QSettings>
#include <QSignalSpy>
#include <QSpinBox>
#include <QStandardPaths>
#include <QTest>
#include <QTextBrowser>
#include <QUrl>

#include <qcustomplot.h>

namespace {

const QString tinyModel = QStringLiteral(BD3_SOURCE_MODELS_DIR "/tiny-random");
// A random-weight SDAR folder with Qwen3's tokenizer and chat template, made
// by tools/make_qwen_model.py for these tests.
const QString chatModel = QStringLiteral(BD3_CHAT_MODEL_DIR);

QSpinBox* spinWithTip(QWidget* root, const QString& words)
{
    for (QSpinBox* box : root->findChildren<QSpinBox*>())
        if (box->toolTip().contains(words)) return box;
    return nullptr;
}

} // namespace

class WritingToolsTest : public QObject {
    Q_OBJECT

private:
    std::unique_ptr<MainWindow> m_window;

    void open(const QString& folder)
    {
        m_window = std::make_unique<MainWindow>(folder);
        m_window->show();
        QSignalSpy loaded(m_window->controller(), &EngineController::modelLoaded);
        QVERIFY(loaded.wait(60000));
        QSpinBox* limit = spinWithTip(m_window->controls(), QStringLiteral("most new tokens"));
        QVERIFY(limit != nullptr);
        limit->setValue(8);
        m_window->controls()->blockSizeBox()->setValue(4);
        m_window->controls()->stepsBox()->setValue(4);
    }

private Q_SLOTS:
    void initTestCase()
    {
        QStandardPaths::setTestModeEnabled(true);
        QCoreApplication::setOrganizationName(QStringLiteral("BD3 Studio Tests"));
        QCoreApplication::setApplicationName(QStringLiteral("bd3-studio-writing-tests"));
        QSettings().clear();
        QVERIFY2(QFile::exists(chatModel + QStringLiteral("/config.json")), qPrintable(chatModel));
    }

    void cleanup() { m_window.reset(); }

    void aChatTurnIsAnsweredInTheConversation()
    {
        open(chatModel);
        ConversationPanel* panel = m_window->conversationPanel();
        QVERIFY(panel->hasChatTemplate());
        QVERIFY(panel->isVisible());
        QVERIFY(panel->thinkingBox()->isEnabled());  // Qwen3's template reads enable_thinking
        m_window->editor()->setPlainText(QStringLiteral("My draft."));
        panel->systemPromptBox()->setText(QStringLiteral("Answer briefly."));
        panel->messageBox()->setPlainText(QStringLiteral("What is a block diffusion model?"));
        QSignalSpy requested(panel, &ConversationPanel::replyRequested);
        QSignalSpy finished(m_window->controller(), &EngineController::generationFinished);
        auto* send = panel->findChild<QPushButton*>(QStringLiteral("sendButton"));
        QVERIFY(send->isEnabled());
        QVERIFY2(panel->width() > 250, qPrintable(QString::number(panel->width())));
        QTest::mouseClick(send, Qt::LeftButton);
        QVERIFY2(requested.count() == 1, qPrintable(panel->transcript()->toPlainText()));
        const QString prompt = requested.first().first().toString();
        // The model's own format: system turn, user turn, the assistant's opening.
        QVERIFY(prompt.startsWith(QStringLiteral("<|im_start|>system\nAnswer briefly.<|im_end|>")));
        QVERIFY(prompt.contains(QStringLiteral("<|im_start|>user\nWhat is a block diffusion model?<|im_end|>")));
        QVERIFY(prompt.contains(QStringLiteral("<|im_start|>assistant\n")));
        QVERIFY(m_window->controller()->isGenerating());
        QVERIFY(panel->messageBox()->toPlainText().isEmpty());
        QVERIFY(finished.wait(60000));
        const auto result = finished.first().first().value<bd3::GenerationFinished>();
        // The reply joined the conversation; the views followed it; the
        // document was left alone.
        QCOMPARE(panel->conversation().turns().size(), 2);
        QCOMPARE(panel->conversation().turns().at(1).text, QString::fromStdString(result.text));
        QVERIFY(m_window->record()->blockCount() > 0);
        // The view animates at display rate, so it reaches the last block a little after.
        QTRY_COMPARE(m_window->unmaskingView()->displayedBlock(), m_window->record()->blockCount() - 1);
        QCOMPARE(m_window->editor()->toPlainText(), QStringLiteral("My draft."));
        QVERIFY(panel->transcript()->toPlainText().contains(QStringLiteral("What is a block diffusion model?")));
        walkthroughShot(QStringLiteral("1-chat-turn"));

        // Regenerate writes the last reply again: still one exchange.
        QSignalSpy again(m_window->controller(), &EngineController::generationFinished);
        QTest::mouseClick(panel->findChild<QPushButton*>(QStringLiteral("regenerateButton")), Qt::LeftButton);
        QVERIFY(again.wait(60000));
        QCOMPARE(panel->conversation().turns().size(), 2);
        QCOMPARE(panel->conversation().turns().at(1).text,
                 QString::fromStdString(again.first().first().value<bd3::GenerationFinished>().text));
    }

    void aMessageThatGetsNoReplyStaysInTheBox()
    {
        open(chatModel);
        ConversationPanel* panel = m_window->conversationPanel();
        // Longer than the model's context of 512 tokens: the engine refuses it.
        QString message;
        for (int i = 0; i < 400; ++i) message += QStringLiteral("words upon words ");
        panel->messageBox()->setPlainText(message);
        QSignalSpy failed(m_window->controller(), &EngineController::generationFailed);
        panel->send();
        QVERIFY(failed.wait(60000));
        QCOMPARE(panel->messageBox()->toPlainText(), message);
        QVERIFY(panel->conversation().isEmpty());
        QVERIFY(panel->transcript()->toPlainText().contains(QStringLiteral("No reply")));
    }

    void thinkingIsFoldedApartFromTheAnswer()
    {
        open(chatModel);
        ConversationPanel* panel = m_window->conversationPanel();
        // The panel alone, without the engine: this test plays the window.
        QObject::disconnect(panel, &ConversationPanel::replyRequested, m_window.get(), nullptr);
        QSignalSpy requested(panel, &ConversationPanel::replyRequested);
        panel->thinkingBox()->setChecked(false);
        panel->messageBox()->setPlainText(QStringLiteral("Hi"));
        panel->send();
        // Thinking off: Qwen3's template opens the reply with an empty thought.
        QVERIFY(requested.first().first().toString().endsWith(QStringLiteral("<think>\n\n</think>\n\n")));
        panel->replyStarted();
        panel->appendToReply(QStringLiteral("<think>First the plan"));
        QVERIFY(!panel->transcript()->toPlainText().contains(QStringLiteral("First the plan")));
        panel->finishReply(QStringLiteral("<think>First the plan, then words.</think>\n\nHello there."));
        const QString shown = panel->transcript()->toPlainText();
        QVERIFY(shown.contains(QStringLiteral("Hello there.")));
        // The plural form is the English translation's; the count is ours.
        QVERIFY(shown.contains(QStringLiteral("Thinking (5 word")));
        QVERIFY(!shown.contains(QStringLiteral("then words")));
        Q_EMIT panel->transcript()->anchorClicked(QUrl(QStringLiteral("think:1")));
        QVERIFY(panel->transcript()->toPlainText().contains(QStringLiteral("First the plan, then words.")));

        // Thinking on: the model is let think; the next prompt carries the
        // earlier answer without its thinking.
        requested.clear();
        panel->thinkingBox()->setChecked(true);
        panel->messageBox()->setPlainText(QStringLiteral("And then?"));
        panel->send();
        const QString prompt = requested.first().first().toString();
        QVERIFY(!prompt.endsWith(QStringLiteral("</think>\n\n")));
        QVERIFY(prompt.contains(QStringLiteral("Hello there.")));
        QVERIFY(!prompt.contains(QStringLiteral("First the plan")));
        panel->replyRefused(QStringLiteral("not now"));
        QCOMPARE(panel->messageBox()->toPlainText(), QStringLiteral("And then?"));
        QCOMPARE(panel->conversation().turns().size(), 2);
    }

    void anInstructionOnTheSelectionIsOneUndoStep()
    {
        open(chatModel);
        WritingEditor* editor = m_window->editor();
        const QString original = QStringLiteral("The cat sat on the mat. It was warm there.");
        editor->setPlainText(original);
        QTextCursor cursor = editor->textCursor();
        cursor.setPosition(24);
        cursor.movePosition(QTextCursor::End, QTextCursor::KeepAnchor);
        editor->setTextCursor(cursor);
        SelectionAssistant* assistant = m_window->selectionAssistant();
        QVERIFY(m_window->findChild<QAction*>(QStringLiteral("rewriteSelection"))->isEnabled());
        QSignalSpy requested(assistant, &SelectionAssistant::replyRequested);
        QSignalSpy finished(m_window->controller(), &EngineController::generationFinished);
        m_window->findChild<QAction*>(QStringLiteral("rewriteSelection"))->trigger();
        QCOMPARE(requested.count(), 1);
        QVERIFY(requested.first().first().toString().contains(QStringLiteral("It was warm there.")));
        QVERIFY(requested.first().first().toString().contains(QStringLiteral("Rewrite the following text")));
        QVERIFY(finished.wait(60000));
        QDialog* review = assistant->reviewDialog();
        QVERIFY(review && review->isVisible());
        walkthroughShot(QStringLiteral("2-rewrite-selection"));
        QCOMPARE(review->findChild<QPlainTextEdit*>(QStringLiteral("originalText"))->toPlainText(),
                 QStringLiteral("It was warm there."));
        QCOMPARE(assistant->proposal(),
                 ReplyParts::of(QString::fromStdString(finished.first().first().value<bd3::GenerationFinished>().text)).answer);
        // Nothing changed before accepting; the writer may edit the proposal.
        QCOMPARE(editor->toPlainText(), original);
        review->findChild<QPlainTextEdit*>(QStringLiteral("proposalText"))->setPlainText(QStringLiteral("It felt warm."));
        QTest::mouseClick(review->findChild<QPushButton*>(QStringLiteral("acceptProposal")), Qt::LeftButton);
        QCOMPARE(editor->toPlainText(), QStringLiteral("The cat sat on the mat. It felt warm."));
        QVERIFY(!review->isVisible());
        editor->undo();
        QCOMPARE(editor->toPlainText(), original);
    }

    void instructionsNeedAChatModel()
    {
        open(tinyModel);
        m_window->editor()->setPlainText(QStringLiteral("Some text"));
        m_window->editor()->selectAll();
        QAction* rewrite = m_window->findChild<QAction*>(QStringLiteral("rewriteSelection"));
        QVERIFY(!rewrite->isEnabled());
        QVERIFY(rewrite->toolTip().contains(QStringLiteral("chat template")));
        QVERIFY(!m_window->conversationPanel()->hasChatTemplate());
        QVERIFY(!m_window->conversationPanel()->isVisible());
    }

    void samplingDefaultsSayWhereTheyCameFrom()
    {
        open(chatModel);
        ControlsDock* controls = m_window->controls();
        // small-sdar's generation_config.json sets temperature, top-k and top-p.
        QCOMPARE(controls->samplingParams().temperature, 0.6);
        QVERIFY(controls->defaultsOrigin().contains(QStringLiteral("Temperature, Top-k, Top-p: from the model's "
                                                                   "generation_config.json")));
        QDoubleSpinBox* temperature = nullptr;
        for (QDoubleSpinBox* box : controls->findChildren<QDoubleSpinBox*>())
            if (box->toolTip().startsWith(QStringLiteral("Temperature"))) temperature = box;
        QVERIFY(temperature != nullptr);
        temperature->setValue(1.0);
        QVERIFY(controls->defaultsOrigin().startsWith(QStringLiteral("Top-k, Top-p: from")));
    }

    void aPacedRunShowsTheSameBlockAndStepInEveryView()
    {
        open(tinyModel);
        PaceControl* pace = m_window->paceControl();
        pace->setStepsPerSecond(2);
        QCOMPARE(m_window->controller()->stepsPerSecond(), 2.0);
        QSignalSpy finished(m_window->controller(), &EngineController::generationFinished);
        int checkedSteps = 0;
        QString mismatch;
        connect(m_window->record(), &GenerationRecord::stepAdded, this, [&] {
            // Before the next step is let through (500 ms on), every view
            // has caught up with the step just taken.
            const int block = m_window->record()->blockCount() - 1;
            const int steps = static_cast<int>(m_window->record()->block(block).steps.size());
            QTimer::singleShot(200, this, [&, block, steps] {
                if (m_window->record()->blockCount() - 1 != block ||
                    static_cast<int>(m_window->record()->block(block).steps.size()) != steps)
                    return;  // the engine went on already (a slow machine): nothing to compare
                m_window->plotsPanel()->refreshNow();
                const int plotted = m_window->plotsPanel()->maskedFractionPlot()->graph(0)->dataCount() - 1;
                if (m_window->unmaskingView()->displayedBlock() != block || m_window->unmaskingView()->displayedSteps() != steps ||
                    m_window->timelineView()->shownBlock() != block || m_window->plotsPanel()->shownBlock() != block ||
                    plotted != steps)
                    mismatch = QStringLiteral("at block %1 step %2: unmasking %3/%4, timeline %5, plots %6/%7")
                                   .arg(block).arg(steps)
                                   .arg(m_window->unmaskingView()->displayedBlock()).arg(m_window->unmaskingView()->displayedSteps())
                                   .arg(m_window->timelineView()->shownBlock()).arg(m_window->plotsPanel()->shownBlock())
                                   .arg(plotted);
                if (++checkedSteps == 6) walkthroughShot(QStringLiteral("4-paced-run"));
            });
        });
        m_window->editor()->setPlainText(QStringLiteral("Watch this"));
        m_window->editor()->moveCursor(QTextCursor::End);
        QElapsedTimer clock;
        clock.start();
        m_window->actions()->generate->trigger();
        QVERIFY(m_window->controller()->isGenerating());
        QVERIFY2(finished.wait(60000), qPrintable(QStringLiteral("%1 blocks, %2 checked, %3").arg(m_window->record()->blockCount()).arg(checkedSteps).arg(mismatch)));
        // Two blocks of four steps, half a second apart at the least.
        QVERIFY2(clock.elapsed() >= 7 * 500 - 50, qPrintable(QString::number(clock.elapsed())));
        QTest::qWait(500);
        QVERIFY2(mismatch.isEmpty(), qPrintable(mismatch));
        QVERIFY(checkedSteps > 0);
    }

    void aPacedRunStopsAtOnceAndKeepsItsWork()
    {
        open(tinyModel);
        spinWithTip(m_window->controls(), QStringLiteral("most new tokens"))->setValue(64);
        m_window->editor()->setPlainText(QStringLiteral("Slowly"));
        m_window->editor()->moveCursor(QTextCursor::End);
        QSignalSpy committed(m_window->record(), &GenerationRecord::blockCommitted);
        QSignalSpy finished(m_window->controller(), &EngineController::generationFinished);
        // Ten steps a second at first (sixteen blocks of four steps take six
        // seconds), then one step every two seconds: the pace changes mid-run.
        m_window->paceControl()->setStepsPerSecond(10);
        m_window->actions()->generate->trigger();
        QVERIFY(committed.wait(30000));
        m_window->paceControl()->setStepsPerSecond(0.5);
        QTest::qWait(300);
        QVERIFY(m_window->controller()->isGenerating());
        QElapsedTimer clock;
        clock.start();
        m_window->actions()->stop->trigger();
        QVERIFY(finished.count() == 1 || finished.wait(10000));
        QVERIFY(clock.elapsed() < 1500);
        QCOMPARE(finished.first().first().value<bd3::GenerationFinished>().reason, bd3::StopReason::Cancelled);
        QVERIFY(m_window->editor()->toPlainText().size() > QStringLiteral("Slowly").size());
    }

    void pausingAfterEachStepIsOneOfThePaces()
    {
        open(tinyModel);
        PaceControl* pace = m_window->paceControl();
        QAction* stepMode = m_window->actions()->liveStepMode;
        pace->setCurrentIndex(pace->count() - 1);
        Q_EMIT pace->activated(pace->count() - 1);
        QVERIFY(stepMode->isChecked());
        QVERIFY(m_window->controller()->isLiveStepping());
        stepMode->setChecked(false);
        QCOMPARE(pace->currentIndex(), 0);
        pace->setStepsPerSecond(2);
        stepMode->setChecked(true);
        QCOMPARE(pace->currentIndex(), pace->count() - 1);
        stepMode->setChecked(false);
        QCOMPARE(pace->stepsPerSecond(), 2.0);
        QCOMPARE(m_window->controller()->stepsPerSecond(), 2.0);
    }
};

QTEST_MAIN(WritingToolsTest)
#include "test_writing_tools.moc"
