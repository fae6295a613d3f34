#include "formats/safetensors_writer.hpp"

#include "bd3/error.hpp"
#include "formats/quantized_blocks.hpp"

#include <nlohmann/json.hpp>

#include <cerrno>
#include <cstring>

namespace bd3 {

namespace {

// The header is padded with spaces so the data starts 8-byte aligned, as the
// reference writer does.
constexpr size_t kDataAlignment = 8;

std::vector<int64_t> storedShape(const TensorEntry& entry)
{
    if (!isQuantized(entry.dtype)) return entry.shape;
    return {entry.shape.at(0), static_cast<int64_t>(rowBytes(entry.dtype, entry.shape.at(1)))};
}

} // namespace

uint64_t TensorEntry::bytes() const
{
    if (isQuantized(dtype)) return static_cast<uint64_t>(shape.at(0)) * rowBytes(dtype, shape.at(1));
    uint64_t n = dtypeSize(dtype);
    for (int64_t d : shape) n *= static_cast<uint64_t>(d);
    return n;
}

SafetensorsWriter::SafetensorsWriter(const std::filesystem::path& path, std::vector<TensorEntry> entries)
    : m_path(path), m_entries(std::move(entries)), m_out(path, std::ios::binary | std::ios::trunc)
{
    if (!m_out) throw Error(path.string() + ": cannot create: " + std::strerror(errno));
    nlohmann::json header = nlohmann::json::object();
    nlohmann::json metadata = {{"format", "pt"}};
    uint64_t offset = 0;
    for (const TensorEntry& entry : m_entries) {
        const uint64_t size = entry.bytes();
        header[entry.name] = {{"dtype", isQuantized(entry.dtype) ? std::string("U8") : std::string(dtypeName(entry.dtype))},
                              {"shape", storedShape(entry)},
                              {"data_offsets", {offset, offset + size}}};
        if (isQuantized(entry.dtype)) metadata["bd3.dtype." + entry.name] = std::string(dtypeName(entry.dtype));
        offset += size;
    }
    header["__metadata__"] = metadata;
    std::string text = header.dump();
    text.append((kDataAlignment - (8 + text.size()) % kDataAlignment) % kDataAlignment, ' ');
    char length[8];
    for (size_t i = 0; i < 8; ++i) length[i] = static_cast<char>((text.size() >> (8 * i)) & 0xFFU);
    m_out.write(length, 8);
    m_out.write(text.data(), static_cast<std::streamsize>(text.size()));
    if (!m_out) throw Error(path.string() + ": write failed: " + std::strerror(errno));
}

void SafetensorsWriter::write(const StoredTensor& tensor)
{
    if (m_next >= m_entries.size()) throw Error("internal: " + m_path.string() + ": more tensors than announced");
    const TensorEntry& entry = m_entries[m_next];
    if (tensor.name != entry.name || tensor.dtype != entry.dtype || tensor.shape != entry.shape ||
        tensor.bytes.size() != entry.bytes())
        throw Error("internal: " + m_path.string() + ": tensor '" + tensor.name + "' is not the announced '" +
                    entry.name + "'");
    m_out.write(reinterpret_cast<const char*>(tensor.bytes.data()), static_cast<std::streamsize>(tensor.bytes.size()));
    if (!m_out) throw Error(m_path.string() + ": write failed: " + std::strerror(errno));
    ++m_next;
}

void SafetensorsWriter::finish()
{
    if (m_next != m_entries.size())
        throw Error("internal: " + m_path.string() + ": " + std::to_string(m_entries.size() - m_next) +
                    " announced tensors were not written");
    m_out.close();
    if (!m_out) throw Error(m_path.string() + ": write failed: " + std::strerror(errno));
}

} // namespace bd3
