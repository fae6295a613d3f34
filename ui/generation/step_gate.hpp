// The gate the engine's thread passes after every denoising step, so a
// generation can be watched. Closed (live step mode): each step waits for the
// UI to grant one more. Paced: steps are at least an interval apart, for a
// class to watch a block unfold. The wait is on the worker thread, never the
// UI's; the generation keeps everything it has done while it waits, and a
// stop request ends the wait at once.
#pragma once

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <stop_token>

class StepGate {
public:
    using Clock = std::chrono::steady_clock;

    // Closed: every step waits for a grant. Open: steps run freely (or paced).
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
    // The least time between two steps while open; zero: as fast as possible.
    // A new pace applies to the step being waited for.
    void setInterval(Clock::duration interval)
    {
        {
            const std::scoped_lock lock(m_mutex);
            m_interval = interval;
            ++m_paceChanges;
        }
        m_changed.notify_all();
    }
    Clock::duration interval() const
    {
        const std::scoped_lock lock(m_mutex);
        return m_interval;
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
    // The worker's side, after a step: returns at once when open and not
    // paced, else when a step is granted, the pace allows the next step, the
    // gate opens or stop is requested.
    void pass(std::stop_token stop)
    {
        std::unique_lock lock(m_mutex);
        while (!stop.stop_requested()) {
            if (m_closed) {
                m_changed.wait(lock, stop, [this] { return !m_closed || m_grants > 0; });
                if (m_grants > 0) {
                    --m_grants;
                    break;
                }
                continue;  // opened: the pace still holds
            }
            const Clock::time_point due = m_lastPass + m_interval;
            if (m_interval == Clock::duration::zero() || Clock::now() >= due) break;
            const unsigned changes = m_paceChanges;
            m_changed.wait_until(lock, stop, due, [this, changes] { return m_closed || m_paceChanges != changes; });
        }
        m_lastPass = Clock::now();
    }

private:
    mutable std::mutex m_mutex;
    std::condition_variable_any m_changed;
    bool m_closed = false;
    int m_grants = 0;
    Clock::duration m_interval = Clock::duration::zero();
    unsigned m_paceChanges = 0;
    Clock::time_point m_lastPass;
};
