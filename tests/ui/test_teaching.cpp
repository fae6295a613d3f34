// Teaching and exports: step-through and replay of a recorded block with the
// step's decision explained, the block-size comparison on the worker thread,
// and the exports (GIF decoded back with giflib, PNG, SVG, plots).
#include "event_collector.hpp"
#include "compare_dialog.hpp"
#include "generation/engine_controller.hpp"
#include "generation/generation_record.hpp"
#include "views/plots_panel.hpp"
#include "teaching/replay_dock.hpp"
#include "teaching/step_explainer.hpp"
#include "views/step_timeline_view.hpp"
#include "exports/studio_exporter.hpp"
#include "views/unmasking_view.hpp"

#include "bd3/generator.hpp"
#include "bd3/model.hpp"

#include <QFile>
#include <QImage>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

#include <gif_lib.h>

namespace {

const std::string tinyModel = BD3_SOURCE_MODELS_DIR "/tiny-random";

} // namespace

class TeachingTest : public QObject {
    Q_OBJECT

private:
    std::unique_ptr<bd3::Model> m_model;

    void generate(GenerationRecord& record, const bd3::SamplingParams& params, int tokens)
    {
        bd3::GenerationOptions options;
        options.seed = 5;
        options.maxNewTokens = tokens;
        options.stopAtEos = false;
        record.begin({QStringLiteral("Once"), QString::fromStdString(tinyModel), options});
        EventCollector collector;
        bd3::LiveParameters live(params);
        bd3::Generator(*m_model).run("Once", live, options, collector);
        record.apply(collector.events);
    }

private Q_SLOTS:
    void initTestCase() { m_model = bd3::Model::load(tinyModel); }

    void stepModeExplainsEachStep()
    {
        GenerationRecord record;
        bd3::SamplingParams params;
        params.blockSize = 8;
        params.steps = 4;
        params.sampler = bd3::SamplerKind::TopKConfidence;
        params.topAlternatives = 2;
        generate(record, params, 24);
        QVERIFY(record.blockCount() >= 3);

        UnmaskingView view;
        view.setRecord(&record);
        view.resize(700, 300);
        view.show();
        StepTimelineView timeline;
        timeline.setRecord(&record);
        ReplayDock dock;
        dock.setRecord(&record);
        connect(&dock, &ReplayDock::positionChanged, &view, &UnmaskingView::setReplayPosition);

        dock.setPosition(1, 0);
        QVERIFY(view.isReplaying());
        QCOMPARE(view.displayedBlock(), 1);
        QCOMPARE(view.displayedSteps(), 0);
        QVERIFY2(dock.explanation().contains(QStringLiteral("as it starts")), qPrintable(dock.explanation()));
        dock.stepForward();
        QCOMPARE(view.displayedSteps(), 1);
        const bd3::StepDone& first = record.block(1).steps[0];
        const QString text = dock.explanation();
        QVERIFY2(text.contains(QStringLiteral("step 1 of")), qPrintable(text));
        QVERIFY2(text.contains(QStringLiteral("Top-k confidence")), qPrintable(text));
        QVERIFY2(text.contains(QStringLiteral("k = %1").arg(first.reveals.size())), qPrintable(text));
        QVERIFY2(text.contains(QString::number(static_cast<double>(first.reveals[0].probability), 'f', 3)), qPrintable(text));
        // To the end of the block, then on into the next one.
        const int steps = static_cast<int>(record.block(1).steps.size());
        for (int s = 1; s < steps; ++s) dock.stepForward();
        QCOMPARE(view.displayedSteps(), steps);
        dock.stepForward();
        QCOMPARE(view.displayedBlock(), 2);
        QCOMPARE(view.displayedSteps(), 0);
        dock.stepBack();
        QCOMPARE(view.displayedBlock(), 1);
        QCOMPARE(view.displayedSteps(), steps);

        // Play runs through the block at the chosen speed and stops at its end.
        dock.setPosition(0, 0);
        dock.setPlaying(true);
        QVERIFY(dock.isPlaying());
        QTRY_VERIFY_WITH_TIMEOUT(!dock.isPlaying(), 15000);
        QCOMPARE(view.displayedBlock(), 0);
        QCOMPARE(view.displayedSteps(), static_cast<int>(record.block(0).steps.size()));
        view.followLive();
        QVERIFY(!view.isReplaying());
    }

    void explanationsNameEachSamplersRule()
    {
        const std::pair<bd3::SamplerKind, QString> cases[] = {
            {bd3::SamplerKind::Ddpm, QStringLiteral("DDPM")},
            {bd3::SamplerKind::Threshold, QStringLiteral("Threshold 0.50")},
            {bd3::SamplerKind::FirstHitting, QStringLiteral("First hitting")},
        };
        for (const auto& [sampler, expected] : cases) {
            GenerationRecord record;
            bd3::SamplingParams params;
            params.blockSize = 8;
            params.steps = 4;
            params.sampler = sampler;
            params.threshold = 0.5;
            generate(record, params, 8);
            const QString text = StepExplainer::explain(record, 0, 1);
            QVERIFY2(text.contains(expected), qPrintable(text));
        }
    }

    void gifHasOneFramePerStep()
    {
        GenerationRecord record;
        bd3::SamplingParams params;
        params.blockSize = 16;
        params.steps = 6;
        generate(record, params, 32);
        QTemporaryDir dir;
        for (int block = 0; block < 2; ++block) {
            const QString path = dir.filePath(QStringLiteral("block%1.gif").arg(block));
            const QString problem = StudioExporter::writeBlockGif(path, record, block, 640);
            QVERIFY2(problem.isEmpty(), qPrintable(problem));

            int error = 0;
            GifFileType* gif = DGifOpenFileName(QFile::encodeName(path).constData(), &error);
            QVERIFY2(gif, GifErrorString(error));
            QCOMPARE(DGifSlurp(gif), GIF_OK);
            const int steps = static_cast<int>(record.block(block).steps.size());
            QCOMPARE(gif->ImageCount, steps);
            QCOMPARE(gif->SWidth, 640);
            // Every frame has a delay; the frames differ (tokens appear).
            for (int i = 0; i < gif->ImageCount; ++i) {
                GraphicsControlBlock control;
                QCOMPARE(DGifSavedExtensionToGCB(gif, i, &control), GIF_OK);
                QVERIFY(control.DelayTime > 0);
            }
            const size_t pixels = static_cast<size_t>(gif->SWidth) * static_cast<size_t>(gif->SHeight);
            QVERIFY(std::memcmp(gif->SavedImages[0].RasterBits, gif->SavedImages[gif->ImageCount - 1].RasterBits, pixels) != 0);
            DGifCloseFile(gif, &error);
        }
        QVERIFY(!StudioExporter::writeBlockGif(dir.filePath(QStringLiteral("none.gif")), record, 99).isEmpty());
    }

    void viewsAndPlotsExport()
    {
        GenerationRecord record;
        bd3::SamplingParams params;
        generate(record, params, 24);
        UnmaskingView view;
        view.setRecord(&record);
        view.resize(800, 260);
        view.show();
        view.setReplayPosition(2, 2);
        StepTimelineView timeline;
        timeline.setRecord(&record);
        timeline.resize(600, 400);
        PlotsPanel plots;
        plots.setRecord(&record);
        plots.resize(900, 300);
        plots.show();
        QTemporaryDir dir;
        for (const QString& name : {QStringLiteral("view.png"), QStringLiteral("view.svg")}) {
            const QString path = dir.filePath(name);
            QCOMPARE(StudioExporter::writeWidget(path, &view), QString());
            QVERIFY(QFileInfo(path).size() > 1000);
        }
        QCOMPARE(StudioExporter::writeWidget(dir.filePath(QStringLiteral("timeline.svg")), &timeline), QString());
        QFile svg(dir.filePath(QStringLiteral("timeline.svg")));
        QVERIFY(svg.open(QIODevice::ReadOnly));
        QVERIFY(svg.readAll().contains("<svg"));
        QCOMPARE(QImage(dir.filePath(QStringLiteral("view.png"))).size(), QSize(800, 260));

        for (const QString& name : {QStringLiteral("plots.png"), QStringLiteral("plots.pdf")}) {
            QStringList written;
            QCOMPARE(StudioExporter::writePlots(dir.filePath(name), &plots, &written), QString());
            QCOMPARE(written.size(), 3);
            for (const QString& file : written) QVERIFY2(QFileInfo(file).size() > 500, qPrintable(file));
        }
        QVERIFY(!StudioExporter::writePlots(dir.filePath(QStringLiteral("plots.bmp")), &plots).isEmpty());
        QCOMPARE(StudioExporter::writeText(dir.filePath(QStringLiteral("a.txt")), QStringLiteral("Grüße")), QString());
        QFile text(dir.filePath(QStringLiteral("a.txt")));
        QVERIFY(text.open(QIODevice::ReadOnly));
        QCOMPARE(QString::fromUtf8(text.readAll()), QStringLiteral("Grüße"));
    }

    void liveStepModeWaitsOnTheWorkerForEachStep()
    {
        GenerationRecord record;
        EngineController controller(&record);
        QSignalSpy loaded(&controller, &EngineController::modelLoaded);
        controller.loadModel(QString::fromStdString(tinyModel), bd3::LoadOptions{});
        QVERIFY(loaded.wait(30000));
        bd3::SamplingParams params;
        params.blockSize = 4;
        params.steps = 4;
        bd3::GenerationOptions options;
        options.maxNewTokens = 8;
        options.stopAtEos = false;
        controller.setLiveStepping(true);
        QVERIFY(controller.isLiveStepping());
        QSignalSpy steps(&record, &GenerationRecord::stepAdded);
        QSignalSpy finished(&controller, &EngineController::generationFinished);
        QCOMPARE(controller.generate(QStringLiteral("Once"), params, options), QString());
        // One step, then the worker waits; the UI thread goes on (this loop runs).
        QTRY_COMPARE_WITH_TIMEOUT(steps.count(), 1, 10000);
        QTest::qWait(300);
        QCOMPARE(steps.count(), 1);
        QVERIFY(controller.isGenerating());
        controller.grantStep();
        QTRY_COMPARE_WITH_TIMEOUT(steps.count(), 2, 10000);
        QTest::qWait(200);
        QCOMPARE(steps.count(), 2);
        // Open the gate: the rest runs through.
        controller.setLiveStepping(false);
        QVERIFY(finished.wait(30000));
        QCOMPARE(record.totalTokens(), 8);

        // Stop while waiting at the gate ends the generation at once.
        controller.setLiveStepping(true);
        QCOMPARE(controller.generate(QStringLiteral("Once"), params, options), QString());
        QTRY_VERIFY_WITH_TIMEOUT(record.blockCount() > 0 && !record.block(0).steps.empty(), 10000);
        controller.stop();
        QVERIFY(finished.wait(10000));
        QCOMPARE(record.finished()->reason, bd3::StopReason::Cancelled);
        controller.setLiveStepping(false);
    }

    void compareRunsEachBlockSizeOnTheWorker()
    {
        GenerationRecord record;
        EngineController controller(&record);
        QSignalSpy loaded(&controller, &EngineController::modelLoaded);
        controller.loadModel(QString::fromStdString(tinyModel), bd3::LoadOptions{});
        QVERIFY(loaded.wait(30000));
        const int context = controller.model()->contextLength;
        QCOMPARE(CompareDialog::parseBlockSizes(QStringLiteral("1, 4,16, context"), context),
                 (std::vector<int>{1, 4, 16, context}));
        QVERIFY(CompareDialog::parseBlockSizes(QStringLiteral("1, x"), context).empty());
        QVERIFY(CompareDialog::parseBlockSizes(QStringLiteral("0"), context).empty());

        CompareDialog dialog(&controller);
        bd3::SamplingParams params;
        params.steps = 4;
        bd3::GenerationOptions options;
        options.seed = 3;
        options.stopAtEos = false;
        dialog.setup(QStringLiteral("Once upon a time"), params, options, context);
        dialog.show();
        QSignalSpy finished(&dialog, &CompareDialog::finished);
        QCOMPARE(dialog.run(), QString());
        QVERIFY(controller.isComparing());
        QVERIFY(!controller.generate(QStringLiteral("x"), params, options).isEmpty());
        QVERIFY(finished.wait(120000));
        QCOMPARE(dialog.columnCount(), 4);
        // 64 tokens: one NFE per token at block size 1, at most 4 per block after.
        QVERIFY2(dialog.summary(0).contains(QStringLiteral("64 NFEs")), qPrintable(dialog.summary(0)));
        const auto nfes = [&dialog](int column) {
            const QString summary = dialog.summary(column);
            const qsizetype at = summary.indexOf(QStringLiteral(" NFEs"));
            return summary.left(at).section(QLatin1Char(' '), -1).toInt();
        };
        // Block size 16 at 4 steps: at most 4 passes per block of up to 16 tokens.
        QVERIFY2(nfes(2) > 0 && nfes(2) <= 4 * (64 / 16 + 1), qPrintable(dialog.summary(2)));
        QVERIFY(nfes(3) <= nfes(2));
        for (int c = 0; c < 4; ++c) {
            QVERIFY2(dialog.summary(c).contains(QStringLiteral("64 tokens")), qPrintable(dialog.summary(c)));
            QVERIFY(!dialog.text(c).isEmpty());
        }
        QCOMPARE(record.blockCount(), 0);  // the comparison leaves the record alone
    }
};

QTEST_MAIN(TeachingTest)
#include "test_teaching.moc"
