// The special tokens a model folder's tokenizer files name, and their ids
// reconciled with the ones config.json and generation_config.json give.
#pragma once

#include "bd3/model_config.hpp"
#include "bd3/tokenizer.hpp"

#include <filesystem>
#include <string>
#include <vector>

namespace bd3 {

struct NamedSpecialToken {
    std::string key;    // "bos_token", "eos_token", "pad_token", "unk_token", "mask_token"
    std::string text;   // "<|im_end|>"
    std::string file;   // the file that names it
};

// tokenizer_config.json's names first, then special_tokens_map.json's for
// keys the first leaves out; a value may be a string or {"content": ...}.
// Throws bd3::Error naming the file when one is not a JSON object.
std::vector<NamedSpecialToken> readNamedSpecialTokens(const std::filesystem::path& folder);

// config.json's ids are what the model was trained with and stay; a named
// end-of-sequence token joins the stop ids. Throws bd3::Error when a
// contradiction matters (an end token or a prepended BOS that is the mask);
// returns a note for each one that does not (a mask token named differently,
// or not known to the tokenizer).
std::vector<std::string> reconcileSpecialTokens(const std::vector<NamedSpecialToken>& named, const Tokenizer& tokenizer,
                                                ModelConfig& config);

} // namespace bd3
