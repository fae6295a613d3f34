#include "bd3/utf8.hpp"

#include "bd3/error.hpp"

#include <algorithm>
#include <string>

namespace bd3 {

namespace {

// How many bytes a sequence starting with this lead byte has; 0 when the byte
// cannot start one (a continuation byte, C0/C1 which could only be overlong,
// or F5..FF which would go past U+10FFFF).
size_t sequenceLength(unsigned char lead)
{
    if (lead < 0x80) return 1;
    if (lead >= 0xC2 && lead <= 0xDF) return 2;
    if (lead >= 0xE0 && lead <= 0xEF) return 3;
    if (lead >= 0xF0 && lead <= 0xF4) return 4;
    return 0;
}

// Whether the byte after a lead byte is allowed. The narrowed ranges after E0,
// ED, F0 and F4 are what rule out overlongs, surrogates and values past
// U+10FFFF; every other continuation is 80..BF.
bool validSecondByte(unsigned char lead, unsigned char second)
{
    switch (lead) {
    case 0xE0: return second >= 0xA0 && second <= 0xBF;
    case 0xED: return second >= 0x80 && second <= 0x9F;
    case 0xF0: return second >= 0x90 && second <= 0xBF;
    case 0xF4: return second >= 0x80 && second <= 0x8F;
    default: return second >= 0x80 && second <= 0xBF;
    }
}

bool isContinuation(unsigned char byte) { return (byte & 0xC0) == 0x80; }

// How many of the bytes (at most the sequence's length) form a correct start
// of the sequence that begins at bytes[0].
size_t validSequencePrefix(std::string_view bytes, size_t length)
{
    const auto lead = static_cast<unsigned char>(bytes[0]);
    size_t valid = 1;
    while (valid < length && valid < bytes.size()) {
        const auto byte = static_cast<unsigned char>(bytes[valid]);
        const bool ok = valid == 1 ? validSecondByte(lead, byte) : isContinuation(byte);
        if (!ok) break;
        ++valid;
    }
    return valid;
}

} // namespace

std::optional<size_t> firstInvalidUtf8(std::string_view text)
{
    size_t offset = 0;
    while (offset < text.size()) {
        const auto lead = static_cast<unsigned char>(text[offset]);
        if (lead < 0x80) {  // fast path for ASCII runs
            ++offset;
            continue;
        }
        const size_t length = sequenceLength(lead);
        if (length == 0 || validSequencePrefix(text.substr(offset), length) != length)
            return offset;
        offset += length;
    }
    return std::nullopt;
}

void requireValidUtf8(std::string_view text, std::string_view what)
{
    if (const auto offset = firstInvalidUtf8(text))
        throw Error(std::string(what) + " is not valid UTF-8 at byte " + std::to_string(*offset));
}

size_t completeUtf8Prefix(std::string_view bytes)
{
    // A character is at most 4 bytes, so only a lead byte among the last 3
    // can start one that is still incomplete.
    const size_t size = bytes.size();
    for (size_t back = 1; back <= 3 && back <= size; ++back) {
        const size_t start = size - back;
        const auto byte = static_cast<unsigned char>(bytes[start]);
        if (isContinuation(byte)) continue;
        const size_t length = sequenceLength(byte);
        const bool incomplete = length > back &&
                                validSequencePrefix(bytes.substr(start), length) == back;
        return incomplete ? start : size;
    }
    return size;
}

std::string validUtf8(std::string_view bytes)
{
    std::string text;
    text.reserve(bytes.size());
    size_t offset = 0;
    while (offset < bytes.size()) {
        const auto lead = static_cast<unsigned char>(bytes[offset]);
        const size_t length = sequenceLength(lead);
        const size_t valid = length == 0 ? 0 : validSequencePrefix(bytes.substr(offset), length);
        if (length > 0 && valid == length) {
            text.append(bytes.substr(offset, length));
            offset += length;
        } else {
            // One replacement per maximal ill-formed subpart, as the Unicode
            // standard recommends.
            text += "\xEF\xBF\xBD";
            offset += std::max<size_t>(valid, 1);
        }
    }
    return text;
}

} // namespace bd3
