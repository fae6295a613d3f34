// The one intake for JSON that comes from outside (model configs, tokenizer
// files, shard indexes, safetensors headers, traces): a size cap, a depth
// cap, duplicate keys rejected, and every way the text can be wrong (a number
// too large for its type included) one bd3::Error naming the origin. Error
// messages quote a bad value only as a short, escaped excerpt.
#pragma once

#include <nlohmann/json.hpp>

#include <cstddef>
#include <filesystem>
#include <string>
#include <string_view>

namespace bd3 {

// Caps on what is read: a config (config.json, generation_config.json,
// tokenizer_config.json, an index) is a few kilobytes, a tokenizer's
// vocabulary tens of megabytes; a trace grows with the generation.
inline constexpr size_t kMaxSettingsFileBytes = size_t{16} << 20;
inline constexpr size_t kMaxTokenizerFileBytes = size_t{256} << 20;
inline constexpr size_t kMaxTraceBytes = size_t{1} << 30;
// Deeper than any file of these formats nests.
inline constexpr int kMaxJsonDepth = 64;

nlohmann::json parseJsonDocument(std::string_view text, const std::string& origin, size_t maxBytes);

// A short quotation of a JSON value for an error message: scalars escaped
// and cut at 60 characters, a list of up to 8 scalars whole, other
// containers by their kind only.
std::string quoteJson(const nlohmann::json& value);

// Text from a file quoted for an error message: in double quotes, control
// characters (a NUL, an escape) escaped as JSON escapes them, ill-formed
// UTF-8 as U+FFFD, cut at 60 characters. A raw NUL would end the message.
std::string quoteText(std::string_view text);

// A whole input file of at most maxBytes. Anything but a regular file (a
// FIFO, a device, a folder) is refused without blocking on it.
std::string readInputFile(const std::filesystem::path& path, size_t maxBytes);

} // namespace bd3
