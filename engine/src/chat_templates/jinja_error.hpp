// The failure of a template operation while rendering, and the limits that
// keep any template and any variables within bounded memory and stack.
#pragma once

#include <cstddef>
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

inline void checkStringSize(size_t bytes)
{
    if (bytes > kMaxStringBytes) throw RenderError("a string would exceed the 64 MiB limit");
}

}  // namespace bd3::jinja
