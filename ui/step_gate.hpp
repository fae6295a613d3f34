// Live step mode: a gate the engine's thread passes after every denoising
// step. While it is closed the generation waits there (on the worker thread,
// never the UI's) until the UI grants one more step, the gate is opened, or
// the generation is stopped.
#pragma once

#include <condition_variable>
#include <mutex>
#include <stop_token>

class StepGate {
public:
    // Closed: every step waits for a grant. Open: steps run freely.
    void setClosed(bool closed)
    {
        {
            const std::scoped_lock lock(m_mutex);
            m_closed = closed;
            m_grants = 0;
        }
        m_changed.notify_all();
    }
    bool isClosed() const
    {
        const std::scoped_lock lock(m_mutex);
        return m_closed;
    }
    // Lets one more step through.
    void grant()
    {
        {
            const std::scoped_lock lock(m_mutex);
            ++m_grants;
        }
        m_changed.notify_all();
    }
    // The worker's side, after a step: returns at once when open, else when a
    // step is granted, the gate opens or stop is requested.
    void pass(std::stop_token stop)
    {
        std::unique_lock lock(m_mutex);
        m_changed.wait(lock, stop, [this] { return !m_closed || m_grants > 0; });
        if (m_grants > 0) --m_grants;
    }

private:
    mutable std::mutex m_mutex;
    std::condition_variable_any m_changed;
    bool m_closed = false;
    int m_grants = 0;
};
