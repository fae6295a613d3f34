#include "test_support.hpp"

#include <cstdlib>
#include <cstring>
#include <fstream>
#include <random>
#include <sstream>
#include <stdexcept>

namespace bd3::test {

GenerationOptions fixedLengthRun(uint64_t seed, int32_t maxTokens)
{
    GenerationOptions o;
    o.seed = seed;
    o.maxNewTokens = maxTokens;
    o.stopAtEos = false;
    return o;
}

std::filesystem::path fixturesDir()
{
    // Tests built in one checkout and run from another (the GPU checks) are
    // told where that one's fixtures are.
    if (const char* dir = std::getenv("BD3_FIXTURES_DIR"); dir != nullptr && *dir != '\0') return dir;
    return BD3_FIXTURES_DIR;
}
std::filesystem::path parityModelDir() { return fixturesDir() / "parity" / "model"; }

ScratchDir::ScratchDir()
{
    std::random_device seed;
    m_path = std::filesystem::temp_directory_path() / ("bd3-test-" + std::to_string(seed()) + std::to_string(seed()));
    std::filesystem::create_directories(m_path);
}

ScratchDir::~ScratchDir()
{
    std::error_code ec;
    std::filesystem::remove_all(m_path, ec);
}

std::filesystem::path copyParityModel(const std::filesystem::path& dir, const std::string& name)
{
    const auto target = dir / name;
    std::filesystem::copy(parityModelDir(), target, std::filesystem::copy_options::recursive);
    return target;
}

std::string readFile(const std::filesystem::path& path)
{
    std::ifstream in(path, std::ios::binary);
    if (!in) throw std::runtime_error("cannot read " + path.string());
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

void writeFile(const std::filesystem::path& path, const std::string& bytes)
{
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    if (!out.flush()) throw std::runtime_error("cannot write " + path.string());
}

NpyArray readNpy(const std::filesystem::path& path)
{
    const std::string bytes = readFile(path);
    if (bytes.size() < 10 || bytes.compare(0, 6, "\x93NUMPY") != 0) throw std::runtime_error(path.string() + ": not .npy");
    const bool version1 = bytes[6] == 1;
    const size_t lengthBytes = version1 ? 2 : 4;
    size_t headerLength = 0;
    for (size_t i = 0; i < lengthBytes; ++i)
        headerLength |= static_cast<size_t>(static_cast<unsigned char>(bytes[8 + i])) << (8 * i);
    const size_t dataStart = 8 + lengthBytes + headerLength;
    const std::string header = bytes.substr(8 + lengthBytes, headerLength);
    if (header.find("'descr': '<f4'") == std::string::npos || header.find("'fortran_order': False") == std::string::npos)
        throw std::runtime_error(path.string() + ": expected little-endian float32 in C order");
    NpyArray array;
    const size_t open = header.find('(', header.find("'shape'"));
    const size_t close = header.find(')', open);
    std::istringstream dims(header.substr(open + 1, close - open - 1));
    std::string item;
    while (std::getline(dims, item, ',')) {
        if (item.find_first_not_of(' ') != std::string::npos) array.shape.push_back(std::stoll(item));
    }
    size_t count = 1;
    for (int64_t d : array.shape) count *= static_cast<size_t>(d);
    if (bytes.size() != dataStart + count * 4) throw std::runtime_error(path.string() + ": size does not match shape");
    array.data.resize(count);
    std::memcpy(array.data.data(), bytes.data() + dataStart, count * 4);
    return array;
}

namespace {

struct SafetensorsParts {
    nlohmann::json header;
    std::string data;
};

SafetensorsParts splitSafetensors(const std::filesystem::path& file)
{
    const std::string bytes = readFile(file);
    uint64_t length = 0;
    for (int i = 7; i >= 0; --i) length = (length << 8) | static_cast<unsigned char>(bytes[static_cast<size_t>(i)]);
    return {nlohmann::json::parse(bytes.substr(8, length)), bytes.substr(8 + length)};
}

// The header, padded to a multiple of 8 bytes as the format's writers do,
// after its 8-byte length.
std::string headerBytes(const nlohmann::json& header)
{
    std::string text = header.dump();
    while ((8 + text.size()) % 8 != 0) text += ' ';
    std::string out(8, '\0');
    for (int i = 0; i < 8; ++i) out[static_cast<size_t>(i)] = static_cast<char>((text.size() >> (8 * i)) & 0xFF);
    return out + text;
}

} // namespace

void editSafetensorsHeader(const std::filesystem::path& file, const std::function<void(nlohmann::json&)>& edit)
{
    SafetensorsParts parts = splitSafetensors(file);
    edit(parts.header);
    writeFile(file, headerBytes(parts.header) + parts.data);
}

void rewriteSafetensors(const std::filesystem::path& file, const std::function<void(nlohmann::json&)>& edit)
{
    SafetensorsParts parts = splitSafetensors(file);
    edit(parts.header);
    std::string data;
    for (auto& [name, entry] : parts.header.items()) {
        if (name == "__metadata__") continue;
        const auto begin = entry["data_offsets"][0].get<size_t>();
        const auto end = entry["data_offsets"][1].get<size_t>();
        entry["data_offsets"] = {data.size(), data.size() + (end - begin)};
        data += parts.data.substr(begin, end - begin);
    }
    writeFile(file, headerBytes(parts.header) + data);
}

std::filesystem::path makeTooLargeModel(const std::filesystem::path& dir, uint64_t* dataBytes)
{
    const auto folder = copyParityModel(dir, "too-large");
    nlohmann::json config = nlohmann::json::parse(readFile(folder / "config.json"));
    const int64_t oldWidth = config["hidden_dim"].get<int64_t>();
    constexpr int64_t width = 65536;
    config["hidden_dim"] = width;
    writeFile(folder / "config.json", config.dump());
    uint64_t total = 0;
    editSafetensorsHeader(folder / "model.safetensors", [&](nlohmann::json& header) {
        header.erase("backbone.rotary_emb.inv_freq");  // optional, and sized by the head width
        for (auto& [name, entry] : header.items()) {
            if (name == "__metadata__") continue;
            // Every multiple of the width up to 6x (qkv, MLP, adaLN) widens;
            // the timestep embedding's fixed 256 inputs do not.
            const bool timestepInput = name.find("sigma_map") != std::string::npos;
            for (auto& d : entry["shape"]) {
                const int64_t n = d.get<int64_t>();
                if (!timestepInput && n % oldWidth == 0 && n / oldWidth <= 6) d = n / oldWidth * width;
            }
            uint64_t bytes = entry["dtype"] == "F32" ? 4 : 2;
            for (const auto& d : entry["shape"]) bytes *= d.get<uint64_t>();
            entry["data_offsets"] = {total, total + bytes};
            total += bytes;
        }
    });
    // The new header, then the widened data as a sparse run of zeros.
    const auto weights = folder / "model.safetensors";
    writeFile(weights, headerBytes(splitSafetensors(weights).header));
    std::filesystem::resize_file(weights, std::filesystem::file_size(weights) + total);
    if (dataBytes) *dataBytes = total;
    return folder;
}

} // namespace bd3::test
