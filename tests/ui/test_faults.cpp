// Faults while the studio runs: the disk fills up or turns read-only during a
// save or an autosave, the open model's file is changed on disk, a model too
// large for memory is opened, a second model is opened mid-generation, Stop
// comes at every step of a block, and a storm of parameter changes arrives
// during one generation. No crash, no lost words, a message where the person
// must act.
//
// The disks are small tmpfs mounts made by the test itself, so it runs in a
// private mount namespace (tests/ui/run_in_mount_namespace.sh; ctest does
// that).
#include "sessions/autosave_slot.hpp"
#include "controls_dock.hpp"
#include "generation/engine_controller.hpp"
#include "generation/generation_record.hpp"
#include "main_window.hpp"
#include "studio_actions.hpp"
#include "sessions/studio_session.hpp"
#include "editor/writing_editor.hpp"

#include "test_support.hpp"

#include <QCheckBox>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonObject>
#include <QMessageBox>
#include <QProcess>
#include <QRandomGenerator>
#include <QSignalSpy>
#include <QStatusBar>
#include <QTemporaryDir>
#include <QTest>

#include <filesystem>

namespace {

const QString tinyModel = QStringLiteral(BD3_SOURCE_MODELS_DIR "/tiny-random");
const QString defaultModel = QStringLiteral(BD3_SOURCE_MODELS_DIR "/default");

// A small disk of its own: a tmpfs mounted on a folder (over what it held,
// which comes back when the object goes).
class SmallDisk {
public:
    enum Mode { Writable, ReadOnly };
    explicit SmallDisk(const QString& where, Mode mode = Writable) : m_path(where)
    {
        QDir().mkpath(m_path);
        m_error = run({QStringLiteral("-t"), QStringLiteral("tmpfs"), QStringLiteral("-o"),
                       mode == ReadOnly ? QStringLiteral("ro,size=1m") : QStringLiteral("size=1m"), QStringLiteral("tmpfs"),
                       m_path});
        m_mounted = m_error.isEmpty();
    }
    ~SmallDisk()
    {
        if (m_mounted) QProcess::execute(QStringLiteral("umount"), {QStringLiteral("-l"), m_path});
    }
    SmallDisk(const SmallDisk&) = delete;
    SmallDisk& operator=(const SmallDisk&) = delete;
    QString error() const { return m_error; }
    QString path() const { return m_path; }
    QString filePath(const QString& name) const { return m_path + QLatin1Char('/') + name; }

    // Fills every free byte with one file.
    QString fill() const
    {
        QFile filler(filePath(QStringLiteral("filler")));
        if (!filler.open(QIODevice::WriteOnly | QIODevice::Append)) return filler.errorString();
        const QByteArray chunk(4096, 'x');
        while (filler.write(chunk) == chunk.size() && filler.flush()) {
        }
        return {};
    }
    void makeRoom() const { QFile::remove(filePath(QStringLiteral("filler"))); }
    // Full but for about `bytes`.
    QString fillLeaving(qint64 bytes) const
    {
        if (QString problem = fill(); !problem.isEmpty()) return problem;
        QFile filler(filePath(QStringLiteral("filler")));
        return filler.resize(std::max<qint64>(0, filler.size() - bytes)) ? QString() : filler.errorString();
    }
    QString setReadOnly(bool readOnly) const
    {
        return run({QStringLiteral("-o"), readOnly ? QStringLiteral("remount,ro") : QStringLiteral("remount,rw"), m_path});
    }

private:
    static QString run(const QStringList& arguments)
    {
        QProcess mount;
        mount.start(QStringLiteral("mount"), arguments);
        if (!mount.waitForFinished(10000) || mount.exitCode() != 0)
            return QStringLiteral("mount %1 failed: %2").arg(arguments.join(QLatin1Char(' ')),
                                                            QString::fromLocal8Bit(mount.readAllStandardError()));
        return {};
    }

    QString m_path;
    QString m_error;
    bool m_mounted = false;
};

bool writeFile(const QString& path, const QByteArray& bytes)
{
    QFile file(path);
    return file.open(QIODevice::WriteOnly) && file.write(bytes) == bytes.size();
}

QByteArray readFile(const QString& path)
{
    QFile file(path);
    return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
}

QString readDocument(const QString& sessionPath)
{
    QString problem;
    const auto session = StudioSessionFormat::read(sessionPath, &problem);
    return session ? session->document : QStringLiteral("<unreadable: %1>").arg(problem);
}

} // namespace

class FaultsTest : public QObject {
    Q_OBJECT

private:
    QTemporaryDir m_home;
    std::unique_ptr<MainWindow> m_window;

    void openWindow(const QString& model = tinyModel)
    {
        m_window = std::make_unique<MainWindow>(model);
        m_window->show();
        QSignalSpy loaded(m_window->controller(), &EngineController::modelLoaded);
        if (!m_window->controller()->model()) QVERIFY(loaded.wait(60000));
        for (QCheckBox* box : m_window->controls()->findChildren<QCheckBox*>()) {
            if (box->text() == QStringLiteral("Stop at end of text")) box->setChecked(false);
        }
        m_window->editor()->setPlainText(QStringLiteral("The licence grants you"));
        m_window->editor()->moveCursor(QTextCursor::End);
    }

    void setParameters(int blockSize, int steps, int tokens, const QString& sampler = QStringLiteral("ddpm"))
    {
        QJsonObject parameters = m_window->controls()->parametersJson();
        parameters[QStringLiteral("max_new_tokens")] = tokens;
        parameters[QStringLiteral("stop_at_eos")] = false;
        parameters[QStringLiteral("block_size")] = blockSize;
        parameters[QStringLiteral("steps")] = steps;
        parameters[QStringLiteral("sampler")] = sampler;
        QCOMPARE(m_window->controls()->setParametersJson(parameters), QString());
    }

    void generateAndWait()
    {
        QSignalSpy finished(m_window->controller(), &EngineController::generationFinished);
        m_window->actions()->generate->trigger();
        QVERIFY(finished.wait(60000));
    }

    QString statusMessage() const { return m_window->statusBar()->currentMessage(); }

    // Replaces the document as typing would: one edit, marked unsaved.
    void type(const QString& text)
    {
        QTextCursor cursor = m_window->editor()->textCursor();
        cursor.select(QTextCursor::Document);
        cursor.insertText(text);
    }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_home.isValid());
        qputenv("XDG_CONFIG_HOME", m_home.filePath(QStringLiteral("config")).toUtf8());
        QCoreApplication::setOrganizationName(QStringLiteral("BD3 Studio Tests"));
        QCoreApplication::setApplicationName(QStringLiteral("bd3-studio-fault-tests"));
        const SmallDisk probe(m_home.filePath(QStringLiteral("probe")));
        QVERIFY2(probe.error().isEmpty(),
                 qPrintable(QStringLiteral("this test mounts small disks and must run in a private mount namespace "
                                           "(tests/ui/run_in_mount_namespace.sh): ") +
                            probe.error()));
    }

    void init() { qputenv("XDG_DATA_HOME", m_home.filePath(QStringLiteral("data")).toUtf8()); }
    void cleanup() { m_window.reset(); }

    void saveOnAFullOrReadOnlyDiskKeepsEverything()
    {
        const SmallDisk disk(m_home.filePath(QStringLiteral("save-disk")));
        QVERIFY2(disk.error().isEmpty(), qPrintable(disk.error()));
        openWindow();
        const QString path = disk.filePath(QStringLiteral("story.bd3session"));
        type(QStringLiteral("First draft."));
        QCOMPARE(m_window->saveSessionFile(path), QString());

        const QString second = QStringLiteral("Second draft, written when the disk was full. ") + QString(3000, QLatin1Char('w'));
        type(second);
        QCOMPARE(disk.fill(), QString());
        const QString full = m_window->saveSessionFile(path);
        QVERIFY2(full.contains(QStringLiteral("No space left on device")), qPrintable(full));
        QCOMPARE(m_window->editor()->toPlainText(), second);      // the words are still there
        QVERIFY(m_window->editor()->document()->isModified());    // and still marked unsaved
        QCOMPARE(readDocument(path), QStringLiteral("First draft."));  // the file on disk is whole

        // A little room left: the write is cut short, and the error still
        // says why (not "Unknown error").
        disk.makeRoom();
        QCOMPARE(disk.fillLeaving(16 * 1024), QString());
        type(second + QString(200'000, QLatin1Char('x')));
        const QString almost = m_window->saveSessionFile(path);
        QVERIFY2(almost.contains(QStringLiteral("No space left on device")), qPrintable(almost));
        QCOMPARE(readDocument(path), QStringLiteral("First draft."));
        type(second);

        disk.makeRoom();
        QCOMPARE(disk.setReadOnly(true), QString());
        const QString readOnly = m_window->saveSessionFile(path);
        QVERIFY2(readOnly.contains(QStringLiteral("cannot be written")), qPrintable(readOnly));
        QCOMPARE(m_window->editor()->toPlainText(), second);
        QCOMPARE(readDocument(path), QStringLiteral("First draft."));

        // Saving somewhere else works, with every word.
        const QString elsewhere = m_home.filePath(QStringLiteral("rescued.bd3session"));
        QCOMPARE(m_window->saveSessionFile(elsewhere), QString());
        QCOMPARE(readDocument(elsewhere), second);
        QCOMPARE(disk.setReadOnly(false), QString());
    }

    void autosaveOnAFullOrReadOnlyDiskRecovers()
    {
        const SmallDisk disk(m_home.filePath(QStringLiteral("autosave-disk")));
        QVERIFY2(disk.error().isEmpty(), qPrintable(disk.error()));
        qputenv("XDG_DATA_HOME", disk.path().toUtf8());
        openWindow();
        m_window->setAutosaveInterval(100);
        const QString autosave = m_window->autosavePath();
        QVERIFY2(autosave.startsWith(disk.path()), qPrintable(autosave));

        type(QStringLiteral("Autosaved words."));
        QTRY_COMPARE_WITH_TIMEOUT(readDocument(autosave), QStringLiteral("Autosaved words."), 10000);

        QCOMPARE(disk.fill(), QString());
        const QString later = QStringLiteral("Words typed on a full disk. ") + QString(3000, QLatin1Char('z'));
        type(later);
        QTRY_VERIFY_WITH_TIMEOUT(statusMessage().contains(QStringLiteral("Autosave failed")), 10000);
        QVERIFY2(statusMessage().contains(QStringLiteral("No space left on device")), qPrintable(statusMessage()));
        QCOMPARE(readDocument(autosave), QStringLiteral("Autosaved words."));  // the last good autosave is whole
        QCOMPARE(m_window->editor()->toPlainText(), later);
        disk.makeRoom();
        QTRY_COMPARE_WITH_TIMEOUT(readDocument(autosave), later, 10000);  // retried once there is room

        // The autosave folder turns read-only: a read-only disk is mounted
        // over it (the studio holds its lock file open, so the disk itself
        // cannot be remounted read-only while it runs).
        m_window->statusBar()->clearMessage();
        const QString last = QStringLiteral("Words typed on a read-only disk.");
        {
            const SmallDisk readOnly(QFileInfo(autosave).path(), SmallDisk::ReadOnly);
            QVERIFY2(readOnly.error().isEmpty(), qPrintable(readOnly.error()));
            type(last);
            QTRY_VERIFY_WITH_TIMEOUT(statusMessage().contains(QStringLiteral("Autosave failed")), 10000);
            QVERIFY2(statusMessage().contains(QStringLiteral("Read-only file system")), qPrintable(statusMessage()));
            QCOMPARE(m_window->editor()->toPlainText(), last);
        }
        // Uncovered, the folder still holds a whole autosave (the earlier one,
        // or already the retried one).
        const QString uncovered = readDocument(autosave);
        QVERIFY2(uncovered == later || uncovered == last, qPrintable(uncovered.left(80)));
        QTRY_COMPARE_WITH_TIMEOUT(readDocument(autosave), last, 10000);
        m_window.reset();  // before the disk goes
    }

    // An unreadable autosave is moved aside, never deleted: not even an
    // earlier copy kept aside before is replaced.
    void damagedAutosaveIsKeptAside()
    {
        const QString autosave = AutosaveSlot::pathOf(MainWindow::autosaveFolder(), 0);
        QDir().mkpath(QFileInfo(autosave).path());
        const QString earlier = autosave + QStringLiteral(".damaged");
        QVERIFY(writeFile(earlier, "an earlier damaged copy"));
        QVERIFY(writeFile(autosave, "{\"format\": \"bd3-studio-session\", \"version\": 1, \"document\": {\"text\": \"half a sen"));
        openWindow();
        QCOMPARE(m_window->autosavePath(), autosave);
        QMessageBox* problem = m_window->findChild<QMessageBox*>(QStringLiteral("problemDialog"));
        QVERIFY(problem != nullptr);
        QVERIFY2(problem->text().contains(QStringLiteral("could not be read")), qPrintable(problem->text()));
        QVERIFY2(problem->text().contains(QStringLiteral("autosave.bd3session.damaged-2")), qPrintable(problem->text()));
        QVERIFY(!QFile::exists(autosave));
        QCOMPARE(readFile(earlier), QByteArray("an earlier damaged copy"));
        QVERIFY(readFile(autosave + QStringLiteral(".damaged-2")).contains("half a sen"));  // kept for the person
        QVERIFY(m_window->restoreDialog() == nullptr);
        problem->close();
        m_window.reset();
        QFile::remove(earlier);
        QFile::remove(autosave + QStringLiteral(".damaged-2"));
    }

    // A second studio autosaves too, to a file of its own.
    void aSecondStudioAutosavesToItsOwnFile()
    {
        openWindow();
        auto second = std::make_unique<MainWindow>(tinyModel);
        const QString first = m_window->autosavePath();
        const QString own = second->autosavePath();
        QCOMPARE(first, AutosaveSlot::pathOf(MainWindow::autosaveFolder(), 0));
        QCOMPARE(own, AutosaveSlot::pathOf(MainWindow::autosaveFolder(), 1));
        second->setAutosaveInterval(100);
        second->editor()->setPlainText(QStringLiteral("Words in the second window."));
        QTRY_COMPARE_WITH_TIMEOUT(readDocument(own), QStringLiteral("Words in the second window."), 10000);
        QVERIFY(!QFile::exists(first) || readDocument(first) != QStringLiteral("Words in the second window."));
        second.reset();
        QVERIFY(!QFile::exists(own));  // an orderly end leaves nothing to restore
    }

    void sessionWhoseModelIsGoneOpensWithTheCurrentModel()
    {
        QTemporaryDir dir;
        const QString folder = dir.filePath(QStringLiteral("gone"));
        std::filesystem::copy(tinyModel.toStdString(), folder.toStdString(), std::filesystem::copy_options::recursive);
        openWindow(folder);
        type(QStringLiteral("Words saved with a model that is later deleted."));
        const QString path = dir.filePath(QStringLiteral("orphan.bd3session"));
        QCOMPARE(m_window->saveSessionFile(path), QString());
        m_window.reset();
        std::filesystem::remove_all(folder.toStdString());

        openWindow();
        QCOMPARE(m_window->openSessionFile(path), QString());
        QCOMPARE(m_window->editor()->toPlainText(), QStringLiteral("Words saved with a model that is later deleted."));
        QVERIFY2(statusMessage().contains(QStringLiteral("is not found; the current model stays")), qPrintable(statusMessage()));
        QCOMPARE(m_window->controller()->model()->name, QStringLiteral("tiny-random"));
    }

    void modelFileChangedOnDiskWhileOpen()
    {
        QTemporaryDir dir;
        const std::filesystem::path folder = dir.path().toStdString() + "/model";
        std::filesystem::copy(tinyModel.toStdString(), folder, std::filesystem::copy_options::recursive);
        openWindow(QString::fromStdString(folder.string()));
        setParameters(4, 4, 16);

        std::filesystem::resize_file(folder / "model.safetensors", 64);  // truncated in place
        generateAndWait();
        QCOMPARE(m_window->record()->totalTokens(), 16);
        std::filesystem::remove(folder / "model.safetensors");  // replaced
        QFile garbage(QString::fromStdString((folder / "model.safetensors").string()));
        QVERIFY(garbage.open(QIODevice::WriteOnly));
        garbage.write(QByteArray(4096, '\x7f'));
        garbage.close();
        generateAndWait();
        QCOMPARE(m_window->record()->totalTokens(), 16);

        // Opening it again says what is wrong; the loaded network stays.
        QSignalSpy failed(m_window->controller(), &EngineController::modelLoadFailed);
        m_window->openModel(QString::fromStdString(folder.string()));
        QVERIFY(failed.wait(30000));
        QTRY_VERIFY(m_window->modelErrorDialog() != nullptr);
        QVERIFY2(m_window->modelErrorDialog()->text().contains(QStringLiteral("model.safetensors")),
                 qPrintable(m_window->modelErrorDialog()->text()));
        m_window->modelErrorDialog()->close();
        generateAndWait();
        QCOMPARE(m_window->record()->totalTokens(), 16);
    }

    void modelTooLargeForMemory()
    {
        QTemporaryDir dir;
        const auto folder = bd3::test::makeTooLargeModel(dir.path().toStdString());
        openWindow();
        QSignalSpy failed(m_window->controller(), &EngineController::modelLoadFailed);
        m_window->openModel(QString::fromStdString(folder.string()));
        QVERIFY(failed.wait(30000));
        QTRY_VERIFY(m_window->modelErrorDialog() != nullptr);
        const QString message = m_window->modelErrorDialog()->text();
        QVERIFY2(message.contains(QStringLiteral("of memory, but only")), qPrintable(message));
        QVERIFY2(message.contains(QStringLiteral("still in use")), qPrintable(message));
        m_window->modelErrorDialog()->close();
        setParameters(4, 4, 8);
        generateAndWait();
        QCOMPARE(m_window->record()->totalTokens(), 8);
    }

    void secondModelOpenedWhileGenerating()
    {
        openWindow();
        setParameters(4, 4, 100000);
        QSignalSpy finished(m_window->controller(), &EngineController::generationFinished);
        QSignalSpy loaded(m_window->controller(), &EngineController::modelLoaded);
        m_window->actions()->generate->trigger();
        QTRY_VERIFY_WITH_TIMEOUT(m_window->record()->blockCount() >= 3, 30000);
        m_window->openModel(defaultModel);
        QVERIFY(finished.wait(30000) || finished.count() == 1);
        QCOMPARE(m_window->record()->finished()->reason, bd3::StopReason::Cancelled);
        // The words written so far stay, as one undo step.
        const QString written = m_window->editor()->toPlainText();
        QVERIFY(written.startsWith(QStringLiteral("The licence grants you")));
        QVERIFY(written.size() > QStringLiteral("The licence grants you").size());
        QVERIFY(loaded.wait(60000) || loaded.count() == 1);
        QCOMPARE(m_window->controller()->model()->name, QStringLiteral("default"));
        QCOMPARE(m_window->editor()->toPlainText(), written);
        m_window->editor()->moveCursor(QTextCursor::End);
        setParameters(4, 4, 8);
        generateAndWait();
        QCOMPARE(m_window->record()->totalTokens(), 8);
        QVERIFY(m_window->editor()->toPlainText().startsWith(written));
    }

    void stopAtEveryStepOfABlock()
    {
        openWindow();
        // Top-k confidence reveals the same count at every step, so each
        // block takes exactly `steps` steps (DDPM's count is random).
        const int steps = 4;
        setParameters(8, steps, 64, QStringLiteral("top-k"));
        const QString prompt = m_window->editor()->toPlainText();
        for (int at = 0; at < steps; ++at) {
            m_window->editor()->setPlainText(prompt);
            m_window->editor()->moveCursor(QTextCursor::End);
            // Live step mode holds the worker after each step, so Stop lands
            // exactly after step `at` of the second block.
            m_window->actions()->liveStepMode->setChecked(true);
            QSignalSpy finished(m_window->controller(), &EngineController::generationFinished);
            QSignalSpy stepped(m_window->record(), &GenerationRecord::stepAdded);
            m_window->actions()->generate->trigger();
            const auto reached = [&] {
                const GenerationRecord* record = m_window->record();
                return record->blockCount() == 2 && static_cast<int>(record->block(1).steps.size()) > at;
            };
            // One step at a time: the next is granted only once the last
            // has reached the record.
            while (finished.isEmpty()) {
                const qsizetype seen = stepped.size();
                QTRY_VERIFY_WITH_TIMEOUT(stepped.size() > seen || !finished.isEmpty(), 30000);
                if (reached()) break;
                m_window->controller()->grantStep();
            }
            QVERIFY2(reached(), qPrintable(QStringLiteral("never reached step %1 of block 1").arg(at)));
            m_window->actions()->stop->trigger();
            m_window->actions()->liveStepMode->setChecked(false);
            QVERIFY(finished.wait(30000) || finished.count() == 1);
            const GenerationRecord* record = m_window->record();
            QCOMPARE(record->finished()->reason, bd3::StopReason::Cancelled);
            QCOMPARE(record->block(1).steps.size(), static_cast<size_t>(at + 1));
            // The committed blocks' words are in the editor (a character whose
            // bytes never all came is left out); one undo removes them.
            QString committed;
            for (int b = 0; b < record->blockCount(); ++b) {
                if (record->block(b).commit) committed += QString::fromStdString(record->block(b).commit->text);
            }
            QVERIFY(record->block(0).commit.has_value());
            QCOMPARE(m_window->editor()->toPlainText(), prompt + committed);
            QVERIFY(!m_window->editor()->isReadOnly());
            m_window->editor()->undo();
            QCOMPARE(m_window->editor()->toPlainText(), prompt);
        }
    }

    void stormOfParameterChangesDuringOneGeneration()
    {
        openWindow();
        setParameters(4, 4, 100000);
        QSignalSpy finished(m_window->controller(), &EngineController::generationFinished);
        m_window->actions()->generate->trigger();
        QRandomGenerator random(77);
        const QStringList samplers = {QStringLiteral("ddpm"), QStringLiteral("first-hitting"), QStringLiteral("top-k"),
                                      QStringLiteral("threshold")};
        int refused = 0;
        for (int i = 0; i < 1000; ++i) {
            QJsonObject parameters = m_window->controls()->parametersJson();
            parameters[QStringLiteral("block_size")] = random.bounded(-2, 70);
            parameters[QStringLiteral("steps")] = random.bounded(-2, 40);
            parameters[QStringLiteral("sampler")] = samplers[random.bounded(samplers.size())];
            parameters[QStringLiteral("temperature")] = random.bounded(3.0) - 0.2;
            parameters[QStringLiteral("top_p")] = random.bounded(1.2);
            if (!m_window->controls()->setParametersJson(parameters).isEmpty()) ++refused;
            if (random.bounded(10) == 0) m_window->actions()->restartBlock->trigger();
            if (i % 20 == 0) QCoreApplication::processEvents();
        }
        QVERIFY(m_window->controller()->isGenerating());
        QVERIFY(refused > 0);
        const int blocksAfterStorm = m_window->record()->blockCount();
        QTRY_VERIFY_WITH_TIMEOUT(m_window->record()->blockCount() > blocksAfterStorm + 2, 60000);
        m_window->actions()->stop->trigger();
        QVERIFY(finished.wait(30000) || finished.count() == 1);
        const GenerationRecord* record = m_window->record();
        for (int b = 0; b < record->blockCount(); ++b) {
            try {
                record->block(b).start.params.validate();
            } catch (const std::exception& e) {
                QFAIL(e.what());
            }
        }
        QVERIFY(m_window->editor()->toPlainText().startsWith(QStringLiteral("The licence grants you")));
        QVERIFY(m_window->actions()->generate->isEnabled());
    }
};

QTEST_MAIN(FaultsTest)
#include "test_faults.moc"
