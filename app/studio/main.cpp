// bd3-studio: write with a block diffusion language model and watch it work.
#include "main_window.hpp"
#include "screenshot_session.hpp"
#include "studio_style.hpp"

#include <QApplication>
#include <QCommandLineParser>

int main(int argc, char** argv)
{
    QApplication app(argc, argv);
    QApplication::setOrganizationName(QStringLiteral("BD3 Studio"));
    QApplication::setApplicationName(QStringLiteral("bd3-studio"));
    QApplication::setApplicationDisplayName(QStringLiteral("BD3 Studio"));
    QApplication::setApplicationVersion(QStringLiteral(BD3_VERSION));
    applyStudioStyle(app);

    QCommandLineParser parser;
    parser.setApplicationDescription(QApplication::translate("main", "A studio for block diffusion language models."));
    parser.addHelpOption();
    parser.addVersionOption();
    const QCommandLineOption model({QStringLiteral("m"), QStringLiteral("model")},
                                   QApplication::translate("main", "Model folder to open."), QStringLiteral("folder"));
    const QCommandLineOption screenshot(QStringLiteral("screenshot"),
                                        QApplication::translate("main", "Generate from --prompt and save a picture of the window mid-generation, then quit."),
                                        QStringLiteral("png"));
    const QCommandLineOption prompt(QStringLiteral("prompt"), QApplication::translate("main", "Text to start the screenshot with."),
                                    QStringLiteral("text"), QStringLiteral("The licence grants you"));
    const QCommandLineOption afterBlocks(QStringLiteral("screenshot-after-blocks"),
                                         QApplication::translate("main", "Blocks to generate before the screenshot."),
                                         QStringLiteral("count"), QStringLiteral("6"));
    parser.addOptions({model, screenshot, prompt, afterBlocks});
    parser.process(app);

    MainWindow window(parser.value(model));
    if (parser.isSet(screenshot))
        new ScreenshotSession(&window, parser.value(prompt), parser.value(screenshot), parser.value(afterBlocks).toInt());
    window.show();
    return QApplication::exec();
}
