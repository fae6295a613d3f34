#include "formats/safetensors.hpp"

#include "formats/float_formats.hpp"
#include "formats/quantized_blocks.hpp"

#include "bd3/error.hpp"
#include "json_document.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <array>
#include <bit>
#include <cstring>
#include <map>
#include <vector>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace bd3 {

namespace {

// The format's own bound on the JSON header.
constexpr uint64_t kMaxHeaderBytes = 100'000'000;

// bd3's quantized matrices are stored as U8 tensors [rows, bytes per row]
// whose type the file's __metadata__ names ("bd3.dtype.NAME": "Q8_0"): the
// safetensors format has no block types, and readers that do not know them
// still see a well-formed file.
constexpr std::string_view kQuantizedKeyPrefix = "bd3.dtype.";

DType parseDtype(const std::string& text, const std::string& tensor, const std::string& file,
                 const std::map<std::string, std::string>& quantized)
{
    const auto named = quantized.find(tensor);
    if (text == "U8" && named != quantized.end()) {
        if (named->second == "Q8_0") return DType::Q8_0;
        if (named->second == "Q4_0") return DType::Q4_0;
        throw Error(file + ": __metadata__ gives tensor '" + tensor + "' the type " + quoteText(named->second) +
                    "; bd3 knows Q8_0 and Q4_0");
    }
    if (named != quantized.end())
        throw Error(file + ": __metadata__ gives tensor '" + tensor + "' a quantized type, but it is stored as " +
                    text + ", not U8");
    if (text == "F32") return DType::F32;
    if (text == "F16") return DType::F16;
    if (text == "BF16") return DType::BF16;
    throw Error(file + ": tensor '" + tensor + "' has dtype " + text +
                "; only F32, F16, BF16 and bd3's quantized Q8_0 and Q4_0 (U8 named in __metadata__) are supported");
}

// Reads exactly size bytes at offset. The file is read rather than mapped:
// a model file truncated by someone else while it loads then gives this
// error instead of a SIGBUS.
void readExactly(int fd, std::byte* out, size_t size, uint64_t offset, const std::string& what)
{
    while (size > 0) {
        const ssize_t got = ::pread(fd, out, size, static_cast<off_t>(offset));
        if (got < 0 && errno == EINTR) continue;
        if (got < 0) throw Error(what + ": read failed: " + std::strerror(errno));
        if (got == 0)
            throw Error(what + ": the file ended early (was it truncated or changed while it was being read?)");
        out += got;
        offset += static_cast<uint64_t>(got);
        size -= static_cast<size_t>(got);
    }
}

// Like the reference implementation: __metadata__ maps strings to strings.
// Returns the quantized tensors it names, by name.
std::map<std::string, std::string> readMetadata(const nlohmann::json& metadata, const std::string& file)
{
    if (!metadata.is_object()) throw Error(file + ": __metadata__ is " + quoteJson(metadata) + ", not an object");
    std::map<std::string, std::string> quantized;
    for (const auto& [key, value] : metadata.items()) {
        if (!value.is_string())
            throw Error(file + ": __metadata__ key \"" + key + "\" holds " + quoteJson(value) + ", not a string");
        if (key.starts_with(kQuantizedKeyPrefix))
            quantized.emplace(key.substr(kQuantizedKeyPrefix.size()), value.get<std::string>());
    }
    return quantized;
}

// A quantized tensor's stored shape [rows, bytes per row] as the matrix it
// holds, [rows, columns], checked to be whole blocks.
std::vector<int64_t> quantizedShape(const TensorInfo& info, const std::string& where)
{
    const size_t block = blockBytes(info.dtype);
    if (info.shape.size() != 2)
        throw Error(where + ": a " + std::string(dtypeName(info.dtype)) + " tensor is a matrix [rows, bytes per row], not " +
                    shapeText(info.shape));
    const auto rowBytes = static_cast<uint64_t>(info.shape[1]);
    if (rowBytes == 0 || rowBytes % block != 0)
        throw Error(where + ": rows of " + std::to_string(rowBytes) + " bytes are not whole " +
                    std::string(dtypeName(info.dtype)) + " blocks of " + std::to_string(block) + " bytes (a scale and " +
                    std::to_string(kQuantBlock) + " weights)");
    return {info.shape[0], static_cast<int64_t>(rowBytes / block * kQuantBlock)};
}

std::string quoteShape(const nlohmann::json& shape)
{
    std::string text = "[";
    for (size_t i = 0; i < shape.size() && i < 8; ++i) {
        if (i > 0) text += ", ";
        text += quoteJson(shape[i]);
    }
    return text + (shape.size() > 8 ? ", ...]" : "]");
}

// The tensors' data must tile the data section exactly, as the reference
// implementation requires: in offset order, each starts where the previous
// one ends, the first at 0 and the last at the end of the file. A gap, an
// overlap or trailing bytes mean a damaged or hand-edited file.
void checkDataLayout(const std::map<std::string, TensorInfo>& tensors, uint64_t dataSize, const std::string& file)
{
    std::vector<const TensorInfo*> order;
    order.reserve(tensors.size());
    for (const auto& [name, info] : tensors) order.push_back(&info);
    std::sort(order.begin(), order.end(), [](const TensorInfo* a, const TensorInfo* b) {
        return a->offset != b->offset ? a->offset < b->offset : a->bytes < b->bytes;
    });
    uint64_t expected = 0;
    for (const TensorInfo* info : order) {
        if (info->offset != expected)
            throw Error(file + ": tensor '" + info->name + "' starts at data byte " + std::to_string(info->offset) +
                        " but the data before it ends at " + std::to_string(expected) +
                        (info->offset < expected ? " (the tensors overlap)" : " (a gap between tensors)"));
        expected = info->offset + info->bytes;
    }
    if (expected != dataSize)
        throw Error(file + ": " + std::to_string(dataSize - expected) + " bytes after the last tensor's data");
}

} // namespace

int64_t TensorInfo::elements() const
{
    int64_t n = 1;
    for (int64_t d : shape) n *= d;
    return n;
}

SafetensorsFile::Descriptor::~Descriptor()
{
    if (m_fd >= 0) ::close(m_fd);
}

// O_NONBLOCK: a FIFO in the weights' place is refused below instead of
// waiting for a writer; it changes nothing for a regular file.
SafetensorsFile::SafetensorsFile(const std::filesystem::path& path)
    : m_path(path), m_fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK))
{
    const std::string file = path.string();
    if (m_fd.get() < 0) throw Error(file + ": cannot open: " + std::strerror(errno));
    struct stat st{};
    if (::fstat(m_fd.get(), &st) != 0) throw Error(file + ": cannot stat: " + std::strerror(errno));
    if (!S_ISREG(st.st_mode)) throw Error(file + ": not a regular file");
    const auto fileSize = static_cast<size_t>(st.st_size);
    if (fileSize < 8) throw Error(file + ": too short for a safetensors header (" + std::to_string(fileSize) + " bytes)");

    uint64_t headerLength = 0;
    {
        std::array<std::byte, 8> prefix{};
        readExactly(m_fd.get(), prefix.data(), prefix.size(), 0, file);
        for (int i = 7; i >= 0; --i) headerLength = (headerLength << 8) | std::to_integer<uint64_t>(prefix[static_cast<size_t>(i)]);
    }
    if (headerLength > fileSize - 8)
        throw Error(file + ": header length " + std::to_string(headerLength) +
                    " runs past the end of the file (" + std::to_string(fileSize) + " bytes)");
    if (headerLength > kMaxHeaderBytes)
        throw Error(file + ": header length " + std::to_string(headerLength) + " is over the format's limit of " +
                    std::to_string(kMaxHeaderBytes) + " bytes");
    {
        std::string headerText(headerLength, '\0');
        readExactly(m_fd.get(), reinterpret_cast<std::byte*>(headerText.data()), headerLength, 8, file);
        // Duplicate tensor names are refused here, by the JSON intake.
        const nlohmann::json header = parseJsonDocument(headerText, file + ": header", kMaxHeaderBytes);
        if (!header.is_object()) throw Error(file + ": the header is not a JSON object");
        m_dataStart = 8 + headerLength;
        const size_t dataSize = fileSize - 8 - headerLength;

        const std::map<std::string, std::string> quantized =
            header.contains("__metadata__") ? readMetadata(header["__metadata__"], file)
                                            : std::map<std::string, std::string>{};
        for (const auto& [name, type] : quantized)
            if (!header.contains(name))
                throw Error(file + ": __metadata__ gives a type to tensor '" + name + "', which the file does not hold");
        for (const auto& [name, entry] : header.items()) {
            if (name == "__metadata__") continue;
            const std::string where = file + ": tensor '" + name + "'";
            if (!entry.is_object() || !entry.contains("dtype") || !entry.contains("shape") ||
                !entry.contains("data_offsets"))
                throw Error(where + " lacks dtype, shape or data_offsets");
            const auto& dtype = entry["dtype"];
            const auto& shape = entry["shape"];
            const auto& offsets = entry["data_offsets"];
            if (!dtype.is_string()) throw Error(where + ": dtype is not a string");
            if (!shape.is_array()) throw Error(where + ": shape is not an array");
            if (!offsets.is_array() || offsets.size() != 2 || !offsets[0].is_number_unsigned() ||
                !offsets[1].is_number_unsigned())
                throw Error(where + ": data_offsets is not a pair of byte offsets");

            TensorInfo info;
            info.name = name;
            info.dtype = parseDtype(dtype.get<std::string>(), name, file, quantized);
            // The running product is bounded before each multiplication, so
            // it cannot wrap.
            constexpr uint64_t kMaxElements = uint64_t{1} << 40;
            uint64_t elements = 1;
            for (const auto& d : shape) {
                if (!d.is_number_unsigned()) throw Error(where + ": shape holds an invalid dimension");
                const auto size = d.get<uint64_t>();
                if (size != 0 && elements > kMaxElements / size)
                    throw Error(where + ": shape " + quoteShape(shape) + " has more than 2^40 elements");
                info.shape.push_back(static_cast<int64_t>(size));
                elements *= size;
            }
            const auto begin = offsets[0].get<uint64_t>();
            const auto end = offsets[1].get<uint64_t>();
            if (end < begin || end > dataSize)
                throw Error(where + ": data [" + std::to_string(begin) + ", " + std::to_string(end) +
                            ") lies outside the " + std::to_string(dataSize) + " data bytes of the file");
            const uint64_t elementBytes = isQuantized(info.dtype) ? 1 : dtypeSize(info.dtype);
            if (end - begin != elements * elementBytes)
                throw Error(where + ": " + std::to_string(end - begin) + " data bytes do not match shape " +
                            shapeText(info.shape) + " of " + (isQuantized(info.dtype) ? std::string("U8") : std::string(dtypeName(info.dtype))));
            if (isQuantized(info.dtype)) info.shape = quantizedShape(info, where);
            info.offset = begin;
            info.bytes = end - begin;
            m_tensors.emplace(name, std::move(info));
        }
        checkDataLayout(m_tensors, dataSize, file);
    }
}

void SafetensorsFile::readAsFloat(const TensorInfo& info, std::span<float> out) const
{
    if (static_cast<int64_t>(out.size()) != info.elements())
        throw Error("internal: destination of tensor '" + info.name + "' has the wrong size");
    const std::string what = m_path.string() + ": tensor '" + info.name + "'";
    const uint64_t start = m_dataStart + info.offset;
    if (isQuantized(info.dtype)) {
        const std::vector<float> values = read(info).toFloat();
        std::copy(values.begin(), values.end(), out.begin());
        return;
    }
    if (info.dtype == DType::F32) {
        readExactly(m_fd.get(), reinterpret_cast<std::byte*>(out.data()), info.bytes, start, what);
        return;
    }
    // 16-bit tensors are read in slices and widened, so no second copy of a
    // whole tensor is ever held.
    constexpr size_t kSlice = size_t{1} << 20;
    std::vector<uint16_t> raw(std::min(kSlice, out.size()));
    for (size_t done = 0; done < out.size(); done += raw.size()) {
        const size_t count = std::min(raw.size(), out.size() - done);
        readExactly(m_fd.get(), reinterpret_cast<std::byte*>(raw.data()), 2 * count, start + 2 * done, what);
        for (size_t i = 0; i < count; ++i)
            out[done + i] = info.dtype == DType::F16 ? halfToFloat(raw[i])
                                                     : std::bit_cast<float>(static_cast<uint32_t>(raw[i]) << 16);
    }
}

StoredTensor SafetensorsFile::read(const TensorInfo& info) const
{
    StoredTensor tensor{info.name, info.dtype, info.shape, std::vector<std::byte>(info.bytes)};
    readExactly(m_fd.get(), tensor.bytes.data(), info.bytes, m_dataStart + info.offset,
                m_path.string() + ": tensor '" + info.name + "'");
    return tensor;
}

} // namespace bd3
