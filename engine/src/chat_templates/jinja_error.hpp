// The failure of a template operation while rendering, and the limits that
// keep any template and any variables within bounded memory and stack.
#pragma once

#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string>

namespace bd3::jinja {

// Thrown by the value operations, filters and methods; the renderer adds
// the template's origin and the line it was on.
class RenderError : public std::runtime_error {
public:
    explicit RenderError(const std::string& message) : std::runtime_error(message) {}
};

// The largest string any operation builds, and so the largest output.
inline constexpr size_t kMaxStringBytes = size_t(64) << 20;
// How deep lists, dicts and namespaces may nest (Python's own recursion
// limit stops repr() and json.dumps() near 1000).
inline constexpr int kMaxValueDepth = 200;

// The most items a list (or a str's characters) may have.
inline constexpr size_t kMaxItems = size_t(1) << 20;

inline void checkStringSize(size_t bytes)
{
    if (bytes > kMaxStringBytes) throw RenderError("a string would exceed the 64 MiB limit");
}

inline void checkItemCount(size_t items)
{
    if (items > kMaxItems) throw RenderError("a list would exceed " + std::to_string(kMaxItems) + " items");
}

// The work a render may do before it is stopped: every expression, loop
// turn, list item made or looked through and 256 bytes of string built cost
// a unit.
class Budget {
public:
    static constexpr uint64_t kLimit = 20'000'000;
    void charge(uint64_t units)
    {
        m_used += units;
        if (m_used > kLimit) throw RenderError("the template does more than 20 million steps of work");
    }

private:
    uint64_t m_used = 0;
};

// Charges the budget of the render running on this thread, if any: the
// value operations deep down reach it this way.
void chargeWork(uint64_t units);

// Makes a budget the one chargeWork charges, while it lives.
class BudgetScope {
public:
    explicit BudgetScope(Budget& budget);
    ~BudgetScope();
    BudgetScope(const BudgetScope&) = delete;
    BudgetScope& operator=(const BudgetScope&) = delete;

private:
    Budget* m_previous;
};

}  // namespace bd3::jinja
