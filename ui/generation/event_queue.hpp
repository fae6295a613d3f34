// Hands engine events from the worker thread to the UI thread. Events pile up
// under a mutex; the UI is woken once per pile, not once per event, so a fast
// model cannot flood the event loop, and nothing is ever dropped.
#pragma once

#include "generation/generation_record.hpp"

#include <functional>
#include <mutex>
#include <vector>

class EventQueue {
public:
    // wake is called on the producing thread when the queue turns non-empty;
    // it must post (not run) the consumer's drain.
    explicit EventQueue(std::function<void()> wake) : m_wake(std::move(wake)) {}

    void push(EngineEvent event)
    {
        bool wasEmpty = false;
        {
            const std::scoped_lock lock(m_mutex);
            wasEmpty = m_pending.empty();
            m_pending.push_back(std::move(event));
        }
        if (wasEmpty) m_wake();
    }

    std::vector<EngineEvent> takeAll()
    {
        const std::scoped_lock lock(m_mutex);
        return std::exchange(m_pending, {});
    }

private:
    std::function<void()> m_wake;
    std::mutex m_mutex;
    std::vector<EngineEvent> m_pending;
};
