#include "npy_writer.hpp"

#include "bd3/error.hpp"

#include <fstream>
#include <string>

namespace bd3::cli {

void writeNpy(const std::filesystem::path& path, std::span<const float> data, const std::vector<int64_t>& shape)
{
    std::string dims;
    for (int64_t d : shape) dims += std::to_string(d) + ", ";
    if (shape.size() > 1) dims.resize(dims.size() - 1);  // (2, 3) but (4,)
    std::string header = "{'descr': '<f4', 'fortran_order': False, 'shape': (" + dims + "), }";
    // Magic (6) + version (2) + length (2) + header, padded to 64 bytes with a newline.
    const size_t total = (10 + header.size() + 1 + 63) / 64 * 64;
    header.append(total - 10 - header.size() - 1, ' ');
    header += '\n';

    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    if (!out) throw Error(path.string() + ": cannot write");
    out.write("\x93NUMPY\x01\x00", 8);
    const auto length = static_cast<uint16_t>(header.size());
    const char lengthBytes[2] = {static_cast<char>(length & 0xFF), static_cast<char>(length >> 8)};
    out.write(lengthBytes, 2);
    out.write(header.data(), static_cast<std::streamsize>(header.size()));
    out.write(reinterpret_cast<const char*>(data.data()), static_cast<std::streamsize>(data.size_bytes()));
    if (!out.flush()) throw Error(path.string() + ": writing failed");
}

} // namespace bd3::cli
