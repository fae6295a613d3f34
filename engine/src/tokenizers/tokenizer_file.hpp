// Reading a tokenizer's files whole, with errors that name the file.
#pragma once

#include <filesystem>
#include <string>

namespace bd3 {

// The file's bytes; throws bd3::Error naming the file when it is missing, not
// a regular file, or cannot be read.
std::string readTokenizerFile(const std::filesystem::path& path);

} // namespace bd3
