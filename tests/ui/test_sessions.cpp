// Sessions: save and open round trip; newer, older and damaged files get a
// clear message and leave the open document alone; a studio process killed
// with SIGKILL mid-session offers its autosaved text at the next start.
#include "controls_dock.hpp"
#include "generation/engine_controller.hpp"
#include "generation/generation_record.hpp"
#include "main_window.hpp"
#include "teaching/replay_dock.hpp"
#include "exports/studio_exporter.hpp"
#include "views/unmasking_view.hpp"
#include "studio_actions.hpp"
#include "sessions/studio_session.hpp"
#include "editor/writing_editor.hpp"

#include <QAction>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QProcess>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

#include <csignal>

namespace {

const QString tinyModel = QStringLiteral(BD3_SOURCE_MODELS_DIR "/tiny-random");

} // namespace

class SessionsTest : public QObject {
    Q_OBJECT

private:
    QTemporaryDir m_home;

    std::unique_ptr<MainWindow> openWindow()
    {
        auto window = std::make_unique<MainWindow>(tinyModel);
        window->show();
        QSignalSpy loaded(window->controller(), &EngineController::modelLoaded);
        if (!window->controller()->model()) loaded.wait(30000);
        return window;
    }

    void generate(MainWindow& window, int tokens)
    {
        QJsonObject parameters = window.controls()->parametersJson();
        parameters[QStringLiteral("max_new_tokens")] = tokens;
        parameters[QStringLiteral("stop_at_eos")] = false;
        parameters[QStringLiteral("block_size")] = 8;
        parameters[QStringLiteral("steps")] = 3;
        QCOMPARE(window.controls()->setParametersJson(parameters), QString());
        QSignalSpy finished(window.controller(), &EngineController::generationFinished);
        window.actions()->generate->trigger();
        QVERIFY(finished.wait(60000));
    }

    QString writeVariant(const QString& name, const std::function<void(QJsonObject&)>& change, const QString& source)
    {
        QFile in(source);
        if (!in.open(QIODevice::ReadOnly)) return {};
        QJsonObject root = QJsonDocument::fromJson(in.readAll()).object();
        change(root);
        const QString path = m_home.filePath(name);
        QFile out(path);
        if (!out.open(QIODevice::WriteOnly)) return {};
        out.write(QJsonDocument(root).toJson());
        return path;
    }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_home.isValid());
        // A scratch home for settings and the autosave file.
        qputenv("XDG_CONFIG_HOME", m_home.filePath(QStringLiteral("config")).toUtf8());
        qputenv("XDG_DATA_HOME", m_home.filePath(QStringLiteral("data")).toUtf8());
        QCoreApplication::setOrganizationName(QStringLiteral("BD3 Studio Tests"));
        QCoreApplication::setApplicationName(QStringLiteral("bd3-studio-session-tests"));
    }

    void saveAndOpenRoundTrip()
    {
        const QString path = m_home.filePath(QStringLiteral("round.bd3session"));
        QString text;
        QJsonObject parameters;
        std::vector<std::vector<int32_t>> finalTokens;
        {
            auto window = openWindow();
            window->editor()->setPlainText(QStringLiteral("Dear diary, today"));
            window->editor()->moveCursor(QTextCursor::End);
            generate(*window, 24);
            generate(*window, 16);
            text = window->editor()->toPlainText();
            QVERIFY(text.size() > QStringLiteral("Dear diary, today").size());
            parameters = window->controls()->parametersJson();
            const GenerationRecord* record = window->record();
            for (int b = 0; b < record->blockCount(); ++b)
                finalTokens.push_back(record->block(b).tokensAfter(static_cast<int>(record->block(b).steps.size())));
            QCOMPARE(window->saveSessionFile(path), QString());
            QCOMPARE(window->sessionPath(), path);
            QVERIFY(!window->editor()->document()->isModified());
        }
        QString problem;
        const std::optional<StudioSession> session = StudioSessionFormat::read(path, &problem);
        QVERIFY2(session, qPrintable(problem));
        QCOMPARE(session->traces.size(), 2);
        QCOMPARE(session->modelFolder, tinyModel);

        auto window = openWindow();
        window->editor()->setPlainText(QStringLiteral("something else"));
        QJsonObject other = parameters;
        other[QStringLiteral("block_size")] = 2;
        QCOMPARE(window->controls()->setParametersJson(other), QString());
        QCOMPARE(window->openSessionFile(path), QString());
        QCOMPARE(window->editor()->toPlainText(), text);
        QCOMPARE(window->controls()->parametersJson(), parameters);
        // The last generation is back in the record, for replay.
        const GenerationRecord* record = window->record();
        QCOMPARE(record->blockCount(), static_cast<int>(finalTokens.size()));
        for (int b = 0; b < record->blockCount(); ++b)
            QVERIFY(record->block(b).tokensAfter(static_cast<int>(record->block(b).steps.size())) == finalTokens[static_cast<size_t>(b)]);
        QCOMPARE(window->currentSession().traces.size(), 2);
    }

    void badSessionsKeepTheOpenDocument()
    {
        const QString good = m_home.filePath(QStringLiteral("good.bd3session"));
        auto window = openWindow();
        window->editor()->setPlainText(QStringLiteral("Saved words"));
        QCOMPARE(window->saveSessionFile(good), QString());
        window->editor()->setPlainText(QStringLiteral("The open document"));

        const std::pair<QString, QString> cases[] = {
            {writeVariant(QStringLiteral("newer.bd3session"), [](QJsonObject& r) { r[QStringLiteral("version")] = 7; }, good),
             QStringLiteral("newer BD3 Studio")},
            {writeVariant(QStringLiteral("older.bd3session"), [](QJsonObject& r) { r[QStringLiteral("version")] = 0; }, good),
             QStringLiteral("older BD3 Studio")},
            // Larger than any int: a newer format, not "format 0".
            {writeVariant(QStringLiteral("huge.bd3session"), [](QJsonObject& r) { r[QStringLiteral("version")] = 1e20; }, good),
             QStringLiteral("newer BD3 Studio (session format 100000000000000000000)")},
            {writeVariant(QStringLiteral("fraction.bd3session"), [](QJsonObject& r) { r[QStringLiteral("version")] = 1.5; }, good),
             QStringLiteral("format version 1.5 is not a whole number")},
            {writeVariant(QStringLiteral("other.bd3session"), [](QJsonObject& r) { r[QStringLiteral("format")] = 1; }, good),
             QStringLiteral("not a BD3 Studio session")},
            {writeVariant(QStringLiteral("badtrace.bd3session"),
                          [](QJsonObject& r) {
                              r[QStringLiteral("generations")] = QJsonArray{QJsonObject{{QStringLiteral("format"), QStringLiteral("bd3-trace")}}};
                          },
                          good),
             QStringLiteral("generation 1")},
            {writeVariant(QStringLiteral("badparams.bd3session"),
                          [](QJsonObject& r) {
                              QJsonObject p = r[QStringLiteral("parameters")].toObject();
                              p[QStringLiteral("sampler")] = QStringLiteral("magic");
                              r[QStringLiteral("parameters")] = p;
                          },
                          good),
             QStringLiteral("unknown")},
            {m_home.filePath(QStringLiteral("missing.bd3session")), QStringLiteral("cannot be read")},
        };
        for (const auto& [path, expected] : cases) {
            QVERIFY(!path.isEmpty());
            const QString problem = window->openSessionFile(path);
            QVERIFY2(problem.contains(expected), qPrintable(path + QStringLiteral(": ") + problem));
            QCOMPARE(window->editor()->toPlainText(), QStringLiteral("The open document"));
        }
        // A file cut short (a crash while someone else wrote it).
        QFile good2(good);
        QVERIFY(good2.open(QIODevice::ReadOnly));
        const QByteArray bytes = good2.readAll();
        const QString cut = m_home.filePath(QStringLiteral("cut.bd3session"));
        QFile out(cut);
        QVERIFY(out.open(QIODevice::WriteOnly));
        out.write(bytes.left(bytes.size() / 2));
        out.close();
        const QString problem = window->openSessionFile(cut);
        QVERIFY2(problem.contains(QStringLiteral("not valid JSON")), qPrintable(problem));
        QCOMPARE(window->editor()->toPlainText(), QStringLiteral("The open document"));
        QCOMPARE(window->openSessionFile(good), QString());
        QCOMPARE(window->editor()->toPlainText(), QStringLiteral("Saved words"));
    }

    void exportedTraceOpensForReplayInTheWindow()
    {
        const QString trace = m_home.filePath(QStringLiteral("window.json"));
        std::vector<std::vector<int32_t>> finalTokens;
        {
            auto window = openWindow();
            window->editor()->setPlainText(QStringLiteral("In the beginning"));
            window->editor()->moveCursor(QTextCursor::End);
            generate(*window, 20);
            const GenerationRecord* record = window->record();
            for (int b = 0; b < record->blockCount(); ++b)
                finalTokens.push_back(record->block(b).tokensAfter(static_cast<int>(record->block(b).steps.size())));
            QCOMPARE(StudioExporter::writeTrace(trace, *record), QString());
        }
        auto window = openWindow();
        window->editor()->setPlainText(QStringLiteral("My own words"));
        QCOMPARE(window->openTraceFile(trace), QString());
        // The trace replays in the views; the document is left alone.
        QCOMPARE(window->editor()->toPlainText(), QStringLiteral("My own words"));
        const GenerationRecord* record = window->record();
        QVERIFY(record->isImported());
        QCOMPARE(record->blockCount(), static_cast<int>(finalTokens.size()));
        for (int b = 0; b < record->blockCount(); ++b)
            QVERIFY(record->block(b).tokensAfter(static_cast<int>(record->block(b).steps.size())) == finalTokens[static_cast<size_t>(b)]);
        // Step Forward (F10) walks through the first block.
        QCOMPARE(window->replayDock()->block(), 0);
        QCOMPARE(window->replayDock()->steps(), 0);
        window->actions()->stepForward->trigger();
        QCOMPARE(window->replayDock()->steps(), 1);
        QCOMPARE(window->unmaskingView()->displayedSteps(), 1);
        QVERIFY(window->unmaskingView()->isReplaying());

        // A damaged trace changes nothing.
        const QString broken = m_home.filePath(QStringLiteral("broken.json"));
        QFile out(broken);
        QVERIFY(out.open(QIODevice::WriteOnly));
        out.write("{\"format\": \"bd3-trace\", \"version\": 1, \"blocks\": [");
        out.close();
        const QString problem = window->openTraceFile(broken);
        QVERIFY2(problem.contains(QStringLiteral("not valid JSON")), qPrintable(problem));
        QCOMPARE(record->blockCount(), static_cast<int>(finalTokens.size()));
    }

    void killedStudioOffersTheAutosavedText()
    {
        QTemporaryDir scratch;
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert(QStringLiteral("QT_QPA_PLATFORM"), QStringLiteral("offscreen"));
        env.insert(QStringLiteral("XDG_CONFIG_HOME"), scratch.filePath(QStringLiteral("config")));
        env.insert(QStringLiteral("XDG_DATA_HOME"), scratch.filePath(QStringLiteral("data")));
        const QString autosave = scratch.filePath(QStringLiteral("data/BD3 Studio/bd3-studio/autosave.bd3session"));
        const QString words = QStringLiteral("Words typed just before the crash");

        QProcess first;
        first.setProcessEnvironment(env);
        first.start(QStringLiteral(BD3_STUDIO_EXE),
                    {QStringLiteral("--model"), tinyModel, QStringLiteral("--test-type-text"), words,
                     QStringLiteral("--autosave-interval"), QStringLiteral("300")});
        QVERIFY(first.waitForStarted(10000));
        // Wait for the autosave to hold the typed words.
        QTRY_VERIFY_WITH_TIMEOUT(
            [&] {
                QFile file(autosave);
                return file.open(QIODevice::ReadOnly) && file.readAll().contains(words.toUtf8());
            }(),
            60000);
        QCOMPARE(first.state(), QProcess::Running);
        ::kill(static_cast<pid_t>(first.processId()), SIGKILL);
        QVERIFY(first.waitForFinished(10000));
        QCOMPARE(first.exitStatus(), QProcess::CrashExit);
        QVERIFY(QFile::exists(autosave));

        QProcess second;
        second.setProcessEnvironment(env);
        second.start(QStringLiteral(BD3_STUDIO_EXE),
                     {QStringLiteral("--model"), tinyModel, QStringLiteral("--test-report-restore")});
        QVERIFY(second.waitForFinished(90000));
        const QString out = QString::fromUtf8(second.readAllStandardOutput());
        QVERIFY2(second.exitCode() == 0, qPrintable(out + QString::fromUtf8(second.readAllStandardError())));
        QVERIFY2(out.contains(QStringLiteral("restore offered: restoreSessionDialog")), qPrintable(out));
        QVERIFY2(out.contains(words), qPrintable(out));
        QVERIFY2(out.contains(QStringLiteral("document: ") + words), qPrintable(out));
        // Restored and closed in order: nothing is offered again.
        QVERIFY(!QFile::exists(autosave));
    }
};

QTEST_MAIN(SessionsTest)
#include "test_sessions.moc"
