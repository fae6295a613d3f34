// The one exception type the engine throws: its message names the problem
// (file, tensor, parameter, byte offset) so callers can show it as it is.
#pragma once

#include <stdexcept>
#include <string>

namespace bd3 {

class Error : public std::runtime_error {
public:
    explicit Error(const std::string& message) : std::runtime_error(message) {}
};

} // namespace bd3
