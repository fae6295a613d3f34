// model.safetensors.index.json: any text beside two small shards gives the
// weights it names, each readable, or a bd3::Error.
#include "fuzz_input_file.hpp"

#include "bd3/error.hpp"
#include "formats/model_weights.hpp"

#include <cstring>
#include <fstream>

namespace {

// A shard holding one F32 tensor of two values, written once.
void writeShard(const std::filesystem::path& path, const char* name)
{
    const std::string header = std::string(R"({")") + name + R"(":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}})";
    std::string bytes(8, '\0');
    for (int i = 0; i < 8; ++i) bytes[static_cast<size_t>(i)] = static_cast<char>((header.size() >> (8 * i)) & 0xFF);
    const float values[2] = {1.0F, -2.0F};
    bytes += header;
    bytes.append(reinterpret_cast<const char*>(values), sizeof values);
    std::ofstream(path, std::ios::binary) << bytes;
}

const std::filesystem::path& folder()
{
    static const std::filesystem::path dir = [] {
        const auto d = bd3::fuzz::scratchFile("index-folder");
        std::filesystem::create_directories(d);
        writeShard(d / "model-00001-of-00002.safetensors", "a");
        writeShard(d / "model-00002-of-00002.safetensors", "b");
        return d;
    }();
    return dir;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    const auto& dir = folder();
    {
        std::ofstream out(dir / "model.safetensors.index.json", std::ios::binary | std::ios::trunc);
        out.write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(size));
    }
    try {
        bd3::ModelWeights weights(dir);
        weights.expect({{"a", {2}}, {"b", {2}}}, nullptr, "fuzz");
        // Whatever the index says, an accepted tensor reads back its values.
        for (const char* name : {"a", "b"}) {
            const std::vector<float> values = weights.readFloats(name);
            if (values.size() != 2 || values[0] != 1.0F || values[1] != -2.0F) __builtin_trap();
        }
    } catch (const bd3::Error&) {
    }
    return 0;
}
