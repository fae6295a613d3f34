// Trace files the studio opens for replay: any text gives a trace or a
// bd3::Error.
#include "bd3/error.hpp"
#include "bd3/trace.hpp"

#include <cstdint>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    try {
        bd3::parseTrace(std::string_view(reinterpret_cast<const char*>(data), size));
    } catch (const bd3::Error&) {
    }
    return 0;
}
