// GPT-2's byte alphabet, which byte-level BPE vocabularies are written in
// (vocab.json, encoder.json, tokenizer.json): each byte is one printable
// character, so that tokens are readable strings. The printable Latin-1 bytes
// stand for themselves and the other 68 bytes take U+0100 onwards, in byte
// order (bytes_to_unicode() in OpenAI's encoder.py).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace bd3 {

// The character that stands for a byte, in UTF-8.
std::string byteLevelCharacter(uint8_t byte);

// The bytes a token's spelling stands for; nothing when a character is not
// one of the 256 byte characters. The spelling must be valid UTF-8.
std::optional<std::string> byteLevelBytes(std::string_view spelling);

// The spelling of some bytes: byteLevelBytes's inverse.
std::string byteLevelSpelling(std::string_view bytes);

} // namespace bd3
