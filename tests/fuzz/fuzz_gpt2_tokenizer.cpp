// GPT-2 tokenizer files: the input is vocab.json, a NUL byte, then merges.txt,
// then optionally another NUL and a text to encode. Any bytes give a
// tokenizer or a bd3::Error; a tokenizer round-trips valid UTF-8 exactly.
#include "fuzz_input_file.hpp"

#include "bd3/error.hpp"
#include "bd3/tokenizer.hpp"
#include "bd3/utf8.hpp"

#include <string>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    const std::string_view input(reinterpret_cast<const char*>(data), size);
    const size_t split = input.find('\0');
    if (split == std::string_view::npos) return 0;
    const std::string_view rest = input.substr(split + 1);
    const size_t textStart = rest.find('\0');
    const std::string_view merges = rest.substr(0, textStart);
    const std::string text(textStart == std::string_view::npos ? std::string_view("hello world") : rest.substr(textStart + 1));

    const auto vocab = bd3::fuzz::writeScratch("vocab.json", data, split);
    const auto mergesFile =
        bd3::fuzz::writeScratch("merges.txt", reinterpret_cast<const uint8_t*>(merges.data()), merges.size());
    try {
        const auto tokenizer = bd3::loadGpt2Tokenizer(vocab, mergesFile);
        if (!bd3::firstInvalidUtf8(text)) {
            const auto ids = tokenizer->encode(text);
            if (tokenizer->decode(ids) != text) __builtin_trap();
        }
    } catch (const bd3::Error&) {
    }
    return 0;
}
