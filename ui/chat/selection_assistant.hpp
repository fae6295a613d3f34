// Instructions on the editor's selection, answered by a chat model: rewrite
// it, shorten it, continue in its style, or the writer's own instruction.
// The proposal is shown beside the original and replaces it (or, for a
// continuation, follows it) as one undo step only when accepted.
#pragma once

#include "chat/reply_target.hpp"

#include "bd3/chat.hpp"

#include <QObject>
#include <QPointer>
#include <QTextCursor>

#include <memory>

class QAction;
class QDialog;
class QLabel;
class QPlainTextEdit;
class QPushButton;
class QWidget;

class SelectionAssistant : public QObject, public ReplyTarget {
    Q_OBJECT

public:
    enum class Instruction { Rewrite, Shorten, ContinueInStyle, Custom };

    // editor is where the selection is; dialogParent owns the review dialog.
    SelectionAssistant(QPlainTextEdit* editor, QWidget* dialogParent);

    // The actions, for the Edit menu and the editor's context menu.
    QList<QAction*> actions() const;
    void setChatTemplate(std::shared_ptr<const bd3::ChatTemplate> chat);

    // Asks the model to carry out instruction on the selection; custom is
    // the writer's own words. False (nothing asked) without a selection or a
    // chat template.
    bool ask(Instruction instruction, const QString& custom = {});
    // What the model was asked, in words, for the kind of instruction.
    static QString instructionText(Instruction instruction, const QString& custom);

    // The review dialog, while it is open; its proposal.
    QDialog* reviewDialog() const { return m_dialog; }
    QString proposal() const;
    // Puts the proposal in the document (one undo step); false when there
    // is none.
    bool accept();

    void replyStarted() override;
    void replyRefused(const QString& problem) override;
    void appendToReply(const QString& text) override;
    void finishReply(const QString& text) override;
    void failReply(const QString& message) override;
    void setEngineBusy(bool busy) override;

Q_SIGNALS:
    void replyRequested(const QString& prompt);
    void stopRequested();

private:
    void askCustom();
    void showDialog(const QString& original);
    void updateActions();

    QPlainTextEdit* m_editor;
    QWidget* m_dialogParent;
    std::shared_ptr<const bd3::ChatTemplate> m_chat;
    QAction* m_rewrite;
    QAction* m_shorten;
    QAction* m_continue;
    QAction* m_custom;
    QTextCursor m_target;  // the selection asked about; it follows edits made meanwhile
    Instruction m_instruction = Instruction::Rewrite;
    QString m_reply;
    bool m_replying = false;
    bool m_engineBusy = false;
    QPointer<QDialog> m_dialog;
    QPlainTextEdit* m_proposalView = nullptr;
    QLabel* m_status = nullptr;
    QPushButton* m_acceptButton = nullptr;
    QPushButton* m_stopButton = nullptr;
};
