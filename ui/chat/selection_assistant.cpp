#include "chat/selection_assistant.hpp"

#include "chat/conversation.hpp"

#include "bd3/error.hpp"

#include <QAction>
#include <QDialog>
#include <QDialogButtonBox>
#include <QGridLayout>
#include <QInputDialog>
#include <QLabel>
#include <QLineEdit>
#include <QMenu>
#include <QPlainTextEdit>
#include <QPushButton>

SelectionAssistant::SelectionAssistant(QPlainTextEdit* editor, QWidget* dialogParent)
    : QObject(dialogParent), m_editor(editor), m_dialogParent(dialogParent),
      m_rewrite(new QAction(tr("&Rewrite Selection"), this)), m_shorten(new QAction(tr("S&horten Selection"), this)),
      m_continue(new QAction(tr("Continue in This St&yle"), this)),
      m_custom(new QAction(tr("&Instruction on Selection…"), this))
{
    m_rewrite->setObjectName(QStringLiteral("rewriteSelection"));
    m_shorten->setObjectName(QStringLiteral("shortenSelection"));
    m_continue->setObjectName(QStringLiteral("continueSelectionStyle"));
    m_custom->setObjectName(QStringLiteral("instructSelection"));
    m_custom->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_I));
    for (QAction* action : actions())
        action->setStatusTip(tr("Ask the chat model about the selected text; its proposal is shown beside the "
                                "original before anything changes"));
    connect(m_rewrite, &QAction::triggered, this, [this] { ask(Instruction::Rewrite); });
    connect(m_shorten, &QAction::triggered, this, [this] { ask(Instruction::Shorten); });
    connect(m_continue, &QAction::triggered, this, [this] { ask(Instruction::ContinueInStyle); });
    connect(m_custom, &QAction::triggered, this, &SelectionAssistant::askCustom);
    connect(m_editor, &QPlainTextEdit::selectionChanged, this, &SelectionAssistant::updateActions);
    // The editor's own context menu, with the instructions under it.
    m_editor->setContextMenuPolicy(Qt::CustomContextMenu);
    connect(m_editor, &QWidget::customContextMenuRequested, this, [this](const QPoint& at) {
        std::unique_ptr<QMenu> menu(m_editor->createStandardContextMenu(at));
        menu->addSeparator();
        menu->addActions(actions());
        menu->exec(m_editor->viewport()->mapToGlobal(at));
    });
    updateActions();
}

QList<QAction*> SelectionAssistant::actions() const { return {m_rewrite, m_shorten, m_continue, m_custom}; }

void SelectionAssistant::setChatTemplate(std::shared_ptr<const bd3::ChatTemplate> chat)
{
    m_chat = std::move(chat);
    updateActions();
}

QString SelectionAssistant::instructionText(Instruction instruction, const QString& custom)
{
    // Written to the model in English, the language these models follow best.
    switch (instruction) {
    case Instruction::Rewrite:
        return QStringLiteral("Rewrite the following text so that it reads better, keeping its meaning and its "
                              "language. Reply with the rewritten text only.");
    case Instruction::Shorten:
        return QStringLiteral("Shorten the following text to about half its length, keeping what matters most. "
                              "Reply with the shortened text only.");
    case Instruction::ContinueInStyle:
        return QStringLiteral("Continue the following text in the same style and voice. Reply with the "
                              "continuation only, without repeating the text.");
    case Instruction::Custom:
        return custom.trimmed() + QStringLiteral(" Reply with the resulting text only.");
    }
    return {};
}

void SelectionAssistant::askCustom()
{
    bool ok = false;
    const QString words = QInputDialog::getText(m_dialogParent, tr("Instruction on Selection"),
                                                tr("What should the model do with the selected text?"),
                                                QLineEdit::Normal, QString(), &ok);
    if (ok && !words.trimmed().isEmpty()) ask(Instruction::Custom, words);
}

bool SelectionAssistant::ask(Instruction instruction, const QString& custom)
{
    const QTextCursor selection = m_editor->textCursor();
    if (!m_chat || m_replying || m_engineBusy || !selection.hasSelection()) return false;
    const QString original = selection.selectedText().replace(QChar::ParagraphSeparator, QLatin1Char('\n'));
    Conversation request;
    request.setSystemPrompt(QStringLiteral("You are a careful writing assistant."));
    request.addUserTurn(instructionText(instruction, custom) + QStringLiteral("\n\n") + original);
    std::string prompt;
    try {
        // A thinking model answers directly: the proposal is the text itself.
        prompt = request.prompt(*m_chat, m_chat->hasThinkingSwitch() ? std::optional(false) : std::nullopt);
    } catch (const bd3::Error& error) {
        showDialog(original);
        m_status->setText(tr("The chat template failed: %1").arg(QString::fromStdString(error.what())));
        return false;
    }
    m_instruction = instruction;
    m_target = selection;
    m_reply.clear();
    m_replying = true;
    showDialog(original);
    Q_EMIT replyRequested(QString::fromStdString(prompt));
    return true;
}

void SelectionAssistant::showDialog(const QString& original)
{
    if (!m_dialog) {
        m_dialog = new QDialog(m_dialogParent);
        m_dialog->setObjectName(QStringLiteral("instructionReviewDialog"));
        m_dialog->setWindowTitle(tr("Proposal for the Selection"));
        m_dialog->resize(900, 420);
        auto* layout = new QGridLayout(m_dialog);
        auto* originalView = new QPlainTextEdit;
        originalView->setObjectName(QStringLiteral("originalText"));
        originalView->setReadOnly(true);
        m_proposalView = new QPlainTextEdit;
        m_proposalView->setObjectName(QStringLiteral("proposalText"));
        m_status = new QLabel;
        m_status->setWordWrap(true);
        m_status->setObjectName(QStringLiteral("proposalStatus"));
        auto* buttons = new QDialogButtonBox;
        m_acceptButton = buttons->addButton(tr("&Accept"), QDialogButtonBox::AcceptRole);
        m_acceptButton->setObjectName(QStringLiteral("acceptProposal"));
        m_stopButton = buttons->addButton(tr("Stop"), QDialogButtonBox::ActionRole);
        buttons->addButton(tr("&Discard"), QDialogButtonBox::RejectRole)->setObjectName(QStringLiteral("discardProposal"));
        layout->addWidget(new QLabel(tr("Original")), 0, 0);
        layout->addWidget(new QLabel(tr("Proposal (you may edit it)")), 0, 1);
        layout->addWidget(originalView, 1, 0);
        layout->addWidget(m_proposalView, 1, 1);
        layout->addWidget(m_status, 2, 0, 1, 2);
        layout->addWidget(buttons, 3, 0, 1, 2);
        connect(buttons, &QDialogButtonBox::accepted, this, [this] {
            if (accept()) m_dialog->close();
        });
        connect(buttons, &QDialogButtonBox::rejected, this, [this] {
            if (m_replying) Q_EMIT stopRequested();
            m_dialog->close();
        });
        connect(m_stopButton, &QPushButton::clicked, this, &SelectionAssistant::stopRequested);
        // The writer may edit the proposal before accepting it.
        connect(m_proposalView, &QPlainTextEdit::textChanged, this,
                [this] { m_acceptButton->setEnabled(!m_replying && !proposal().isEmpty()); });
    }
    m_dialog->findChild<QPlainTextEdit*>(QStringLiteral("originalText"))->setPlainText(original);
    m_proposalView->clear();
    m_status->setText(m_replying ? tr("Writing…") : QString());
    m_acceptButton->setEnabled(false);
    m_stopButton->setEnabled(m_replying);
    m_dialog->show();
    m_dialog->raise();
}

QString SelectionAssistant::proposal() const { return m_proposalView ? m_proposalView->toPlainText() : QString(); }

bool SelectionAssistant::accept()
{
    const QString text = proposal();
    if (m_replying || text.isEmpty() || m_target.isNull()) return false;
    QTextCursor cursor = m_target;
    cursor.beginEditBlock();
    if (m_instruction == Instruction::ContinueInStyle) {
        const QString before = cursor.selectedText();
        cursor.setPosition(cursor.selectionEnd());
        cursor.insertText(before.isEmpty() || before.back().isSpace() ? text : QLatin1Char(' ') + text);
    } else {
        cursor.insertText(text);
    }
    cursor.endEditBlock();
    m_editor->setTextCursor(cursor);
    m_target = QTextCursor();
    return true;
}

void SelectionAssistant::replyStarted() {}

void SelectionAssistant::replyRefused(const QString& problem)
{
    m_replying = false;
    if (m_status) m_status->setText(problem);
    if (m_stopButton) m_stopButton->setEnabled(false);
}

void SelectionAssistant::appendToReply(const QString& text)
{
    if (!m_replying || !m_proposalView) return;
    m_reply += text;
    m_proposalView->setPlainText(ReplyParts::of(m_reply).answer);
}

void SelectionAssistant::finishReply(const QString& text)
{
    if (!m_replying) return;
    m_replying = false;
    if (!m_proposalView) return;
    m_proposalView->setPlainText(ReplyParts::of(text).answer);
    m_status->setText(tr("Accept puts the proposal in the document; Undo takes it back."));
    m_acceptButton->setEnabled(!proposal().isEmpty());
    m_stopButton->setEnabled(false);
}

void SelectionAssistant::failReply(const QString& message)
{
    replyRefused(tr("No proposal: %1").arg(message));
}

void SelectionAssistant::setEngineBusy(bool busy)
{
    m_engineBusy = busy;
    updateActions();
}

void SelectionAssistant::updateActions()
{
    const bool ready = m_chat && !m_engineBusy && !m_replying && m_editor->textCursor().hasSelection();
    for (QAction* action : actions()) {
        action->setEnabled(ready);
        action->setToolTip(m_chat ? action->text().remove(QLatin1Char('&'))
                                  : tr("Needs a model with a chat template (an instruction model)"));
    }
}
