#include "chat/conversation.hpp"

ReplyParts ReplyParts::of(const QString& reply)
{
    static const QString open = QStringLiteral("<think>");
    static const QString close = QStringLiteral("</think>");
    const qsizetype end = reply.indexOf(close);
    if (end < 0) {
        // Still thinking (a reply cut short) when it began with <think>.
        if (reply.trimmed().startsWith(open)) return {reply.trimmed().mid(open.size()).trimmed(), QString()};
        return {QString(), reply.trimmed()};
    }
    QString thinking = reply.left(end).trimmed();
    if (thinking.startsWith(open)) thinking = thinking.mid(open.size()).trimmed();
    return {thinking, reply.mid(end + close.size()).trimmed()};
}

bool Conversation::removeLastReply()
{
    if (m_turns.isEmpty() || m_turns.constLast().role != ConversationTurn::Role::Assistant) return false;
    m_turns.removeLast();
    return true;
}

void Conversation::dropUnanswered()
{
    if (!m_turns.isEmpty() && m_turns.constLast().role == ConversationTurn::Role::User) m_turns.removeLast();
}

std::string Conversation::prompt(const bd3::ChatTemplate& chat, std::optional<bool> thinking) const
{
    bd3::ChatRequest request;
    if (!m_system.trimmed().isEmpty()) request.messages.push_back({"system", m_system.toStdString()});
    for (const ConversationTurn& turn : m_turns) {
        const bool user = turn.role == ConversationTurn::Role::User;
        // Earlier replies go back as their answers: the templates of thinking
        // models drop old thinking themselves, the others never saw any.
        const QString text = user ? turn.text : ReplyParts::of(turn.text).answer;
        request.messages.push_back({user ? "user" : "assistant", text.toStdString()});
    }
    request.addGenerationPrompt = true;
    request.enableThinking = thinking;
    return chat.render(request);
}
