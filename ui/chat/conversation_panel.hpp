// The conversation panel beside the editor, for chat models: a system
// prompt, the turns so far (a thinking model's thinking folded away from its
// answer), a message box, and send, regenerate, stop and new. The window runs
// the replies; the unmasking view and the timeline follow them as they
// follow a continuation.
#pragma once

#include "chat/conversation.hpp"
#include "chat/reply_target.hpp"

#include <QSet>
#include <QWidget>

#include <memory>
#include <optional>

class QCheckBox;
class QLabel;
class QLineEdit;
class QPlainTextEdit;
class QPushButton;
class QTextBrowser;

class ConversationPanel : public QWidget, public ReplyTarget {
    Q_OBJECT

public:
    explicit ConversationPanel(QWidget* parent = nullptr);

    // The loaded model's template; null when it has none (problem says why
    // when it ships one that cannot be used). A new model starts a new
    // conversation.
    void setChatTemplate(std::shared_ptr<const bd3::ChatTemplate> chat, const QString& problem);
    bool hasChatTemplate() const { return m_chat != nullptr; }
    const Conversation& conversation() const { return m_conversation; }
    // Whether the reply being written is this panel's.
    bool isReplying() const { return m_replying; }

    void replyStarted() override;
    void replyRefused(const QString& problem) override;
    void appendToReply(const QString& text) override;
    void finishReply(const QString& text) override;
    void failReply(const QString& message) override;
    void setEngineBusy(bool busy) override;

    // Widgets by role, for tests.
    QPlainTextEdit* messageBox() const { return m_message; }
    QLineEdit* systemPromptBox() const { return m_system; }
    QCheckBox* thinkingBox() const { return m_thinking; }
    QTextBrowser* transcript() const { return m_transcript; }

public Q_SLOTS:
    void send();
    void regenerate();
    void newConversation();

Q_SIGNALS:
    // A reply is wanted to prompt, the conversation in the template's format.
    void replyRequested(const QString& prompt);
    void stopRequested();

private:
    void request();
    // A request that came to nothing: the conversation as it was before.
    void undoRequest();
    void render();
    void updateButtons();
    QString turnHtml(int index, const ConversationTurn& turn) const;

    std::shared_ptr<const bd3::ChatTemplate> m_chat;
    Conversation m_conversation;
    QString m_reply;           // the reply being written
    bool m_replying = false;
    bool m_engineBusy = false;
    // The reply being written again, kept until the new one is in; none when
    // the request is a message just sent.
    std::optional<QString> m_replaced;
    QSet<int> m_unfolded;      // replies whose thinking is shown
    QLabel* m_notice;
    QTextBrowser* m_transcript;
    QLineEdit* m_system;
    QPlainTextEdit* m_message;
    QCheckBox* m_thinking;
    QPushButton* m_send;
    QPushButton* m_regenerate;
    QPushButton* m_stop;
    QPushButton* m_new;
};
