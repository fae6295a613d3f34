#include "tokenizers/tokenizer_file.hpp"

#include "bd3/error.hpp"

#include <fstream>

namespace bd3 {

namespace fs = std::filesystem;

std::string readTokenizerFile(const fs::path& path)
{
    std::error_code error;
    if (!fs::exists(path, error)) throw Error(path.string() + ": no such file");
    if (!fs::is_regular_file(path, error)) throw Error(path.string() + ": not a regular file");
    const auto size = fs::file_size(path, error);
    if (error) throw Error(path.string() + ": cannot read the file: " + error.message());
    std::ifstream in(path, std::ios::binary);
    std::string contents(size, '\0');
    if (!in || !in.read(contents.data(), static_cast<std::streamsize>(contents.size())))
        throw Error(path.string() + ": cannot read the file");
    return contents;
}

} // namespace bd3
