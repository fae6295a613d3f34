// SentencePiece model bytes: a broken tokenizer.model gives a bd3::Error.
#include "fuzz_input_file.hpp"

#include "bd3/error.hpp"
#include "bd3/tokenizer.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    const auto path = bd3::fuzz::writeScratch("tokenizer.model", data, size);
    try {
        const auto tokenizer = bd3::loadSentencePieceTokenizer(path);
        const auto ids = tokenizer->encode("The licence grants you 12 rights, ünïcödé 🎉");
        tokenizer->decode(ids);
    } catch (const bd3::Error&) {
    }
    return 0;
}
