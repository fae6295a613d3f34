#include "studio_actions.hpp"

#include <QAction>
#include <QKeySequence>

namespace {

QAction* makeAction(QObject* parent, const char* name, const QString& text, const QString& whatsThis,
                    const QKeySequence& shortcut = {})
{
    auto* action = new QAction(text, parent);
    action->setObjectName(QLatin1String(name));
    action->setWhatsThis(whatsThis);
    action->setToolTip(whatsThis);
    if (!shortcut.isEmpty()) action->setShortcut(shortcut);
    return action;
}

} // namespace

StudioActions::StudioActions(QObject* parent) : QObject(parent)
{
    openModel = makeAction(parent, "openModel", tr("&Open Model…"),
                           tr("Load a model folder (config.json, model.safetensors and tokenizer files)."),
                           QKeySequence::Open);
    openSession = makeAction(parent, "openSession", tr("Open &Session…"),
                             tr("Open a saved session: the document, its generations, the parameters and the model."),
                             QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_O));
    saveSession = makeAction(parent, "saveSession", tr("&Save Session"),
                             tr("Save the document, its generations, the parameters and the model reference."),
                             QKeySequence::Save);
    saveSessionAs = makeAction(parent, "saveSessionAs", tr("Save Session &As…"),
                               tr("Save the session under a new name."), QKeySequence::SaveAs);
    openTrace = makeAction(parent, "openTrace", tr("Open &Trace…"),
                           tr("Open a generation trace (JSON) to replay its blocks step by step."));
    exportText = makeAction(parent, "exportText", tr("&Text…"), tr("Save the document as plain UTF-8 text."));
    exportTrace = makeAction(parent, "exportTrace", tr("T&race…"),
                             tr("Save the last generation's every step as a JSON trace (docs/trace-format.md)."));
    exportUnmasking = makeAction(parent, "exportUnmasking", tr("&Unmasking View…"),
                                 tr("Save the unmasking view as it is shown, as PNG or SVG."));
    exportTimeline = makeAction(parent, "exportTimeline", tr("Step T&imeline…"),
                                tr("Save the step timeline as PNG or SVG."));
    exportGif = makeAction(parent, "exportGif", tr("Block as Animated &GIF…"),
                           tr("Save the unmasking of the block being replayed as an animated GIF, one frame per step."));
    exportPlots = makeAction(parent, "exportPlots", tr("&Plots…"),
                             tr("Save the three plots as PNG or PDF files."));
    quit = makeAction(parent, "quit", tr("&Quit"), tr("Close the studio."), QKeySequence::Quit);
    generate = makeAction(parent, "generate", tr("&Generate"),
                          tr("Continue the text from the cursor, block by block."), QKeySequence(Qt::CTRL | Qt::Key_Return));
    stop = makeAction(parent, "stop", tr("&Stop"), tr("Stop the generation within one forward pass."),
                      QKeySequence(Qt::Key_Escape));
    restartBlock = makeAction(parent, "restartBlock", tr("&Restart Current Block"),
                              tr("Start the block being denoised over with the current parameters."),
                              QKeySequence(Qt::CTRL | Qt::Key_R));
    tintBySteps = makeAction(parent, "tintBySteps", tr("&Tint Text by Step"),
                             tr("Colour generated text by the denoising step that revealed each token."));
    tintBySteps->setCheckable(true);
    tintBySteps->setChecked(true);
    followLatestBlock = makeAction(parent, "followLatestBlock", tr("&Follow Latest Block"),
                                   tr("Show the block being generated in the timeline and plots."),
                                   QKeySequence(Qt::CTRL | Qt::Key_L));
    stepBack = makeAction(parent, "stepBack", tr("Step &Back"),
                          tr("Replay: go back one denoising step."), QKeySequence(Qt::SHIFT | Qt::Key_F10));
    stepForward = makeAction(parent, "stepForward", tr("Step &Forward"),
                             tr("Replay: show one more denoising step, and explain what it revealed and why."),
                             QKeySequence(Qt::Key_F10));
    playReplay = makeAction(parent, "playReplay", tr("&Play Replay"),
                            tr("Replay: play or pause the unmasking of the chosen block."), QKeySequence(Qt::Key_F9));
    playReplay->setCheckable(true);
    liveStepMode = makeAction(parent, "liveStepMode", tr("Pause After Each &Step"),
                              tr("Live step mode: the generation waits after every denoising step; Step Forward (F10) "
                                 "runs the next one."),
                              QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_P));
    liveStepMode->setCheckable(true);
    compare = makeAction(parent, "compare", tr("&Compare Block Sizes…"),
                         tr("Generate the same prompt at several block sizes, from autoregressive to whole-context "
                            "diffusion, and show them side by side."),
                         QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_K));
    languageSystem = makeAction(parent, "languageSystem", tr("&System Language"),
                                tr("Use the language of the system (takes effect at the next start)."));
    languageEnglish = makeAction(parent, "languageEnglish", QStringLiteral("English"),
                                 tr("Use English (takes effect at the next start)."));
    languageChinese = makeAction(parent, "languageChinese", QStringLiteral("\u7b80\u4f53\u4e2d\u6587"),
                                 tr("Use Simplified Chinese (takes effect at the next start)."));
    for (QAction* action : {languageSystem, languageEnglish, languageChinese}) action->setCheckable(true);
    about = makeAction(parent, "about", tr("&About BD3 Studio"), tr("Show the version and what the studio is for."));
}
