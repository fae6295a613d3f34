// tokenizer.json's added tokens (<|im_start|>, <|endoftext|>, <think>, ...):
// found in the text before any other step, so that BPE never sees them, the
// way Hugging Face's tokenizers library does it: the leftmost match in the
// text, the longest token there, then the token's single_word, lstrip and
// rstrip flags.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace bd3 {

struct AddedToken {
    std::string content;
    int32_t id = 0;
    bool singleWord = false;  // only where no word character touches it on either side
    bool lstrip = false;      // takes the white space before it
    bool rstrip = false;      // takes the white space after it
    bool normalized = false;  // matched in the normalized text, not the raw one
    bool special = false;     // a control token: matched only when the caller asks
};

// One set of added tokens to look for.
class AddedTokenSet {
public:
    AddedTokenSet() = default;
    // The tokens' contents must be valid UTF-8 and not empty; where two are
    // the same, the first is kept.
    explicit AddedTokenSet(std::vector<AddedToken> tokens);

    bool empty() const { return m_tokens.empty(); }

    // A stretch of the text: a token (id >= 0) with the white space its
    // lstrip or rstrip took, or text without tokens (id -1).
    struct Segment {
        size_t begin;
        size_t end;
        int32_t id;
    };

    // Cuts valid UTF-8 text into segments that cover it in order; appends them.
    void split(std::string_view text, std::vector<Segment>& segments) const;

private:
    struct Node {
        std::vector<std::pair<unsigned char, int32_t>> children;  // byte -> node
        int32_t token = -1;                                      // index in m_tokens ending here
    };

    // The leftmost token at or after from, longest there: true and its place.
    bool find(std::string_view text, size_t from, size_t& begin, size_t& end, int32_t& token) const;

    std::vector<AddedToken> m_tokens;
    std::vector<Node> m_trie{1};          // node 0 is the root
    bool m_firstBytes[256] = {};          // bytes a token can start with
};

} // namespace bd3
