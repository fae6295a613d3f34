// The safetensors header and data ranges: any bytes give a parsed file or a
// bd3::Error, and reading every tensor it accepted stays inside the file.
#include "fuzz_input_file.hpp"

#include "bd3/error.hpp"
#include "formats/safetensors.hpp"

#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    const auto path = bd3::fuzz::writeScratch("model.safetensors", data, size);
    try {
        const bd3::SafetensorsFile file(path);
        for (const auto& [name, info] : file.tensors()) {
            if (info.elements() > (1 << 22)) continue;  // keep each input fast
            std::vector<float> values(static_cast<size_t>(info.elements()));
            file.readAsFloat(info, values);
        }
    } catch (const bd3::Error&) {
    }
    return 0;
}
