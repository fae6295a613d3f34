// config.json: any text gives a validated configuration or a bd3::Error.
#include "bd3/error.hpp"
#include "bd3/model_config.hpp"

#include <cstdint>
#include <string>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    try {
        const bd3::ModelConfig config =
            bd3::ModelConfig::fromJsonText(std::string(reinterpret_cast<const char*>(data), size), "config.json");
        // What the loader relies on afterwards.
        if (config.hiddenDim % config.heads != 0 || config.maskId >= config.vocabSize || config.blockSize < 1)
            __builtin_trap();
    } catch (const bd3::Error&) {
    }
    return 0;
}
