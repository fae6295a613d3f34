// A conversation with a chat model: the system prompt and the turns, rendered
// through the model's own chat template into the text a reply continues. A
// reply of a thinking model keeps its thinking apart from its answer.
#pragma once

#include "bd3/chat.hpp"

#include <QList>
#include <QString>

#include <optional>

// A reply split at the thinking models' </think>: what the model thought
// first, and its answer.
struct ReplyParts {
    QString thinking;
    QString answer;

    static ReplyParts of(const QString& reply);
};

struct ConversationTurn {
    enum class Role { User, Assistant };
    Role role = Role::User;
    QString text;  // for an assistant, the whole reply, thinking included
};

class Conversation {
public:
    void setSystemPrompt(const QString& text) { m_system = text; }
    const QString& systemPrompt() const { return m_system; }
    const QList<ConversationTurn>& turns() const { return m_turns; }
    bool isEmpty() const { return m_turns.isEmpty(); }

    void addUserTurn(const QString& text) { m_turns.append({ConversationTurn::Role::User, text}); }
    void addReply(const QString& text) { m_turns.append({ConversationTurn::Role::Assistant, text}); }
    // Removes the last reply (to write it again); false when the last turn is
    // not a reply.
    bool removeLastReply();
    // Removes the last turn when it is a user's turn that got no reply.
    void dropUnanswered();
    void clear() { m_turns.clear(); }

    // The conversation in the template's format, ending with the opening of
    // the assistant's turn. thinking: the template's enable_thinking, unset
    // for its default. Throws bd3::Error when the template fails.
    std::string prompt(const bd3::ChatTemplate& chat, std::optional<bool> thinking) const;

private:
    QString m_system;
    QList<ConversationTurn> m_turns;
};
