// The unmasking view, the step timeline and the plots panel, fed a record of
// synthetic events (three blocks, one of which starts over): playback, the
// strip's clicks, block choice, the plotted data and what gets drawn.
#include "generation/generation_record.hpp"
#include "views/plots_panel.hpp"
#include "views/step_palette.hpp"
#include "views/step_timeline_view.hpp"
#include "views/unmasking_view.hpp"

#include <QHelpEvent>
#include <QImage>
#include <QSet>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QToolTip>
#include <QtTest>

#include <memory>
#include <utility>
#include <vector>

namespace {

constexpr int32_t kMask = 99;

bd3::BlockStarted started(int32_t block, int32_t length, int32_t prefix, int32_t steps)
{
    bd3::BlockStarted event;
    event.block = block;
    event.startPosition = 8 + 4 * block;
    event.length = length;
    event.cleanPrefix = prefix;
    event.tokens.assign(static_cast<size_t>(length), kMask);
    for (int32_t i = 0; i < prefix; ++i) event.tokens[static_cast<size_t>(i)] = 10 + i;
    event.params.blockSize = length;
    event.params.steps = steps;
    return event;
}

bd3::Reveal reveal(int32_t offset, int32_t token, float probability, float entropy = 0.5F)
{
    bd3::Reveal r;
    r.offset = offset;
    r.token = token;
    r.probability = probability;
    r.entropy = entropy;
    return r;
}

bd3::StepDone step(int32_t block, int32_t index, std::vector<bd3::Reveal> reveals, int32_t remaining, double expected,
                   bool forwardRan = true)
{
    bd3::StepDone event;
    event.block = block;
    event.step = index;
    event.reveals = std::move(reveals);
    event.forwardRan = forwardRan;
    event.maskedRemaining = remaining;
    event.expectedMasked = expected;
    event.forwardMs = 1.0;
    return event;
}

bd3::BlockCommitted committed(int32_t block, std::vector<int32_t> tokens, int32_t nfe, double milliseconds)
{
    bd3::BlockCommitted event;
    event.block = block;
    event.tokens = std::move(tokens);
    event.nfe = nfe;
    event.milliseconds = milliseconds;
    event.text = "text";
    return event;
}

// Block 0: four positions, one of them a clean prefix, three steps; the
// second step reveals nothing and the third reuses the output.
std::vector<EngineEvent> block0()
{
    bd3::Reveal withAlternatives = reveal(2, 1, 0.9F, 0.3F);
    withAlternatives.alternatives = {{1, 0.9F}, {2, 0.05F}};
    return {started(0, 4, 1, 3),
            step(0, 0, {withAlternatives}, 2, 2.0),
            step(0, 1, {}, 2, 1.0),
            step(0, 2, {reveal(1, 2, 0.6F, 1.0F), reveal(3, 3, 0.8F, 0.7F)}, 0, 0.0, false),
            committed(0, {10, 2, 1, 3}, 2, 10.0)};
}

// Block 1 before its restart: two planned steps, one run.
std::vector<EngineEvent> block1BeforeRestart()
{
    return {started(1, 4, 0, 2), step(1, 0, {reveal(0, 4, 0.7F)}, 3, 2.0)};
}

// Block 1 again with four steps.
std::vector<EngineEvent> block1()
{
    return {started(1, 4, 0, 4),
            step(1, 0, {reveal(0, 5, 1.0F)}, 3, 3.0),
            step(1, 1, {reveal(1, 6, 0.5F), reveal(2, 7, 0.7F)}, 1, 2.0),
            step(1, 2, {}, 1, 1.0),
            step(1, 3, {reveal(3, 8, 0.9F)}, 0, 0.0),
            committed(1, {5, 6, 7, 8}, 3, 20.0)};
}

// Block 2: two steps of two sure reveals each (probability 1: pure step colours).
std::vector<EngineEvent> block2()
{
    bd3::GenerationFinished finished;
    finished.newTokens = 11;
    finished.blocks = 3;
    finished.nfe = 7;
    return {started(2, 4, 0, 2),
            step(2, 0, {reveal(0, 9, 1.0F), reveal(1, 10, 1.0F)}, 2, 2.0),
            step(2, 1, {reveal(2, 11, 1.0F), reveal(3, 12, 1.0F)}, 0, 0.0),
            committed(2, {9, 10, 11, 12}, 2, 8.0),
            finished};
}

std::vector<EngineEvent> allEvents()
{
    std::vector<EngineEvent> events;
    for (const auto& part : {block0(), block1BeforeRestart(), block1(), block2()})
        events.insert(events.end(), part.begin(), part.end());
    return events;
}

void setVocabulary(GenerationRecord& record)
{
    auto pieces = std::make_shared<QStringList>();
    for (int i = 0; i < 20; ++i) pieces->append(QStringLiteral("tok%1").arg(i));
    (*pieces)[3] = QStringLiteral(" the");
    record.setVocabulary(pieces, kMask);
}

QSet<QRgb> colours(const QImage& image)
{
    QSet<QRgb> result;
    const QImage rgb = image.convertToFormat(QImage::Format_RGB32);
    for (int y = 0; y < rgb.height(); ++y) {
        const auto* line = reinterpret_cast<const QRgb*>(rgb.constScanLine(y));
        for (int x = 0; x < rgb.width(); ++x) result.insert(line[x] | 0xff000000U);
    }
    return result;
}

// Saves the widget's picture and reads it back: a real, non-flat image.
void checkGrab(QWidget& widget, const QString& path)
{
    QVERIFY(widget.grab().save(path));
    const QImage image(path);
    QVERIFY(!image.isNull());
    QVERIFY(image.width() > 100 && image.height() > 80);
    QVERIFY2(colours(image).size() > 8, qPrintable(path));
}

} // namespace

class TestViews : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void unmaskingPlaysEveryStep();
    void unmaskingJumpsWhenFarBehindAndFollowsRestarts();
    void unmaskingStripClickSelectsBlock();
    void timelineShowsChosenBlockAndFollows();
    void plotsShowTheRecord();
    void plotsRedrawsAreCoalesced();
    void throughputGroupsBlocksOfALongGeneration();
    void viewsDrawSomething();
};

// Waits for the playback to reach `target`, noting every position it shows
// on the way (a frame lasts 16 ms; the polling is far quicker).
std::vector<std::pair<int, int>> playUntil(const UnmaskingView& view, std::pair<int, int> target)
{
    std::vector<std::pair<int, int>> seen{{view.displayedBlock(), view.displayedSteps()}};
    QElapsedTimer timer;
    timer.start();
    while (seen.back() != target && timer.elapsed() < 5000) {
        QTest::qWait(2);
        const std::pair<int, int> now{view.displayedBlock(), view.displayedSteps()};
        if (now != seen.back()) seen.push_back(now);
    }
    return seen;
}

void TestViews::unmaskingPlaysEveryStep()
{
    GenerationRecord record;
    setVocabulary(record);
    UnmaskingView view;
    view.resize(640, 200);
    view.setRecord(&record);
    view.show();
    QVERIFY(QTest::qWaitForWindowExposed(&view));

    record.apply(block0());
    // Nothing is shown before the first frame: playback runs at display rate.
    QCOMPARE(view.displayedBlock(), -1);
    std::vector<std::pair<int, int>> expected{{-1, 0}, {0, 0}, {0, 1}, {0, 2}, {0, 3}};
    QCOMPARE(playUntil(view, {0, 3}), expected);

    // The next block arrives whole, with a restart: still every step, once.
    record.apply(block1BeforeRestart());
    record.apply(block1());
    expected = {{0, 3}, {1, 0}, {1, 1}, {1, 2}, {1, 3}, {1, 4}};
    QCOMPARE(playUntil(view, {1, 4}), expected);

    record.apply(block2());
    expected = {{1, 4}, {2, 0}, {2, 1}, {2, 2}};
    QCOMPARE(playUntil(view, {2, 2}), expected);
}

void TestViews::unmaskingJumpsWhenFarBehindAndFollowsRestarts()
{
    GenerationRecord record;
    setVocabulary(record);
    UnmaskingView view;
    view.resize(640, 200);
    view.setRecord(&record);
    view.show();
    QVERIFY(QTest::qWaitForWindowExposed(&view));

    record.apply(block0());
    record.apply(block1BeforeRestart());
    QTRY_COMPARE(view.displayedBlock(), 1);
    QTRY_COMPARE(view.displayedSteps(), 1);

    // The block starts over: the steps shown go back with it.
    const std::vector<EngineEvent> again = block1();
    record.apply({again.front()});
    QCOMPARE(record.block(1).restarts, 1);
    QCOMPARE(view.displayedBlock(), 1);
    QCOMPARE(view.displayedSteps(), 0);
    record.apply({again.begin() + 1, again.end()});
    QTRY_COMPARE(view.displayedSteps(), 4);

    // A new generation whose first two blocks arrive before the next frame.
    record.clear();
    QCOMPARE(view.displayedBlock(), -1);
    record.apply(block0());
    QTRY_COMPARE(view.displayedSteps(), 3);
    QCOMPARE(view.displayedBlock(), 0);
    record.apply(block1BeforeRestart());
    record.apply(block1());
    QCOMPARE(view.displayedBlock(), 0);  // one block behind: plays on
    record.apply(block2());
    // Two behind: straight to the newest block, from its first step.
    QCOMPARE(view.displayedBlock(), 2);
    QCOMPARE(view.displayedSteps(), 0);
    QTRY_COMPARE(view.displayedSteps(), 2);
}

void TestViews::unmaskingStripClickSelectsBlock()
{
    GenerationRecord record;
    setVocabulary(record);
    UnmaskingView view;
    view.resize(640, 200);
    view.setRecord(&record);
    view.show();
    QVERIFY(QTest::qWaitForWindowExposed(&view));
    record.apply(allEvents());
    QTRY_COMPARE(view.displayedBlock(), 2);
    QTRY_COMPARE(view.displayedSteps(), 2);

    QSignalSpy selected(&view, &UnmaskingView::blockSelected);
    for (int block : {1, 0, 2}) {
        const QRect rect = view.stripRect(block);
        QVERIFY(!rect.isEmpty());
        QTest::mouseClick(&view, Qt::LeftButton, {}, rect.center());
        QCOMPARE(selected.count(), 1);
        QCOMPARE(selected.takeFirst().at(0).toInt(), block);
    }
    // A click beside the strip selects nothing.
    QTest::mouseClick(&view, Qt::LeftButton, {}, QPoint(view.width() - 5, view.height() - 5));
    QCOMPARE(selected.count(), 0);
}

void TestViews::timelineShowsChosenBlockAndFollows()
{
    GenerationRecord record;
    setVocabulary(record);
    StepTimelineView view;
    view.resize(560, 300);
    view.setRecord(&record);
    view.show();
    QVERIFY(QTest::qWaitForWindowExposed(&view));
    QCOMPARE(view.shownBlock(), -1);

    record.apply(block0());
    QCOMPARE(view.shownBlock(), 0);
    record.apply(block1BeforeRestart());
    QCOMPARE(view.shownBlock(), 1);
    QVERIFY(view.followsLatest());

    // Chosen, it stays while later blocks arrive.
    view.setBlock(0);
    record.apply(block1());
    record.apply(block2());
    QCOMPARE(view.shownBlock(), 0);
    QVERIFY(!view.followsLatest());

    view.setBlock(2);
    QCOMPARE(view.shownBlock(), 2);
    // Block 2's reveals are sure ones, drawn in the pure step colours.
    const QSet<QRgb> drawn = colours(view.grab().toImage());
    QVERIFY(drawn.contains(StepPalette::stepColor(0, 2).rgb()));
    QVERIFY(drawn.contains(StepPalette::stepColor(1, 2).rgb()));

    // The tooltip of the first cell of step 1 names its token and numbers.
    const QImage picture = view.grab().toImage().convertToFormat(QImage::Format_RGB32);
    QPoint cell(-1, -1);
    for (int y = 0; y < picture.height() && cell.x() < 0; ++y) {
        for (int x = 0; x < picture.width(); ++x) {
            if (picture.pixel(x, y) == StepPalette::stepColor(0, 2).rgb()) {
                cell = QPoint(x + 2, y + 2);
                break;
            }
        }
    }
    QVERIFY(cell.x() >= 0);
    QHelpEvent help(QEvent::ToolTip, cell, view.mapToGlobal(cell));
    QApplication::sendEvent(&view, &help);
    QTRY_VERIFY(QToolTip::isVisible());
    QVERIFY2(QToolTip::text().contains(QStringLiteral("tok9")), qPrintable(QToolTip::text()));
    QVERIFY(QToolTip::text().contains(QStringLiteral("1.000")));
    QToolTip::hideText();

    view.setBlock(1);
    QCOMPARE(view.shownBlock(), 1);
    QVERIFY(colours(view.grab().toImage()).contains(StepPalette::stepColor(0, 4).rgb()));

    view.followLatest();
    QCOMPARE(view.shownBlock(), 2);
    QVERIFY(view.followsLatest());

    // A new generation: following again, nothing shown.
    view.setBlock(1);
    record.clear();
    QVERIFY(view.followsLatest());
    QCOMPARE(view.shownBlock(), -1);
}

void TestViews::plotsShowTheRecord()
{
    GenerationRecord record;
    setVocabulary(record);
    PlotsPanel panel;
    panel.resize(900, 600);
    panel.setRecord(&record);
    panel.show();
    QVERIFY(QTest::qWaitForWindowExposed(&panel));
    record.apply(allEvents());

    // The newest block: two steps, so three points from step 0.
    QCPGraph* observed = panel.maskedFractionPlot()->graph(0);
    QCPGraph* expected = panel.maskedFractionPlot()->graph(1);
    QTRY_COMPARE(observed->dataCount(), 3);
    QCOMPARE(expected->dataCount(), 3);
    const std::vector<std::pair<double, double>> newest{{0, 1.0}, {1, 0.5}, {2, 0.0}};
    for (int i = 0; i < 3; ++i) {
        QCOMPARE(observed->dataMainKey(i), newest[static_cast<size_t>(i)].first);
        QCOMPARE(observed->dataMainValue(i), newest[static_cast<size_t>(i)].second);
    }

    // Block 0: three masked at the start; the schedule asked for 2, 1, 0.
    panel.setBlock(0);
    QCOMPARE(panel.shownBlock(), 0);
    QTRY_COMPARE(observed->dataCount(), 4);
    const std::vector<double> observedValues{1.0, 2.0 / 3, 2.0 / 3, 0.0};
    const std::vector<double> expectedValues{1.0, 2.0 / 3, 1.0 / 3, 0.0};
    for (int i = 0; i < 4; ++i) {
        QCOMPARE(observed->dataMainKey(i), static_cast<double>(i));
        QCOMPARE(observed->dataMainValue(i), observedValues[static_cast<size_t>(i)]);
        QCOMPARE(expected->dataMainValue(i), expectedValues[static_cast<size_t>(i)]);
    }
    // Confidence and entropy: the step revealing nothing has no point.
    QCPGraph* confidence = panel.confidencePlot()->graph(0);
    QCPGraph* entropy = panel.confidencePlot()->graph(1);
    QCOMPARE(confidence->dataCount(), 2);
    QCOMPARE(confidence->dataMainKey(0), 1.0);
    QCOMPARE(confidence->dataMainKey(1), 3.0);
    QCOMPARE(confidence->dataMainValue(0), static_cast<double>(0.9F));
    QCOMPARE(confidence->dataMainValue(1), (static_cast<double>(0.6F) + static_cast<double>(0.8F)) / 2);
    QCOMPARE(entropy->dataMainValue(1), (1.0 + static_cast<double>(0.7F)) / 2);
    QCOMPARE(entropy->valueAxis(), panel.confidencePlot()->yAxis2);

    // Throughput: one point and one bar per committed block.
    QCPBars* nfe = panel.nfeBars();
    QCOMPARE(nfe->dataCount(), 3);
    const std::vector<double> nfes{2, 3, 2};
    for (int i = 0; i < 3; ++i) {
        QCOMPARE(nfe->dataMainKey(i), static_cast<double>(i + 1));
        QCOMPARE(nfe->dataMainValue(i), nfes[static_cast<size_t>(i)]);
    }
    QCPGraph* rate = panel.throughputPlot()->graph(0);
    QCOMPARE(rate->dataCount(), 3);
    QCOMPARE(rate->dataMainValue(0), 3 / 0.010);  // block 0: three new tokens in 10 ms
    QCOMPARE(rate->dataMainValue(1), 4 / 0.020);
    QCOMPARE(rate->dataMainValue(2), 4 / 0.008);

    panel.followLatest();
    QCOMPARE(panel.shownBlock(), 2);
    QTRY_COMPARE(observed->dataCount(), 3);

    record.clear();
    QTRY_COMPARE(observed->dataCount(), 0);
    QCOMPARE(nfe->dataCount(), 0);
}

// A long generation's throughput is drawn as groups of blocks, so a redraw
// costs the same at block 250 as at block 25: 250 blocks in groups of 3
// (at most 120 bars), each group's rate its tokens over its time.
void TestViews::throughputGroupsBlocksOfALongGeneration()
{
    GenerationRecord record;
    setVocabulary(record);
    PlotsPanel panel;
    panel.setRecord(&record);
    std::vector<EngineEvent> events;
    for (int32_t b = 0; b < 250; ++b) {
        const std::vector<EngineEvent> block{
            started(b, 4, 0, 1),
            step(b, 0, {reveal(0, 5, 1.0F), reveal(1, 6, 1.0F), reveal(2, 7, 1.0F), reveal(3, 8, 1.0F)}, 0, 0.0),
            committed(b, {5, 6, 7, 8}, 1 + b % 3, 10.0 * (1 + b % 2))};
        events.insert(events.end(), block.begin(), block.end());
    }
    record.apply(events);
    panel.refreshNow();

    QCPBars* nfe = panel.nfeBars();
    QCPGraph* rate = panel.throughputPlot()->graph(0);
    QCOMPARE(nfe->dataCount(), 84);  // 83 groups of 3 and one of 1
    QCOMPARE(rate->dataCount(), 84);
    // Blocks 1-3 (b = 0, 1, 2): NFEs 1, 2, 3; 12 tokens in 10 + 20 + 10 ms.
    QCOMPARE(nfe->dataMainKey(0), 2.0);
    QCOMPARE(nfe->dataMainValue(0), 2.0);
    QCOMPARE(rate->dataMainValue(0), 12 / 0.040);
    // The last group is block 250 alone (b = 249): NFE 1, 4 tokens in 20 ms.
    QCOMPARE(nfe->dataMainKey(83), 250.0);
    QCOMPARE(nfe->dataMainValue(83), 1.0);
    QCOMPARE(rate->dataMainValue(83), 4 / 0.020);
    QCOMPARE(nfe->width(), 1.8);
}

void TestViews::plotsRedrawsAreCoalesced()
{
    GenerationRecord record;
    setVocabulary(record);
    PlotsPanel panel;
    panel.resize(900, 600);
    panel.setRecord(&record);
    panel.show();
    QVERIFY(QTest::qWaitForWindowExposed(&panel));
    QTest::qWait(250);  // the first draw

    int replots = 0;
    for (QCustomPlot* plot : {panel.maskedFractionPlot(), panel.confidencePlot(), panel.throughputPlot()})
        connect(plot, &QCustomPlot::afterReplot, this, [&replots] { ++replots; });
    // Every event on its own, as a slow engine sends them.
    int events = 0;
    for (const EngineEvent& event : allEvents()) {
        record.apply({event});
        ++events;
    }
    QVERIFY(events > 15);
    QTRY_COMPARE(panel.maskedFractionPlot()->graph(0)->dataCount(), 3);
    QTest::qWait(250);
    // One redraw of each plot for the whole burst, not one per event.
    QVERIFY2(replots <= 3, qPrintable(QString::number(replots)));
}

void TestViews::viewsDrawSomething()
{
    GenerationRecord record;
    setVocabulary(record);
    UnmaskingView unmasking;
    StepTimelineView timeline;
    PlotsPanel plots;
    unmasking.resize(640, 200);
    timeline.resize(560, 300);
    plots.resize(900, 600);
    for (QWidget* view : std::initializer_list<QWidget*>{&unmasking, &timeline, &plots}) view->show();
    unmasking.setRecord(&record);
    timeline.setRecord(&record);
    plots.setRecord(&record);
    QVERIFY(QTest::qWaitForWindowExposed(&plots));

    record.apply(block0());
    record.apply(block1BeforeRestart());
    QTRY_COMPARE(unmasking.displayedSteps(), 1);
    QTest::qWait(250);

    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    checkGrab(unmasking, dir.filePath(QStringLiteral("unmasking.png")));
    checkGrab(timeline, dir.filePath(QStringLiteral("timeline.png")));
    checkGrab(plots, dir.filePath(QStringLiteral("plots.png")));
    // The revealed cell of the sure first step shows in its step colour.
    record.apply(block1());
    QTRY_COMPARE(unmasking.displayedSteps(), 4);
    QVERIFY(colours(unmasking.grab().toImage()).contains(StepPalette::stepColor(0, 4).rgb()));
}

QTEST_MAIN(TestViews)
#include "test_views.moc"
