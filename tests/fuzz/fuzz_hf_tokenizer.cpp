// Hugging Face tokenizer.json: the input is the file, then optionally a NUL
// byte and a text to encode. Any bytes give a tokenizer or a bd3::Error; a
// tokenizer encodes valid UTF-8, with and without special tokens, into ids
// it can decode.
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
    const std::string text(split == std::string_view::npos ? std::string_view("Hello <|im_end|> world, it's 12345!")
                                                           : input.substr(split + 1));
    const auto file = bd3::fuzz::writeScratch("tokenizer.json", data, std::min(split, size));
    try {
        const auto tokenizer = bd3::loadHuggingFaceTokenizer(file);
        if (!bd3::firstInvalidUtf8(text)) {
            for (const auto& ids : {tokenizer->encode(text), tokenizer->encodeWithSpecialTokens(text)}) {
                for (const int32_t id : ids)
                    if (id < 0 || id >= tokenizer->size()) __builtin_trap();
                tokenizer->decode(ids);
            }
        }
    } catch (const bd3::Error&) {
    }
    return 0;
}
