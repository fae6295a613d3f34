// Strict UTF-8 checks for text entering the engine (per the Unicode standard,
// table 3-7: no overlong forms, no surrogates, nothing above U+10FFFF), and
// the cut that lets streamed text be shown in whole characters only.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace bd3 {

// Byte offset where the first ill-formed sequence starts, or nothing when the
// text is valid UTF-8.
std::optional<size_t> firstInvalidUtf8(std::string_view text);

// Throws bd3::Error "<what> is not valid UTF-8 at byte N".
void requireValidUtf8(std::string_view text, std::string_view what);

// Length of the longest prefix of bytes that does not end in the first part
// of a multi-byte character whose remaining bytes have not arrived yet. Bytes
// that can never become valid are not held back: they are the caller's to show.
size_t completeUtf8Prefix(std::string_view bytes);

// The text with every ill-formed sequence replaced by U+FFFD, for showing
// bytes a model produced (a byte-level token may hold part of a character).
std::string validUtf8(std::string_view bytes);

} // namespace bd3
