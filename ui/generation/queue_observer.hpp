// The worker thread's observer of a generation: forwards every event into the
// EventQueue for the UI thread and, in live step mode, waits at the StepGate
// after each step.
#pragma once

#include "generation/event_queue.hpp"
#include "generation/step_gate.hpp"

#include "bd3/events.hpp"

#include <stop_token>

class QueueObserver final : public bd3::GenerationObserver {
public:
    QueueObserver(EventQueue& queue, StepGate& gate, std::stop_token stop)
        : m_queue(queue), m_gate(gate), m_stop(std::move(stop))
    {
    }
    void blockStarted(const bd3::BlockStarted& e) override { m_queue.push(e); }
    void stepDone(const bd3::StepDone& e) override
    {
        m_queue.push(e);
        m_gate.pass(m_stop);
    }
    void blockCommitted(const bd3::BlockCommitted& e) override { m_queue.push(e); }
    void finished(const bd3::GenerationFinished& e) override { m_queue.push(e); }

private:
    EventQueue& m_queue;
    StepGate& m_gate;
    std::stop_token m_stop;
};
