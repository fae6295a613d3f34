// Where a chat model's reply goes while the window runs it: the conversation
// panel or an instruction on the editor's selection. The window asks the
// engine for the reply and reports back through this, on the UI thread.
#pragma once

#include <QString>

class ReplyTarget {
public:
    virtual ~ReplyTarget() = default;
    // The engine took the request, or refused it (problem in words).
    virtual void replyStarted() = 0;
    virtual void replyRefused(const QString& problem) = 0;
    // The reply so far, block by block.
    virtual void appendToReply(const QString& text) = 0;
    // The whole reply, once written or stopped; or what went wrong.
    virtual void finishReply(const QString& text) = 0;
    virtual void failReply(const QString& message) = 0;
    // Another generation is running, or none is.
    virtual void setEngineBusy(bool busy) = 0;
};
