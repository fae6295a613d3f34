#include "chat/conversation_panel.hpp"

#include "bd3/error.hpp"

#include <QCheckBox>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QKeyEvent>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QScrollBar>
#include <QShortcut>
#include <QTextBrowser>
#include <QUrl>
#include <QVBoxLayout>

namespace {
QString htmlOf(const QString& text) { return text.toHtmlEscaped().replace(QLatin1Char('\n'), QStringLiteral("<br>")); }
} // namespace

ConversationPanel::ConversationPanel(QWidget* parent)
    : QWidget(parent), m_notice(new QLabel), m_transcript(new QTextBrowser), m_system(new QLineEdit),
      m_message(new QPlainTextEdit), m_thinking(new QCheckBox(tr("Think first"))),
      m_send(new QPushButton(tr("&Send"))), m_regenerate(new QPushButton(tr("Re&generate"))),
      m_stop(new QPushButton(tr("Stop"))), m_new(new QPushButton(tr("New")))
{
    setObjectName(QStringLiteral("conversationPanel"));
    m_notice->setWordWrap(true);
    m_notice->setObjectName(QStringLiteral("conversationNotice"));
    m_transcript->setObjectName(QStringLiteral("transcript"));
    m_transcript->setOpenLinks(false);
    m_system->setObjectName(QStringLiteral("systemPrompt"));
    m_system->setPlaceholderText(tr("System prompt (optional)"));
    m_system->setToolTip(tr("<p>Instructions the model reads before the conversation, in its template's system "
                            "turn. A change applies from the next reply.</p>"));
    m_message->setObjectName(QStringLiteral("messageInput"));
    m_message->setPlaceholderText(tr("Message (Ctrl+Enter sends)"));
    m_message->setMaximumHeight(90);
    m_thinking->setObjectName(QStringLiteral("thinkingBox"));
    m_thinking->setToolTip(tr("<p>Thinking models (Qwen3 templates) may reason first, between &lt;think&gt; tags; "
                              "the thinking is shown folded, apart from the answer.</p>"));
    m_send->setObjectName(QStringLiteral("sendButton"));
    m_regenerate->setObjectName(QStringLiteral("regenerateButton"));
    m_regenerate->setToolTip(tr("Write the last reply again, with a new seed"));
    m_stop->setObjectName(QStringLiteral("stopReplyButton"));
    m_new->setObjectName(QStringLiteral("newConversationButton"));
    m_new->setToolTip(tr("Start a new conversation"));

    // Narrow enough to sit beside the editor between the docks.
    auto* system = new QHBoxLayout;
    system->addWidget(m_system, 1);
    system->addWidget(m_thinking);
    auto* buttons = new QHBoxLayout;
    buttons->addWidget(m_new);
    buttons->addWidget(m_regenerate);
    buttons->addStretch();
    buttons->addWidget(m_stop);
    buttons->addWidget(m_send);
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_notice);
    layout->addLayout(system);
    layout->addWidget(m_transcript, 1);
    layout->addWidget(m_message);
    layout->addLayout(buttons);

    connect(m_send, &QPushButton::clicked, this, &ConversationPanel::send);
    connect(m_regenerate, &QPushButton::clicked, this, &ConversationPanel::regenerate);
    connect(m_stop, &QPushButton::clicked, this, &ConversationPanel::stopRequested);
    connect(m_new, &QPushButton::clicked, this, &ConversationPanel::newConversation);
    connect(m_message, &QPlainTextEdit::textChanged, this, &ConversationPanel::updateButtons);
    auto* sendShortcut = new QShortcut(QKeySequence(Qt::CTRL | Qt::Key_Return), m_message);
    sendShortcut->setContext(Qt::WidgetShortcut);
    connect(sendShortcut, &QShortcut::activated, this, &ConversationPanel::send);
    connect(m_transcript, &QTextBrowser::anchorClicked, this, [this](const QUrl& url) {
        // think:N folds or unfolds the thinking of turn N.
        if (url.scheme() != QStringLiteral("think")) return;
        const int turn = url.path().toInt();
        if (!m_unfolded.remove(turn)) m_unfolded.insert(turn);
        render();
    });
    setChatTemplate(nullptr, {});
}

void ConversationPanel::setChatTemplate(std::shared_ptr<const bd3::ChatTemplate> chat, const QString& problem)
{
    m_chat = std::move(chat);
    m_conversation.clear();
    m_unfolded.clear();
    m_thinking->setEnabled(m_chat && m_chat->hasThinkingSwitch());
    if (!m_chat) m_thinking->setChecked(false);
    // The file's name here, its whole path in the tooltip.
    const QString origin = m_chat ? QString::fromStdString(m_chat->origin()) : QString();
    m_notice->setToolTip(origin);
    if (m_chat) m_notice->setText(tr("Chat in the model's own format (%1).").arg(QFileInfo(origin).fileName()));
    else if (!problem.isEmpty()) m_notice->setText(tr("The model's chat template cannot be used: %1").arg(problem));
    else m_notice->setText(tr("This model has no chat template: it continues the text in the editor."));
    render();
    updateButtons();
}

void ConversationPanel::send()
{
    const QString message = m_message->toPlainText();
    if (!m_chat || message.trimmed().isEmpty() || m_replying || m_engineBusy) return;
    m_conversation.addUserTurn(message);
    m_replaced.reset();
    request();
}

void ConversationPanel::regenerate()
{
    const QList<ConversationTurn>& turns = m_conversation.turns();
    if (!m_chat || m_replying || m_engineBusy || turns.isEmpty()) return;
    const QString last = turns.constLast().text;
    if (!m_conversation.removeLastReply()) return;
    m_replaced = last;
    request();
}

void ConversationPanel::newConversation()
{
    if (m_replying) return;
    m_conversation.clear();
    m_unfolded.clear();
    render();
    updateButtons();
}

void ConversationPanel::request()
{
    m_conversation.setSystemPrompt(m_system->text());
    std::string prompt;
    try {
        prompt = m_conversation.prompt(*m_chat, m_thinking->isEnabled() ? std::optional(m_thinking->isChecked())
                                                                         : std::nullopt);
    } catch (const bd3::Error& error) {
        replyRefused(QString::fromStdString(error.what()));
        return;
    }
    m_replying = true;
    m_reply.clear();
    Q_EMIT replyRequested(QString::fromStdString(prompt));
}

void ConversationPanel::replyStarted()
{
    // The message is in the conversation now; the box is free for the next.
    if (!m_replaced) m_message->clear();
    render();
    updateButtons();
}

void ConversationPanel::replyRefused(const QString& problem)
{
    // What was typed stays in the box.
    undoRequest();
    render();
    m_transcript->append(QStringLiteral("<p style=\"color:#b00020\">%1</p>").arg(htmlOf(problem)));
    updateButtons();
}

void ConversationPanel::undoRequest()
{
    m_replying = false;
    m_reply.clear();
    if (m_replaced) m_conversation.addReply(*m_replaced);
    else m_conversation.dropUnanswered();
    m_replaced.reset();
}

void ConversationPanel::appendToReply(const QString& text)
{
    if (!m_replying) return;
    m_reply += text;
    render();
}

void ConversationPanel::finishReply(const QString& text)
{
    if (!m_replying) return;
    m_replying = false;
    m_replaced.reset();
    m_conversation.addReply(text);
    m_reply.clear();
    render();
    updateButtons();
}

void ConversationPanel::failReply(const QString& message)
{
    if (!m_replying) return;
    // The unanswered message goes back to the box, so nothing typed is lost.
    const QList<ConversationTurn>& turns = m_conversation.turns();
    if (!m_replaced && !turns.isEmpty() && turns.constLast().role == ConversationTurn::Role::User &&
        m_message->toPlainText().isEmpty())
        m_message->setPlainText(turns.constLast().text);
    undoRequest();
    render();
    m_transcript->append(QStringLiteral("<p style=\"color:#b00020\">%1</p>").arg(htmlOf(tr("No reply: %1").arg(message))));
    updateButtons();
}

void ConversationPanel::setEngineBusy(bool busy)
{
    m_engineBusy = busy;
    updateButtons();
}

QString ConversationPanel::turnHtml(int index, const ConversationTurn& turn) const
{
    if (turn.role == ConversationTurn::Role::User)
        return QStringLiteral("<p><b>%1</b><br>%2</p>").arg(tr("You"), htmlOf(turn.text));
    const ReplyParts parts = ReplyParts::of(turn.text);
    QString html = QStringLiteral("<p><b>%1</b>").arg(tr("Model"));
    if (!parts.thinking.isEmpty()) {
        const int words = static_cast<int>(parts.thinking.split(QLatin1Char(' '), Qt::SkipEmptyParts).size());
        const bool unfolded = m_unfolded.contains(index);
        html += QStringLiteral("<br><a href=\"think:%1\">%2 %3</a>")
                    .arg(index)
                    .arg(unfolded ? QStringLiteral("▾") : QStringLiteral("▸"), tr("Thinking (%n word(s))", nullptr, words));
        if (unfolded) html += QStringLiteral("<br><i style=\"color:#666\">%1</i>").arg(htmlOf(parts.thinking));
    }
    return html + QStringLiteral("<br>%1</p>").arg(htmlOf(parts.answer));
}

void ConversationPanel::render()
{
    QString html;
    const QList<ConversationTurn>& turns = m_conversation.turns();
    for (int i = 0; i < turns.size(); ++i) html += turnHtml(i, turns[i]);
    if (m_replying) {
        ConversationTurn writing{ConversationTurn::Role::Assistant, m_reply};
        html += turnHtml(static_cast<int>(turns.size()), writing);
        html += QStringLiteral("<p style=\"color:#666\">%1</p>").arg(tr("writing…"));
    }
    m_transcript->setHtml(html);
    m_transcript->verticalScrollBar()->setValue(m_transcript->verticalScrollBar()->maximum());
}

void ConversationPanel::updateButtons()
{
    const bool idle = m_chat && !m_replying && !m_engineBusy;
    m_send->setEnabled(idle && !m_message->toPlainText().trimmed().isEmpty());
    const QList<ConversationTurn>& turns = m_conversation.turns();
    m_regenerate->setEnabled(idle && !turns.isEmpty() && turns.constLast().role == ConversationTurn::Role::Assistant);
    m_stop->setEnabled(m_replying);
    m_new->setEnabled(!m_replying && !turns.isEmpty());
    m_message->setEnabled(m_chat != nullptr);
    m_system->setEnabled(m_chat != nullptr);
}
