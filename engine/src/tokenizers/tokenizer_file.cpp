#include "tokenizers/tokenizer_file.hpp"

#include "json_document.hpp"

namespace bd3 {

std::string readTokenizerFile(const std::filesystem::path& path) { return readInputFile(path, kMaxTokenizerFileBytes); }

} // namespace bd3
