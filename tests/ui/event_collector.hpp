// Keeps every engine event of a generation run directly on the engine, for
// tests that feed a GenerationRecord without the worker thread.
#pragma once

#include "generation/generation_record.hpp"

#include "bd3/events.hpp"

#include <vector>

class EventCollector final : public bd3::GenerationObserver {
public:
    std::vector<EngineEvent> events;
    void blockStarted(const bd3::BlockStarted& e) override { events.emplace_back(e); }
    void stepDone(const bd3::StepDone& e) override { events.emplace_back(e); }
    void blockCommitted(const bd3::BlockCommitted& e) override { events.emplace_back(e); }
    void finished(const bd3::GenerationFinished& e) override { events.emplace_back(e); }
};
