// bd3-studio: write with a block diffusion language model and watch it work.
#include "main_window.hpp"
#include "screenshot_session.hpp"
#include "studio_style.hpp"
#include "studio_translations.hpp"
#include "test_hooks.hpp"

#include <QApplication>
#include <QCommandLineParser>
#include <QTimer>

int main(int argc, char** argv)
{
    QApplication app(argc, argv);
    QApplication::setOrganizationName(QStringLiteral("BD3 Studio"));
    QApplication::setApplicationName(QStringLiteral("bd3-studio"));
    QApplication::setApplicationDisplayName(QStringLiteral("BD3 Studio"));
    QApplication::setApplicationVersion(QStringLiteral(BD3_VERSION));
    StudioTranslations::install(app);
    applyStudioStyle(app);

    QCommandLineParser parser;
    parser.setApplicationDescription(QApplication::translate("main", "A studio for block diffusion language models."));
    parser.addHelpOption();
    parser.addVersionOption();
    parser.addPositionalArgument(QStringLiteral("session"), QApplication::translate("main", "A session file to open."),
                                 QStringLiteral("[session]"));
    const QCommandLineOption model({QStringLiteral("m"), QStringLiteral("model")},
                                   QApplication::translate("main", "Model folder to open."), QStringLiteral("folder"));
    const QCommandLineOption screenshot(QStringLiteral("screenshot"),
                                        QApplication::translate("main", "Generate from --prompt and save a picture of the window mid-generation, then quit."),
                                        QStringLiteral("png"));
    const QCommandLineOption scene(QStringLiteral("screenshot-scene"),
                                   QApplication::translate("main", "What the screenshot shows: live, step or compare."),
                                   QStringLiteral("scene"), QStringLiteral("live"));
    const QCommandLineOption prompt(QStringLiteral("prompt"), QApplication::translate("main", "Text to start the screenshot with."),
                                    QStringLiteral("text"), QStringLiteral("The licence grants you"));
    const QCommandLineOption afterBlocks(QStringLiteral("screenshot-after-blocks"),
                                         QApplication::translate("main", "Blocks to generate before the screenshot."),
                                         QStringLiteral("count"), QStringLiteral("6"));
    parser.addOptions({model, screenshot, scene, prompt, afterBlocks});
    // Test hooks (docs/session-format.md): hidden from --help.
    QCommandLineOption autosaveInterval(QStringLiteral("autosave-interval"), QString(), QStringLiteral("ms"));
    QCommandLineOption typeText(QStringLiteral("test-type-text"), QString(), QStringLiteral("text"));
    QCommandLineOption reportRestore(QStringLiteral("test-report-restore"));
    for (QCommandLineOption* hidden : {&autosaveInterval, &typeText, &reportRestore}) {
        hidden->setFlags(QCommandLineOption::HiddenFromHelp);
        parser.addOption(*hidden);
    }
    parser.process(app);

    MainWindow window(parser.value(model));
    if (parser.isSet(autosaveInterval)) window.setAutosaveInterval(parser.value(autosaveInterval).toInt());
    if (parser.isSet(screenshot))
        new ScreenshotSession(&window, parser.value(prompt), parser.value(screenshot), parser.value(afterBlocks).toInt(),
                              parser.value(scene));
    if (parser.isSet(typeText) || parser.isSet(reportRestore))
        new TestHooks(&window, parser.value(typeText), parser.isSet(reportRestore));
    window.show();
    if (!parser.positionalArguments().isEmpty()) {
        const QString session = parser.positionalArguments().constFirst();
        QTimer::singleShot(0, &window, [&window, session] {
            if (const QString problem = window.openSessionFile(session); !problem.isEmpty())
                std::fprintf(stderr, "bd3-studio: %s\n", qPrintable(problem));
        });
    }
    return QApplication::exec();
}
