#include "tokenizers/byte_level.hpp"

#include <unicode/utf8.h>

#include <array>

namespace bd3 {

namespace {

constexpr std::array<UChar32, 256> makeByteCharacters()
{
    std::array<UChar32, 256> characters{};
    UChar32 next = 0x100;
    for (UChar32 byte = 0; byte < 256; ++byte) {
        const bool printable = (byte >= '!' && byte <= '~') || (byte >= 0xA1 && byte <= 0xAC) ||
                               (byte >= 0xAE && byte <= 0xFF);
        characters[static_cast<size_t>(byte)] = printable ? byte : next++;
    }
    return characters;
}

constexpr std::array<UChar32, 256> kByteCharacters = makeByteCharacters();
constexpr UChar32 kByteCharacterEnd = 0x100 + 68;

// The inverse of kByteCharacters: -1 for characters that stand for no byte.
constexpr std::array<int, kByteCharacterEnd> makeCharacterBytes()
{
    std::array<int, kByteCharacterEnd> bytes{};
    bytes.fill(-1);
    for (int byte = 0; byte < 256; ++byte)
        bytes[static_cast<size_t>(kByteCharacters[static_cast<size_t>(byte)])] = byte;
    return bytes;
}

constexpr std::array<int, kByteCharacterEnd> kCharacterBytes = makeCharacterBytes();

void appendUtf8(std::string& out, UChar32 c)
{
    char buffer[U8_MAX_LENGTH];
    size_t length = 0;
    U8_APPEND_UNSAFE(buffer, length, c);
    out.append(buffer, length);
}

} // namespace

std::string byteLevelCharacter(uint8_t byte)
{
    std::string character;
    appendUtf8(character, kByteCharacters[byte]);
    return character;
}

std::optional<std::string> byteLevelBytes(std::string_view spelling)
{
    std::string bytes;
    size_t offset = 0;
    while (offset < spelling.size()) {
        UChar32 c;
        U8_NEXT_UNSAFE(spelling.data(), offset, c);
        if (c >= kByteCharacterEnd || kCharacterBytes[static_cast<size_t>(c)] < 0) return std::nullopt;
        bytes.push_back(static_cast<char>(kCharacterBytes[static_cast<size_t>(c)]));
    }
    return bytes;
}

std::string byteLevelSpelling(std::string_view bytes)
{
    std::string spelling;
    spelling.reserve(bytes.size() * 2);
    for (const char byte : bytes) appendUtf8(spelling, kByteCharacters[static_cast<uint8_t>(byte)]);
    return spelling;
}

} // namespace bd3
