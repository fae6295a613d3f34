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
    about = makeAction(parent, "about", tr("&About BD3 Studio"), tr("Show the version and what the studio is for."));
}
